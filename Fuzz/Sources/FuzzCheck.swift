import Foundation

/// A property every input must keep (round trips, bounds of what was accepted). A
/// violation is reported like a crash: message on stderr, then `abort`, which libFuzzer
/// records as a crashing input.
enum FuzzCheck {
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard !condition else { return }
        FileHandle.standardError.write(Data("property violated: \(message())\n".utf8))
        abort()
    }
}
