/// Maps node names to dense ids `0..<count` in order of first appearance. Ids never change.
public struct Vocabulary: Sendable, Equatable {
    public private(set) var names: [String] = []
    private var ids: [String: UInt32] = [:]

    public init() {}

    /// Builds a vocabulary from names in order (later duplicates keep the first id).
    public init<S: Sequence>(_ names: S) where S.Element == String {
        for name in names { _ = intern(name) }
    }

    public var count: Int { names.count }

    /// The id of `name`, assigning the next id when it is new.
    public mutating func intern(_ name: String) -> UInt32 {
        if let id = ids[name] { return id }
        let id = UInt32(names.count)
        names.append(name)
        ids[name] = id
        return id
    }

    /// The id of `name`, or nil when unknown.
    public func id(of name: String) -> UInt32? { ids[name] }

    /// The name of `id`.
    public func name(of id: UInt32) -> String { names[Int(id)] }

    public static func == (lhs: Vocabulary, rhs: Vocabulary) -> Bool { lhs.names == rhs.names }
}
