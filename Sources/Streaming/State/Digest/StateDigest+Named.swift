import Store

extension StateDigest {
    /// A digest of the graphs by node names only (128-bit FNV-1a, 32 hex digits): equal for
    /// two states that hold the same nodes, weighted edges and item attributes, whatever ids
    /// the nodes got and however the events were batched. The live state and a replay of the
    /// same log agree on it; the exact `digest` also needs identical batches (ids, walks).
    ///
    /// Definition: the sorted lines `v <view> <name>`, `e <view> <from> <to> <weight>` and
    /// `a <view> <item> <attribute>` (one per value of a multi-valued item; fields separated
    /// by 0x1F, lines by 0x1E), hashed in order.
    public static func namedGraphDigest(store: Store) throws -> String {
        let schema = try IngestSchema(store: store)
        var names: [UInt16: [UInt32: String]] = [:]
        var lines: [String] = []
        try schema.vocab.scan { key, name in
            let (view, id) = key.components
            names[view, default: [:]][id] = name
            lines.append("v\u{1F}\(view)\u{1F}\(name)")
            return .continue
        }
        func name(_ view: UInt16, _ id: UInt32) -> String { names[view]?[id] ?? "#\(id)" }
        try schema.edges.scan { key, weight in
            let (view, from, to) = key.components
            lines.append("e\u{1F}\(view)\u{1F}\(name(view, from))\u{1F}\(name(view, to))\u{1F}\(weight)")
            return .continue
        }
        func attributeLine(_ view: UInt16, _ item: UInt32, _ attribute: UInt64) -> String {
            "a\u{1F}\(view)\u{1F}\(name(0, item))\u{1F}\(name(view, UInt32(truncatingIfNeeded: attribute)))"
        }
        try schema.attrs.scan { key, attribute in
            lines.append(attributeLine(key.components.0, key.components.1, attribute))
            return .continue
        }
        try schema.furtherAttrs.scan { key, attribute in
            lines.append(attributeLine(key.components.0, key.components.1, attribute))
            return .continue
        }
        lines.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var hash = FNV1a128()
        for line in lines { hash.combine(Array(line.utf8) + [0x1E]) }
        return hash.hex
    }
}
