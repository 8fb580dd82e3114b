import Model
import Store

/// Binary layout of a `PartitionClock` (little-endian): per mark (leader, then runner-up)
/// `present u8`, and when present `millis i64, user length u32, user UTF-8`.
enum PartitionClockCodec {
    static func encode(_ clock: PartitionClock) -> [UInt8] {
        var out: [UInt8] = []
        for mark in [clock.leader, clock.runnerUp] {
            guard let mark else {
                out.append(0)
                continue
            }
            out.append(1)
            withUnsafeBytes(of: mark.millis.littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(clamping: mark.user.utf8.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: mark.user.utf8)
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) throws -> PartitionClock {
        try bytes.withUnsafeBytes { raw in
            var r = LayoutReader(raw)
            var marks: [PartitionClock.Mark?] = []
            for _ in 0..<2 {
                guard try r.read(UInt8.self) != 0 else {
                    marks.append(nil)
                    continue
                }
                let millis = try r.read(Int64.self)
                let n = Int(try r.read(UInt32.self))
                guard n <= raw.count - r.offset else { throw StoreError.decoding("partition clock: a user name past the end") }
                let start = r.offset
                for _ in 0..<n { _ = try r.read(UInt8.self) }
                marks.append(PartitionClock.Mark(user: String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<(start + n)]), as: UTF8.self), millis: millis))
            }
            guard r.offset == raw.count else { throw StoreError.decoding("partition clock: \(raw.count - r.offset) bytes after the end") }
            return PartitionClock(leader: marks[0], runnerUp: marks[1])
        }
    }
}
