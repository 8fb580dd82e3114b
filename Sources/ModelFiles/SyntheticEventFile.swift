import Foundation
import Model

extension SyntheticEventGenerator {
    /// Writes all events as JSON Lines with fields `user_id, item_id, timestamp (seconds),
    /// category, shop`, streaming in buffered chunks. Returns the number of events written.
    @discardableResult
    public func writeJSONL(to path: String) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { try? handle.close() }
        var buffer = ""
        buffer.reserveCapacity(1 << 20)
        var count = 0
        for event in self {
            buffer += Self.jsonLine(event)
            count += 1
            if buffer.utf8.count >= 1 << 20 {
                try handle.write(contentsOf: Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: Data(buffer.utf8))
        return count
    }
}
