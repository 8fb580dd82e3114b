import Kafka

/// The pure part of reading published versions: fed the records of the embeddings topic
/// and the manifests of the versions topic (in any interleaving), it tells which versions
/// are complete and rebuilds one of them (`assemble`, in VersionAssembler+Assemble.swift).
/// No Kafka calls, so it works on any record source (a consumer, a compacted copy, tests).
/// It keeps every record it was fed (values included) until `assemble`: memory grows with
/// the topic's size, which compaction bounds.
///
/// Only manifests that pass `VersionManifest.validate` are taken. A version `v` of attempt
/// `a` is complete when its manifest is there, the records with headers (`v`, `a`) match
/// the manifest's counts per partition and checksum, and the manifests of every version of
/// attempt `a` from its base snapshot up to `v` are there (the base a snapshot, all of the
/// same dim). It is usable when its records then rebuild it (`rebuild`).
///
/// Scale-out leaders (docs/scale-out.md): manifests are fed in the versions topic's order,
/// and a manifest whose term is lower than a term seen before it (a fence or a manifest) is
/// deposed and not taken; so of two leaders only the newer term's versions count.
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
    /// The attempts that published each version number.
    private var attemptsByVersion: [UInt64: Set<UInt64>] = [:]
    private var arrivals = 0
    /// The highest leader term seen so far (fences and manifests, in arrival order).
    public private(set) var highestTerm: UInt64 = 0
    private var tallies: [VersionAttempt: Tally] = [:]
    private(set) var entries: [Entry] = []
    /// Records without version/attempt headers or with a key this publisher does not write.
    public private(set) var ignoredRecords = 0

    public init() {}

    /// Manifests seen (all versions and attempts).
    public var manifestCount: Int { manifests.count }

    /// Adds a manifest that passes `VersionManifest.validate` and is not deposed (a lower
    /// term than one seen before; else throws and adds nothing); a later manifest of the same
    /// version and attempt replaces it.
    public mutating func addManifest(_ manifest: VersionManifest) throws {
        try manifest.validate()
        guard manifest.term >= highestTerm else {
            throw PublicationError.deposedManifest(version: manifest.version, term: manifest.term, highestTerm: highestTerm)
        }
        highestTerm = manifest.term
        arrivals += 1
        manifests[VersionAttempt(version: manifest.version, attempt: manifest.attempt)] = (manifest, arrivals)
        attemptsByVersion[manifest.version, default: []].insert(manifest.attempt)
    }

    /// A leader's fence: manifests of a lower term fed after it are deposed.
    public mutating func addFence(_ fence: VersionFence) {
        highestTerm = max(highestTerm, fence.term)
    }

    /// Decodes, validates and adds a record of the versions topic (a manifest, or a fence);
    /// the error of a record that is skipped names its offset and why.
    public mutating func addManifest(message: KafkaMessage) throws {
        if VersionFence.isFence(message) {
            guard let fence = VersionFence(message: message) else {
                throw PublicationError.corruptRecord(location: "\(message.topicPartition)@\(message.offset)", reason: "a fence without a term")
            }
            addFence(fence)
            return
        }
        do {
            try addManifest(try VersionManifest.decode(message: message))
        } catch let error as PublicationError {
            if case .deposedManifest = error {
                throw PublicationError.corruptRecord(location: "\(message.topicPartition)@\(message.offset)", reason: error.description)
            }
            throw error
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
            if earlier.dim != m.dim { return "dim \(m.dim) differs from dim \(earlier.dim) of version \(u) it builds on" }
        }
        return nil
    }

    /// The state of version number `version` (the newest complete attempt wins).
    public func status(of version: UInt64) -> Status {
        let candidates = publications(of: version)
        guard let latest = candidates.first else { return .notFound }
        for c in candidates where incompleteness(of: c.id) == nil { return .complete(c.manifest) }
        return .incomplete(reason: incompleteness(of: latest.id) ?? "incomplete")
    }

    /// The manifest of every complete version, ascending by version.
    public func completeVersions() -> [VersionManifest] {
        versionNumbers.sorted().compactMap {
            if case .complete(let m) = status(of: $0) { return m }
            return nil
        }
    }

    /// The newest complete version, if any (`assemble` also checks that it rebuilds).
    public var newestCompleteVersion: VersionManifest? {
        for v in versionNumbers.sorted(by: >) {
            if case .complete(let m) = status(of: v) { return m }
        }
        return nil
    }

    /// Every version number with a manifest.
    var versionNumbers: Dictionary<UInt64, Set<UInt64>>.Keys { attemptsByVersion.keys }

    /// The publications of `version`, the latest manifest first.
    func publications(of version: UInt64) -> [(id: VersionAttempt, manifest: VersionManifest)] {
        (attemptsByVersion[version] ?? []).compactMap { attempt in
            let id = VersionAttempt(version: version, attempt: attempt)
            return manifests[id].map { (id: id, arrival: $0.arrival, manifest: $0.manifest) }
        }
        .sorted { $0.arrival > $1.arrival }
        .map { (id: $0.id, manifest: $0.manifest) }
    }
}
