import Foundation

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

    /// One event as a JSON line (with the trailing newline).
    public static func jsonLine(_ event: Event) -> String {
        let category = event.attribute("category") ?? ""
        let shop = event.attribute("shop") ?? ""
        return "{\"user_id\":\"\(event.user)\",\"item_id\":\"\(event.item)\",\"timestamp\":\(event.timestampMillis / 1000),"
            + "\"category\":\"\(category)\",\"shop\":\"\(shop)\"}\n"
    }
}
