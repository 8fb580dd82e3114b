import Kafka

/// The pure part of reading published versions: fed the records of the embeddings topic
/// and the manifests of the versions topic (in any interleaving), it tells which versions
/// are complete and rebuilds one of them (`assemble`, in VersionAssembler+Assemble.swift).
/// No Kafka calls, so it works on any record source (a consumer, a compacted copy, tests).
/// It keeps every record it was fed (values included) until `assemble`: memory grows with
/// the topic's size, which compaction bounds.
///
/// A version `v` of attempt `a` is complete when its manifest is there, the records with
/// headers (`v`, `a`) match the manifest's counts per partition and checksum, and the
/// manifests of every version of attempt `a` from its base snapshot up to `v` are there.
public struct VersionAssembler: Sendable {
    /// One publication of a version number by one publisher attempt.
    public struct VersionAttempt: Hashable, Sendable {
        public var version: UInt64
        public var attempt: UInt64

        public init(version: UInt64, attempt: UInt64) {
            self.version = version
            self.attempt = attempt
        }
    }

    /// Whether a version number can be read.
    public enum Status: Sendable, Equatable {
        case complete(VersionManifest)
        case incomplete(reason: String)
        case notFound
    }

    struct Entry: Sendable {
        var key: RecordKey
        var version: UInt64
        var attempt: UInt64
        var partition: Int32
        var offset: Int64
        var value: [UInt8]
        var format: PublicationFormat?
    }

    private struct Tally: Sendable {
        var perPartition: [Int32: UInt64] = [:]
        var checksum: UInt64 = 0
    }

    private var manifests: [VersionAttempt: (manifest: VersionManifest, arrival: Int)] = [:]
    private var arrivals = 0
    private var tallies: [VersionAttempt: Tally] = [:]
    private(set) var entries: [Entry] = []
    /// Records without version/attempt headers or with a key this publisher does not write.
    public private(set) var ignoredRecords = 0

    public init() {}

    /// Manifests seen (all versions and attempts).
    public var manifestCount: Int { manifests.count }

    /// Adds a manifest; a later manifest of the same version and attempt replaces it.
    public mutating func addManifest(_ manifest: VersionManifest) {
        arrivals += 1
        manifests[VersionAttempt(version: manifest.version, attempt: manifest.attempt)] = (manifest, arrivals)
    }

    /// Decodes and adds a record of the versions topic.
    public mutating func addManifest(message: KafkaMessage) throws {
        guard let value = message.value else {
            throw PublicationError.corruptRecord(location: "\(message.topicPartition)@\(message.offset)", reason: "manifest without value")
        }
        do {
            addManifest(try VersionManifest.decode(value, format: message.publicationFormat))
        } catch let error as PublicationError {
            throw error
        } catch {
            throw PublicationError.corruptRecord(location: "\(message.topicPartition)@\(message.offset)", reason: "manifest: \(error)")
        }
    }

    /// Adds a record of the embeddings topic (only its headers and key are looked at now).
    public mutating func addRecord(_ message: KafkaMessage) {
        guard let version = message.uint64Header(PublicationHeaders.version),
              let attempt = message.uint64Header(PublicationHeaders.attempt),
              let keyBytes = message.key, let key = RecordKey(bytes: keyBytes)
        else {
            ignoredRecords += 1
            return
        }
        let value = message.value ?? []
        let id = VersionAttempt(version: version, attempt: attempt)
        tallies[id, default: Tally()].perPartition[message.partition, default: 0] += 1
        tallies[id, default: Tally()].checksum &+= PublicationHashing.recordChecksum(key: keyBytes, value: value)
        entries.append(Entry(key: key, version: version, attempt: attempt, partition: message.partition,
                             offset: message.offset, value: value, format: message.publicationFormat))
    }

    /// Why the publication (`version`, `attempt`) is not complete; nil when it is.
    public func incompleteness(of id: VersionAttempt) -> String? {
        guard let m = manifests[id]?.manifest else { return "no manifest" }
        let tally = tallies[id] ?? Tally()
        for p in Set(tally.perPartition.keys).union(m.recordsPerPartition.keys).sorted() {
            let found = tally.perPartition[p] ?? 0, expected = m.recordsPerPartition[p] ?? 0
            if found != expected { return "partition \(p) has \(found) of its \(expected) records" }
        }
        if tally.checksum != m.checksum { return "checksum mismatch" }
        if m.kind == .snapshot { return nil }
        guard m.baseSnapshotVersion < m.version else { return "delta with base \(m.baseSnapshotVersion)" }
        for u in m.baseSnapshotVersion..<m.version {
            guard let earlier = manifests[VersionAttempt(version: u, attempt: id.attempt)]?.manifest else {
                return "manifest of version \(u) (attempt \(id.attempt)) it builds on is missing"
            }
            if u == m.baseSnapshotVersion && earlier.kind != .snapshot { return "base version \(u) is not a snapshot" }
        }
        return nil
    }

    /// The state of version number `version` (the newest complete attempt wins).
    public func status(of version: UInt64) -> Status {
        let candidates = manifests.filter { $0.key.version == version }.sorted { $0.value.arrival > $1.value.arrival }
        guard let latest = candidates.first else { return .notFound }
        for c in candidates where incompleteness(of: c.key) == nil { return .complete(c.value.manifest) }
        return .incomplete(reason: incompleteness(of: latest.key) ?? "incomplete")
    }

    /// The manifest of every complete version, ascending by version.
    public func completeVersions() -> [VersionManifest] {
        Set(manifests.keys.map(\.version)).sorted().compactMap {
            if case .complete(let m) = status(of: $0) { return m }
            return nil
        }
    }

    /// The newest complete version, if any.
    public var newestCompleteVersion: VersionManifest? {
        for v in Set(manifests.keys.map(\.version)).sorted(by: >) {
            if case .complete(let m) = status(of: v) { return m }
        }
        return nil
    }
}
