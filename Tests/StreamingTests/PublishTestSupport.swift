import Foundation
import Kafka
import Model
import Streaming

/// Embedding tables that a fake trainer changes step by step, and the versions it would
/// publish. The expected state of any version is these tables, computed independently of
/// the publication code.
struct PublishFixture {
    static let dim = 4
    var order = ["item", "category"]
    var rows: [String: [[Float]]] = [:]
    var alignment: [Float] = []
    var logVariances: [String: Double] = ["intra:item": 0.5, "intra:category": 0.25, "align:item->category": 1.0]
    private var state: UInt64

    init(seed: UInt64, items: Int = 40, categories: Int = 6) {
        state = seed | 1
        rows["item"] = (0..<items).map { _ in randomRow() }
        rows["category"] = (0..<categories).map { _ in randomRow() }
        alignment = (0..<(Self.dim * Self.dim)).map { _ in nextFloat() }
    }

    private mutating func nextRaw() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }

    private mutating func nextFloat() -> Float { Float(nextRaw() % 20001) / 10000 - 1 }
    private mutating func randomRow() -> [Float] { (0..<Self.dim).map { _ in nextFloat() } }

    static func name(_ view: String, _ id: Int) -> String { "\(view)-\(id)" }

    /// Changes `changed` random existing rows and appends `added` rows per view; returns the
    /// ids touched per view (what a delta must carry).
    mutating func step(changed: Int, added: Int) -> [String: Set<Int>] {
        var touched: [String: Set<Int>] = [:]
        for view in order {
            var table = rows[view] ?? []
            var ids = Set<Int>()
            for _ in 0..<changed {
                let id = Int(nextRaw() % UInt64(table.count))
                table[id] = randomRow()
                ids.insert(id)
            }
            for _ in 0..<added {
                ids.insert(table.count)
                table.append(randomRow())
            }
            rows[view] = table
            touched[view] = ids
        }
        alignment = (0..<(Self.dim * Self.dim)).map { _ in nextFloat() }
        logVariances["intra:item", default: 0] += 0.125
        return touched
    }

    private func viewRows(_ view: String, ids: [Int]) -> EmbeddingVersion.ViewRows {
        let table = rows[view] ?? []
        return EmbeddingVersion.ViewRows(
            name: view, totalRows: table.count, ids: ids.map { UInt32($0) }, names: ids.map { Self.name(view, $0) },
            values: ids.flatMap { table[$0] })
    }

    private var alignments: [TrainedAlignment] {
        [TrainedAlignment(sourceView: "item", targetView: "category", activation: .sigmoid,
                          matrix: EmbeddingMatrix(rows: Self.dim, dim: Self.dim, values: alignment))]
    }

    func snapshot(_ version: UInt64) -> EmbeddingVersion {
        EmbeddingVersion(
            version: version, kind: .snapshot, baseSnapshotVersion: version, dim: Self.dim,
            views: order.map { viewRows($0, ids: Array(0..<(rows[$0]?.count ?? 0))) }, alignments: alignments,
            taskLogVariances: logVariances, eventTimeWatermarkMs: Int64(version) * 1000,
            inputOffsets: [TopicPartition("events", 0): Int64(version) * 10], pipelineHash: "fixture")
    }

    func delta(_ version: UInt64, base: UInt64, touched: [String: Set<Int>]) -> EmbeddingVersion {
        EmbeddingVersion(
            version: version, kind: .delta, baseSnapshotVersion: base, dim: Self.dim,
            views: order.map { viewRows($0, ids: (touched[$0] ?? []).sorted()) }, alignments: alignments,
            taskLogVariances: logVariances, eventTimeWatermarkMs: Int64(version) * 1000, pipelineHash: "fixture")
    }

    /// Checks that `model` holds exactly these tables (and the alignment, unless the
    /// versions were published without it).
    func matches(_ model: TrainedModel, alignments: Bool = true) -> Bool {
        guard model.dim == Self.dim, model.views.map(\.name) == order else { return false }
        for view in model.views {
            let table = rows[view.name] ?? []
            guard view.nodeNames == table.indices.map({ Self.name(view.name, $0) }),
                  view.embeddings.rows == table.count, view.embeddings.values == table.flatMap({ $0 })
            else { return false }
        }
        if alignments {
            guard model.alignments.count == 1, model.alignments[0].matrix.values == alignment else { return false }
        } else if !model.alignments.isEmpty {
            return false
        }
        let tasks = Dictionary(uniqueKeysWithValues: model.tasks.tasks.map { ($0.name, $0.logVariance) })
        return tasks == logVariances
    }
}

