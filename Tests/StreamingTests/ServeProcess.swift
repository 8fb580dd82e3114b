import Foundation

/// The `m2grl` executable built next to the test bundle (`swift build --build-tests`
/// builds both). `M2GRL_BINARY` overrides the location.
func m2grlExecutable() throws -> URL {
    struct NotBuilt: Error, CustomStringConvertible {
        var looked: [String]
        var description: String { "m2grl executable not found (run `swift build --build-tests`); looked at \(looked)" }
    }
    if let explicit = ProcessInfo.processInfo.environment["M2GRL_BINARY"] { return URL(fileURLWithPath: explicit) }
    let testExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directories = [testExecutable.deletingLastPathComponent(), Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
    // macOS bundles: <dir>/m2grlPackageTests.xctest/Contents/MacOS/<exe>.
    directories.append(testExecutable.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent())
    let candidates = directories.map { $0.appendingPathComponent("m2grl") }
    if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
    throw NotBuilt(looked: candidates.map(\.path))
}

/// Runs the `m2grl` executable to completion; returns its exit status (the signal number
/// when a signal ended it) and combined output.
func m2grl(_ arguments: [String], environment: [String: String]? = nil) async throws -> (status: Int32, output: String) {
    let child = try ChildProcess(executable: try m2grlExecutable(), arguments: arguments, environment: environment)
    try await child.waitForExit(60, "m2grl \(arguments.first ?? "")")
    try await Task.sleep(for: .milliseconds(50))  // let the output handler drain
    return (child.process.terminationStatus, child.log)
}

/// An `m2grl` child process whose combined output is collected in memory.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var output = Data()

    /// `environment`: variables set on top of this process's environment (nil: inherited as is).
    init(executable: URL, arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = executable
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            self?.lock.withLock { self?.output.append(data) }
        }
        try process.run()
    }

    var log: String { lock.withLock { String(decoding: output, as: UTF8.self) } }

    var pid: Int32 { process.processIdentifier }

    func kill(_ signal: Int32 = SIGKILL) {
        if process.isRunning { _ = Foundation.kill(process.processIdentifier, signal) }
    }

    /// Waits for the process to exit; kills it and throws after `seconds`.
    func waitForExit(_ seconds: Double, _ what: String) async throws {
        let end = ContinuousClock.now + .seconds(seconds)
        while process.isRunning {
            if ContinuousClock.now > end {
                kill()
                process.waitUntilExit()
                throw TimedOut(what: "\(what); output tail: \(log.suffix(2_000))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
    }

    /// Waits until the output contains `text`; throws if the process exits or time runs out first.
    func waitForOutput(_ text: String, _ seconds: Double) async throws {
        let end = ContinuousClock.now + .seconds(seconds)
        while !log.contains(text) {
            if !process.isRunning {
                throw TimedOut(what: "process exited (status \(process.terminationStatus)) before printing '\(text)': \(log.suffix(2_000))")
            }
            if ContinuousClock.now > end { throw TimedOut(what: "'\(text)' in the output: \(log.suffix(2_000))") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    deinit {
        if process.isRunning {
            _ = Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
