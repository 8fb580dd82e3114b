import Foundation
import Model
import SwiftProtobuf

/// A complete version rebuilt from the topic: its manifest and the model it describes.
public struct AssembledVersion: Sendable, Equatable {
    public var manifest: VersionManifest
    public var model: TrainedModel
}

extension VersionAssembler {
    /// Rebuilds complete version `version` (default: the newest complete one): per key the
    /// newest record of the version's attempt with base snapshot <= record version <=
    /// `version`. Every view must then have exactly the rows `0..<totalRows` of the
    /// manifest (rows of higher ids, left from older versions, are ignored).
    public func assemble(version requested: UInt64? = nil) throws -> AssembledVersion {
        let newest = newestCompleteVersion
        let manifest: VersionManifest
        if let requested {
            switch status(of: requested) {
            case .complete(let m): manifest = m
            case .notFound: throw PublicationError.versionNotFound(version: requested, newestComplete: newest?.version)
            case .incomplete(let reason):
                throw PublicationError.versionIncomplete(version: requested, reason: reason, newestComplete: newest?.version)
            }
        } else {
            guard let newest else { throw PublicationError.noCompleteVersion(manifests: manifestCount) }
            manifest = newest
        }
        let range = manifest.baseSnapshotVersion...manifest.version
        var chosen: [RecordKey: Int] = [:]
        for (i, e) in entries.enumerated() where e.attempt == manifest.attempt && range.contains(e.version) {
            if let j = chosen[e.key], (entries[j].version, entries[j].offset) > (e.version, e.offset) { continue }
            chosen[e.key] = i
        }
        return AssembledVersion(manifest: manifest, model: try buildModel(manifest, records: chosen.values.sorted()))
    }

    private func buildModel(_ m: VersionManifest, records: [Int]) throws -> TrainedModel {
        let dim = m.dim
        guard dim > 0 else { throw PublicationError.corruptRecord(location: "manifest of version \(m.version)", reason: "dim \(dim)") }
        var tables: [String: (names: [String?], values: [Float])] = [:]
        for v in m.views {
            guard v.totalRows <= UInt64(UInt32.max) + 1 else {
                throw PublicationError.corruptRecord(location: "manifest of version \(m.version)", reason: "view \(v.name): \(v.totalRows) rows")
            }
            let rows = Int(v.totalRows)
            tables[v.name] = ([String?](repeating: nil, count: rows), [Float](repeating: 0, count: rows * dim))
        }
        var alignments: [TrainedAlignment] = []
        for i in records {
            let e = entries[i]
            let location = "partition \(e.partition) offset \(e.offset)"
            let record = try decode(e, location: location)
            switch record.payload {
            case .node(let node):
                guard var table = tables[node.view] else { continue }
                let id = Int(node.id)
                guard id < table.names.count else { continue }
                guard node.values.count == dim else {
                    throw PublicationError.corruptRecord(location: location, reason: "\(node.values.count) values, dim is \(dim)")
                }
                tables[node.view] = nil
                table.names[id] = node.name
                table.values.replaceSubrange((id * dim)..<((id + 1) * dim), with: node.values)
                tables[node.view] = table
            case .alignment(let a):
                guard let activation = AlignmentActivation(rawValue: a.activation),
                      Int(a.rows) * Int(a.cols) == a.values.count
                else {
                    throw PublicationError.corruptRecord(location: location, reason: "bad alignment \(a.sourceView)->\(a.targetView)")
                }
                alignments.append(TrainedAlignment(
                    sourceView: a.sourceView, targetView: a.targetView, activation: activation,
                    matrix: EmbeddingMatrix(rows: Int(a.rows), dim: Int(a.cols), values: a.values)))
            case nil:
                throw PublicationError.corruptRecord(location: location, reason: "record without payload")
            }
        }
        var views: [TrainedView] = []
        for v in m.views {
            guard let table = tables[v.name] else { continue }
            var names: [String] = []
            names.reserveCapacity(table.names.count)
            var missing = 0, firstMissing = -1
            for (id, name) in table.names.enumerated() {
                if let name { names.append(name) } else {
                    if firstMissing < 0 { firstMissing = id }
                    missing += 1
                }
            }
            if missing > 0 {
                throw PublicationError.missingRows(version: m.version, view: v.name, missing: missing, firstMissingID: firstMissing)
            }
            views.append(TrainedView(name: v.name, nodeNames: names,
                                     embeddings: EmbeddingMatrix(rows: names.count, dim: dim, values: table.values)))
        }
        alignments.sort { ($0.sourceView, $0.targetView) < ($1.sourceView, $1.targetView) }
        return TrainedModel(dim: dim, views: views, alignments: alignments, tasks: Self.taskReport(m.taskLogVariances))
    }

    private func decode(_ e: Entry, location: String) throws -> ProtoEmbeddingRecord {
        let record: ProtoEmbeddingRecord
        do {
            record = (e.format ?? PublicationFormat.sniff(e.value)) == .json
                ? try ProtoEmbeddingRecord(jsonUTF8Bytes: e.value)
                : try ProtoEmbeddingRecord(serializedBytes: e.value)
        } catch {
            throw PublicationError.corruptRecord(location: location, reason: "undecodable value: \(error)")
        }
        guard record.version == e.version, record.attempt == e.attempt else {
            throw PublicationError.corruptRecord(location: location, reason: "value and headers name different versions")
        }
        return record
    }

    /// Task summaries from the log-variances: weight `exp(-s)/2` (not normalised), no losses.
    static func taskReport(_ logVariances: [String: Double]) -> TaskReport {
        var tasks: [TaskSummary] = []
        for name in logVariances.keys.sorted() {
            let s: Double = logVariances[name] ?? 0
            let kind: TaskKind = name.hasPrefix("align:") ? .align : .intra
            let weight: Double = Foundation.exp(-s) / 2
            tasks.append(TaskSummary(name: name, kind: kind, logVariance: s, weight: weight,
                                     meanLoss: 0, recentLoss: 0, examples: 0))
        }
        return TaskReport(tasks: tasks)
    }
}