/// A topic kept in memory: records get offsets per partition like a broker would give.
struct InMemoryTopic {
    var messages: [KafkaMessage] = []
    private var nextOffset: [Int32: Int64] = [:]

    mutating func append(_ r: KafkaProducerRecord) {
        let p = r.partition ?? 0
        let offset = nextOffset[p, default: 0]
        nextOffset[p] = offset + 1
        messages.append(KafkaMessage(topic: r.topic, partition: p, offset: offset, key: r.key, value: r.value, headers: r.headers))
    }

    /// What log compaction leaves: the newest record of every key, in log order.
    var compacted: [KafkaMessage] {
        var newest: [[UInt8]: Int] = [:]
        for (i, m) in messages.enumerated() { newest[m.key ?? []] = i }
        return newest.values.sorted().map { messages[$0] }
    }
}

/// Encodes versions into in-memory topics the way `EmbeddingPublisher` would publish them.
struct InMemoryPublication {
    var records = InMemoryTopic()
    var manifests: [VersionManifest] = []
    var partitions = 3
    var format: PublicationFormat = .protobuf

    /// All records and the manifest (`keepRecords` < count: a publisher killed mid-version,
    /// no manifest unless `writeManifest`).
    @discardableResult
    mutating func publish(_ v: EmbeddingVersion, attempt: UInt64, keepRecords: Int? = nil,
                          writeManifest: Bool? = nil) throws -> VersionManifest {
        let encoder = VersionRecordEncoder(topic: "emb", partitionCount: partitions, attempt: attempt, format: format)
        var emitted: [KafkaProducerRecord] = []
        let manifest = try encoder.encode(v) { emitted.append($0) }
        for r in emitted.prefix(keepRecords ?? emitted.count) { records.append(r) }
        if writeManifest ?? (keepRecords == nil) { manifests.append(manifest) }
        return manifest
    }

    func assembler(compacted: Bool = false) throws -> VersionAssembler {
        var a = VersionAssembler()
        for m in manifests { try a.addManifest(m) }
        for r in compacted ? records.compacted : records.messages { a.addRecord(r) }
        return a
    }
}

/// A manifest in protobuf's JSON mapping as a dictionary that a test alters field by field:
/// what a forged or corrupt record of the versions topic can hold (64-bit integers are
/// JSON strings there).
struct ManifestJSON {
    var fields: [String: Any]

    init(_ manifest: VersionManifest) throws {
        var json = manifest
        json.format = .json
        struct NotAnObject: Error {}
        guard let object = try JSONSerialization.jsonObject(with: Data(json.encoded())) as? [String: Any] else { throw NotAnObject() }
        fields = object
    }

    var bytes: [UInt8] { (try? JSONSerialization.data(withJSONObject: fields)).map { Array($0) } ?? [] }

    /// `manifest` listing partition 0 twice, with counts 2^64-1 and 1: the record whose
    /// `+=` overflow killed every reader (issue 17).
    static func overflowingCounts(_ manifest: VersionManifest) throws -> ManifestJSON {
        var json = try ManifestJSON(manifest)
        json.fields["partitions"] = [["partition": 0, "records": String(UInt64.max)], ["partition": 0, "records": "1"]]
        return json
    }

    /// The manifest as record `offset` of the versions topic.
    func message(offset: Int64, topic: String = "emb.versions") -> KafkaMessage {
        KafkaMessage(topic: topic, partition: 0, offset: offset, key: Array("forged".utf8), value: bytes)
    }
}
