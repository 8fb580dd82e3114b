import Foundation
import Store

/// Runs `body` with a fresh directory under the system temp directory, removed afterwards.
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// Small options so tests stay light.
func testOptions() -> StoreOptions {
    var options = StoreOptions()
    options.writeBufferSize = 1 << 20
    options.blockCacheSize = 1 << 20
    return options
}

/// Deterministic pseudo-random numbers (SplitMix64) for reproducible generated inputs.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    var utf8Bytes: [UInt8] { Array(utf8) }
}
