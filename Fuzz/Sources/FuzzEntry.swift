import Foundation

// libFuzzer's entry points. One binary holds every target; `M2GRL_FUZZ_TARGET` names the one
// to run (an environment variable, so that libFuzzer's -fork/-jobs children inherit it).
// `M2GRL_FUZZ_WRITE_SEEDS=<dir>` writes every target's seeds to <dir>/<target>/ and exits.

nonisolated(unsafe) private var selectedTarget: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    let environment = ProcessInfo.processInfo.environment
    if let directory = environment["M2GRL_FUZZ_WRITE_SEEDS"] {
        exit(SeedWriter.write(to: directory) ? 0 : 1)
    }
    guard let name = environment["M2GRL_FUZZ_TARGET"], let target = FuzzTarget.named(name) else {
        let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("set M2GRL_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(64)
    }
    selectedTarget = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = selectedTarget?.run(bytes)
    return 0
}

/// Writes the seeds of every target (docs/fuzzing.md, "Seed corpus").
enum SeedWriter {
    static func write(to directory: String) -> Bool {
        let files = FileManager.default
        for target in FuzzTarget.all {
            do {
                let folder = URL(fileURLWithPath: directory).appendingPathComponent(target.name)
                try files.createDirectory(at: folder, withIntermediateDirectories: true)
                for (name, bytes) in try target.seeds().sorted(by: { $0.key < $1.key }) {
                    guard target.run(bytes) else {
                        FileHandle.standardError.write(Data("\(target.name): seed \(name) is not accepted\n".utf8))
                        return false
                    }
                    try Data(bytes).write(to: folder.appendingPathComponent("seed-\(name)"))
                }
            } catch {
                FileHandle.standardError.write(Data("\(target.name): cannot write seeds: \(error)\n".utf8))
                return false
            }
        }
        return true
    }
}
