import Foundation
import Model

/// Reads a file in chunks and hands out its lines as byte buffers (newline and a trailing
/// `\r` removed), so big files never sit in memory as one String.
struct LineReader {
    let path: String
    var chunkSize = 1 << 20
    /// Lines longer than this are reported as oversized instead of being buffered whole.
    var maxLineBytes = 16 << 20

    enum Line {
        case bytes(UnsafeBufferPointer<UInt8>)
        case oversized(Int)
    }

    /// Calls `body(line, lineNumber)` for each line; line numbers start at 1.
    func forEachLine(_ body: (Line, Int) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw EventLoadError.cannotOpen(path: path)
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        pending.reserveCapacity(chunkSize * 2)
        var lineNumber = 0
        var skippingOversized = 0  // > 0 while dropping the rest of an over-long line

        func emit(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) throws {
            lineNumber += 1
            if skippingOversized > 0 {
                let total = skippingOversized + (end - start)
                skippingOversized = 0
                try body(.oversized(total), lineNumber)
                return
            }
            var stop = end
            if stop > start, buffer[stop - 1] == 0x0D { stop -= 1 }
            try body(.bytes(UnsafeBufferPointer(rebasing: buffer[start..<stop])), lineNumber)
        }

        while true {
            let chunk = try handle.read(upToCount: chunkSize) ?? Data()
            let atEnd = chunk.isEmpty
            pending.append(contentsOf: chunk)
            var consumed = 0
            try pending.withUnsafeBufferPointer { buffer in
                var start = 0
                for i in 0..<buffer.count where buffer[i] == 0x0A {
                    try emit(buffer, from: start, to: i)
                    start = i + 1
                }
                consumed = start
                if atEnd, start < buffer.count {
                    try emit(buffer, from: start, to: buffer.count)
                    consumed = buffer.count
                }
            }
            pending.removeFirst(consumed)
            if pending.count > maxLineBytes {
                skippingOversized += pending.count
                pending.removeAll(keepingCapacity: true)
            }
            if atEnd { break }
        }
    }
}
