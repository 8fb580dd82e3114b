/// A half-open byte range `[lower, upper)` of keys; nil bounds are unbounded.
public struct KeyRange: Sendable, Equatable {
    /// Inclusive lower bound; nil starts at the first key.
    public var lower: [UInt8]?
    /// Exclusive upper bound; nil runs to the last key.
    public var upper: [UInt8]?

    public init(lower: [UInt8]? = nil, upper: [UInt8]? = nil) {
        self.lower = lower
        self.upper = upper
    }

    /// Every key.
    public static let all = KeyRange()

    /// Exactly the keys starting with `prefix`: `[prefix, successor(prefix))`.
    public static func prefix(_ prefix: [UInt8]) -> KeyRange {
        KeyRange(lower: prefix.isEmpty ? nil : prefix, upper: successor(ofPrefix: prefix))
    }

    /// The smallest byte string greater than every string starting with `prefix`
    /// (drop trailing 0xFF bytes, increment the last one); nil if there is none.
    public static func successor(ofPrefix prefix: [UInt8]) -> [UInt8]? {
        var bytes = prefix
        while let last = bytes.last {
            if last != 0xFF {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return nil
    }

    /// Whether every key of the range starts with the same `length` bytes (the lower
    /// bound's): the lower bound is at least that long and the upper bound is at most the
    /// successor of that prefix.
    func staysWithinPrefix(ofLength length: Int) -> Bool {
        guard let lower, lower.count >= length, let upper,
              let end = Self.successor(ofPrefix: Array(lower.prefix(length)))
        else { return false }
        return !end.lexicographicallyPrecedes(upper)
    }
}

/// Direction of a scan.
public enum ScanDirection: Sendable {
    /// Ascending key order.
    case forward
    /// Descending key order.
    case reverse
}

/// Returned by scan bodies: keep going or stop early.
public enum ScanControl: Sendable {
    case `continue`
    case stop
}
