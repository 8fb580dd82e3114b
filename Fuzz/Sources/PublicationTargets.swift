import Kafka
import Model
@testable import Streaming

/// The readers of the publication topics: one value of the versions topic (`manifest`),
/// and whole topics fed to a `VersionAssembler` that then rebuilds versions (`assembler`,
/// input layout in `FuzzedTopics`).
enum PublicationTargets {
    static let manifest = FuzzTarget(name: "manifest", run: { bytes in
        var accepted = false
        for format in [nil, PublicationFormat.protobuf, .json] {
            guard let decoded = try? VersionManifest.decode(bytes, format: format) else { continue }
            accepted = true
            FuzzCheck.require(decoded.validationFailure == nil, "decoded manifest fails validation: \(decoded)")
            // decode(encode(m)) == m: what a reader accepted, a publisher can write back.
            let again = Result { try VersionManifest.decode(decoded.encoded(), format: decoded.format) }
            FuzzCheck.require((try? again.get()) == decoded, "\(decoded) re-encoded decodes to \(again)")
        }
        return accepted
    }, seeds: {
        var seeds: [String: [UInt8]] = [:]
        for format in PublicationFormat.allCases {
            let chain = try SeedChain(format: format)
            for (k, m) in chain.manifests.enumerated() { seeds["\(format)-\(k + 1)"] = try m.encoded() }
        }
        return seeds
    })

    static let assembler = FuzzTarget(name: "assembler", run: { bytes in
        var topics = FuzzedTopics(bytes)
        var assembler = VersionAssembler()
        var lastVersion: UInt64?
        while let message = topics.next() {
            switch message {
            case .record(let record):
                assembler.addRecord(record)
            case .manifest(let message, let sealed):
                guard sealed else {
                    try? assembler.addManifest(message: message)
                    continue
                }
                guard var m = try? VersionManifest.decode(message: message) else { continue }
                topics.seal(&m)
                try? assembler.addManifest(m)
                lastVersion = m.version
            }
        }
        _ = assembler.completeVersions()
        if let lastVersion, let assembled = try? assembler.assemble(version: lastVersion) {
            FuzzCheck.require(assembled.manifest.version == lastVersion, "asked for \(lastVersion), got \(assembled.manifest.version)")
            checkAssembled(assembled)
        }
        guard let assembled = try? assembler.assemble() else { return false }
        checkAssembled(assembled)
        return true
    }, seeds: {
        var seeds: [String: [UInt8]] = [:]
        for format in PublicationFormat.allCases {
            let chain = try SeedChain(format: format)
            seeds["\(format)-chain"] = chain.topics(sealed: false)
            seeds["\(format)-chain-sealed"] = chain.topics(sealed: true)
        }
        return seeds
    })

    /// A rebuilt version has the shape its manifest declares.
    static func checkAssembled(_ a: AssembledVersion) {
        let m = a.manifest
        FuzzCheck.require(m.validationFailure == nil, "assembled an invalid manifest \(m)")
        FuzzCheck.require(a.model.dim == m.dim, "model dim \(a.model.dim), manifest dim \(m.dim)")
        for view in a.model.views {
            let declared = m.views.first { $0.name == view.name }?.totalRows
            FuzzCheck.require(
                declared == UInt64(view.nodeNames.count) && view.embeddings.rows == view.nodeNames.count
                    && view.embeddings.dim == m.dim && view.embeddings.values.count == view.embeddings.rows * m.dim,
                "view \(view.name): \(view.nodeNames.count) names, \(view.embeddings.rows)x\(view.embeddings.dim) for \(String(describing: declared)) rows of dim \(m.dim)")
        }
        for alignment in a.model.alignments {
            FuzzCheck.require(
                alignment.matrix.rows == m.dim && alignment.matrix.dim == m.dim && alignment.matrix.values.count == m.dim * m.dim,
                "alignment \(alignment.sourceView)->\(alignment.targetView) is \(alignment.matrix.rows)x\(alignment.matrix.dim)")
        }
    }
}

/// A snapshot (version 1) and a delta on it (version 2) of two small views with an
/// alignment, encoded by the publisher's `VersionRecordEncoder`: the seeds.
struct SeedChain {
    var records: [KafkaProducerRecord] = []
    var manifests: [VersionManifest] = []

    init(format: PublicationFormat) throws {
        let encoder = VersionRecordEncoder(topic: "emb", partitionCount: 2, attempt: 7, format: format)
        let alignment = TrainedAlignment(
            sourceView: "item", targetView: "category", activation: .sigmoid,
            matrix: EmbeddingMatrix(rows: 2, dim: 2, values: [1, 0, 0.5, -1]))
        let snapshot = EmbeddingVersion(
            version: 1, kind: .snapshot, baseSnapshotVersion: 1, dim: 2,
            views: [
                .init(name: "item", totalRows: 3, ids: [0, 1, 2], names: ["i0", "i1", "i2"], values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
                .init(name: "category", totalRows: 2, ids: [0, 1], names: ["c0", "c1"], values: [1, 2, 3, 4]),
            ],
            alignments: [alignment], taskLogVariances: ["intra:item": 0.5, "align:item->category": -0.25],
            eventTimeWatermarkMs: 1_700_000_000_000, inputOffsets: [TopicPartition("events", 0): 42], pipelineHash: "seed")
        let delta = EmbeddingVersion(
            version: 2, kind: .delta, baseSnapshotVersion: 1, dim: 2,
            views: [
                .init(name: "item", totalRows: 4, ids: [1, 3], names: ["i1", "i3"], values: [-0.2, 0.25, 0.7, 0.8]),
                .init(name: "category", totalRows: 2),
            ],
            alignments: [alignment], taskLogVariances: ["intra:item": 0.75, "align:item->category": -0.5],
            eventTimeWatermarkMs: 1_700_000_060_000, pipelineHash: "seed")
        for version in [snapshot, delta] {
            manifests.append(try encoder.encode(version) { records.append($0) })
        }
    }

    /// Records and manifests in the order a reader sees them, as a `FuzzedTopics` input.
    func topics(sealed: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for r in records {
            FuzzedTopics.append(
                record: r.partition ?? 0, version: r.headers.first { $0.key == PublicationHeaders.version }?.value ?? [],
                attempt: r.headers.first { $0.key == PublicationHeaders.attempt }?.value ?? [],
                key: r.key ?? [], value: r.value ?? [], format: manifests[0].format, to: &out)
        }
        for m in manifests { FuzzedTopics.append(manifest: (try? m.encoded()) ?? [], format: m.format, sealed: sealed, to: &out) }
        return out
    }
}
