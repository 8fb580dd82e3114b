import Store

/// A fingerprint of the model-relevant content of an ingest state directory: graphs,
/// vocabularies, attribute maps and walk buffers. Two directories built from the same
/// events (in the same batches) have the same digest; any difference in those families
/// gives a different one (up to 128-bit hash collisions).
///
/// Definition (stable; changing it is a format change):
/// - Families, in this order: `vocab`, `edges`, `attrs`, `walks` (``families``). Sessions,
///   offsets and counters are left out on purpose (they describe progress, not content).
/// - Family digest: 128-bit FNV-1a (``FNV1a128``) over every entry of the column family
///   (all keyspace prefixes), in RocksDB key order (byte-wise), each entry fed as
///   `u32 LE key length, key bytes, u32 LE value length, value bytes`. Keys and values are
///   the stored bytes (layout in ``IngestSchema``); edge weights are read merged, so the
///   digest does not depend on flushes or compactions.
/// - State digest: 128-bit FNV-1a over, per family in order, `name (UTF-8), 0x00, the 16
///   bytes of the family digest (most significant first)`.
/// - Printed as 32 lowercase hex digits, most significant first.
///
/// All families are read from one read view (a RocksDB snapshot), so the digest is of one consistent state.
public struct StateDigest: Sendable, Equatable, Codable {
    /// The digest of one column family.
    public struct Family: Sendable, Equatable, Codable {
        public var name: String
        /// Entries hashed.
        public var entries: Int
        /// 32 hex digits.
        public var digest: String
    }

    /// The families hashed, in hashing order.
    public static let families = ["vocab", "edges", "attrs", "walks"]

    /// The state digest, 32 hex digits.
    public var digest: String
    /// One digest per family, in ``families`` order.
    public var families: [Family]
    /// The graphs by node names (``namedGraphDigest(store:)``): batching- and id-independent.
    public var namedGraph: String?

    /// Computes the digest of `store` (an ingest state, read-write or read-only).
    public static func compute(store: Store) throws -> StateDigest {
        var digest = try computeExact(store: store)
        digest.namedGraph = try namedGraphDigest(store: store)
        return digest
    }

    static func computeExact(store: Store) throws -> StateDigest {
        let handles = try families.map { try store.columnFamily($0) }
        return try store.withReadView { readView in
            var combined = FNV1a128()
            var results: [Family] = []
            for (name, family) in zip(families, handles) {
                var hash = FNV1a128()
                var entries = 0
                try family.scanRaw(readView: readView) { key, value in
                    hash.combine(uint32LittleEndian: UInt32(truncatingIfNeeded: key.count))
                    hash.combine(key)
                    hash.combine(uint32LittleEndian: UInt32(truncatingIfNeeded: value.count))
                    hash.combine(value)
                    entries += 1
                    return .continue
                }
                combined.combine(Array(name.utf8) + [0])
                combined.combine(hash.bigEndianBytes)
                results.append(Family(name: name, entries: entries, digest: hash.hex))
            }
            return StateDigest(digest: combined.hex, families: results)
        }
    }
}
