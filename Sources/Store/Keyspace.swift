/// A typed view of part of a column family: `family` + `prefix` bytes + key type + value codec.
///
/// Stored keys are `prefix ++ key.encodedKey`; several keyspaces can share a family by
/// using distinct prefixes (e.g. `[0x01]` vocabulary, `[0x02]` walk rings). Prefixes of
/// keyspaces sharing a family must not be prefixes of one another.
public struct Keyspace<Key: KeyCodable, Codec: ValueCodec>: Sendable {
    public let family: ColumnFamily
    public let prefix: [UInt8]
    public let codec: Codec

    public init(_ family: ColumnFamily, prefix: [UInt8] = [], key: Key.Type = Key.self, codec: Codec) {
        self.family = family
        self.prefix = prefix
        self.codec = codec
    }

    /// The stored key bytes for `key`.
    public func storedKey(_ key: Key) -> [UInt8] {
        var encoder = KeyEncoder(prefix: prefix)
        key.encode(to: &encoder)
        return encoder.bytes
    }

    /// Decodes stored key bytes (prefix included) back into a key.
    public func decodeStoredKey(_ bytes: UnsafeRawBufferPointer) throws -> Key {
        guard bytes.count >= prefix.count, bytes.prefix(prefix.count).elementsEqual(prefix) else {
            throw StoreError.decoding("key outside keyspace prefix \(prefix)")
        }
        return try Key.decodeKey(UnsafeRawBufferPointer(rebasing: bytes[prefix.count...]))
    }

    /// The stored bytes range covering every key of this keyspace.
    public var storedRange: KeyRange { KeyRange.prefix(prefix) }

    // MARK: Point operations

    /// The value under `key`, or nil.
    public func get(_ key: Key, readView: StoreReadView? = nil) throws -> Codec.Value? {
        try family.withValue(storedKey(key), readView: readView) { bytes in
            try bytes.map { try codec.decode($0) }
        }
    }

    /// The values under `keys` (nil where absent), read in one batched multi-get.
    public func multiGet(_ keys: [Key], readView: StoreReadView? = nil) throws -> [Codec.Value?] {
        try family.multiGet(keys.map(storedKey), readView: readView).map { bytes in
            try bytes.map { bytes in try bytes.withUnsafeBytes { try codec.decode($0) } }
        }
    }

    /// Stores `value` under `key` (its own atomic write).
    public func put(_ key: Key, _ value: Codec.Value, sync: Bool? = nil) throws {
        try family.put(storedKey(key), codec.encode(value), sync: sync)
    }

    /// Deletes `key` (its own atomic write).
    public func delete(_ key: Key, sync: Bool? = nil) throws {
        try family.delete(storedKey(key), sync: sync)
    }

    // MARK: Scans

    /// Visits all entries in key order.
    public func scan(
        direction: ScanDirection = .forward, readView: StoreReadView? = nil,
        _ body: (Key, Codec.Value) throws -> ScanControl
    ) throws {
        try scanStored(storedRange, direction: direction, readView: readView, body)
    }

    /// Visits the entries whose key starts with the encoding of `keyPrefix` — any leading
    /// components of the key, e.g. `UInt16(view)` for `CompositeKey<UInt16, UInt32>`.
    public func scan(
        prefix keyPrefix: some KeyCodable, direction: ScanDirection = .forward, readView: StoreReadView? = nil,
        _ body: (Key, Codec.Value) throws -> ScanControl
    ) throws {
        var encoder = KeyEncoder(prefix: prefix)
        keyPrefix.encode(to: &encoder)
        try scanStored(.prefix(encoder.bytes), direction: direction, readView: readView, body)
    }

    /// Visits the entries with `lower <= key < upper` (nil bounds are open).
    public func scan(
        from lower: Key?, to upper: Key?, direction: ScanDirection = .forward, readView: StoreReadView? = nil,
        _ body: (Key, Codec.Value) throws -> ScanControl
    ) throws {
        let range = KeyRange(
            lower: lower.map(storedKey) ?? storedRange.lower,
            upper: upper.map(storedKey) ?? storedRange.upper)
        try scanStored(range, direction: direction, readView: readView, body)
    }

    /// Collects up to `limit` entries in key order.
    public func entries(limit: Int = .max, readView: StoreReadView? = nil) throws -> [(key: Key, value: Codec.Value)] {
        var result: [(key: Key, value: Codec.Value)] = []
        guard limit > 0 else { return result }
        try scan(readView: readView) { key, value in
            result.append((key, value))
            return result.count < limit ? .continue : .stop
        }
        return result
    }

    private func scanStored(
        _ range: KeyRange, direction: ScanDirection, readView: StoreReadView?,
        _ body: (Key, Codec.Value) throws -> ScanControl
    ) throws {
        try family.scanRaw(range, direction: direction, readView: readView) { keyBytes, valueBytes in
            try body(decodeStoredKey(keyBytes), codec.decode(valueBytes))
        }
    }
}

extension Keyspace where Codec == UInt64LittleEndianCodec {
    /// `counter[key] += delta` (mod 2^64) via the UInt64-add merge operator.
    public func add(_ key: Key, _ delta: UInt64, sync: Bool? = nil) throws {
        try family.add(storedKey(key), delta, sync: sync)
    }
}

extension WriteBatch {
    /// Records `key = value` in `keyspace`.
    public func put<K, C>(_ keyspace: Keyspace<K, C>, _ key: K, _ value: C.Value) throws {
        try put(keyspace.family, key: keyspace.storedKey(key), value: keyspace.codec.encode(value))
    }

    /// Records the deletion of `key` in `keyspace`.
    public func delete<K, C>(_ keyspace: Keyspace<K, C>, _ key: K) throws {
        try delete(keyspace.family, key: keyspace.storedKey(key))
    }

    /// Records the deletion of keys `lower <= key < upper` in `keyspace`.
    public func deleteRange<K, C>(_ keyspace: Keyspace<K, C>, from lower: K, to upper: K) throws {
        try deleteRange(keyspace.family, from: keyspace.storedKey(lower), to: keyspace.storedKey(upper))
    }

    /// Records the deletion of every key starting with `keyPrefix` in `keyspace`
    /// (e.g. all edges of one view). Fails for an all-0xFF stored prefix.
    public func deleteAll<K, C>(_ keyspace: Keyspace<K, C>, prefix keyPrefix: some KeyCodable) throws {
        var encoder = KeyEncoder(prefix: keyspace.prefix)
        keyPrefix.encode(to: &encoder)
        try deleteAll(keyspace.family, storedPrefix: encoder.bytes)
    }

    /// Records the deletion of every key of `keyspace`; needs a non-empty keyspace prefix.
    public func deleteAll<K, C>(_ keyspace: Keyspace<K, C>) throws {
        try deleteAll(keyspace.family, storedPrefix: keyspace.prefix)
    }

    /// Records `counter[key] += delta` in a counter keyspace.
    public func add<K>(_ keyspace: Keyspace<K, UInt64LittleEndianCodec>, _ key: K, _ delta: UInt64) throws {
        try add(keyspace.family, key: keyspace.storedKey(key), delta: delta)
    }

    private func deleteAll(_ family: ColumnFamily, storedPrefix: [UInt8]) throws {
        guard !storedPrefix.isEmpty, let upper = KeyRange.successor(ofPrefix: storedPrefix) else {
            throw StoreError.invalidArgument("deleteAll needs a prefix with an upper bound (non-empty, not all 0xFF)")
        }
        try deleteRange(family, from: storedPrefix, to: upper)
    }
}
