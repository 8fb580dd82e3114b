import Foundation
import Model
import SwiftProtobuf

extension VersionAssembler {
    /// One version rebuilt from its records, and the records that were not trusted.
    struct Rebuilt {
        var model: TrainedModel
        var skippedRecordCount = 0
        var skippedRecordExamples: [String] = []
    }

    /// Rebuilds the version of complete manifest `m`: per key the newest (version, offset)
    /// record of `m`'s attempt with base snapshot <= version <= `m.version` that decodes and
    /// agrees with its headers, its key and `m.dim`. An untrusted record of an older version
    /// of the chain is skipped (the key's next older record is used: no genuine record is
    /// untrusted, so skipping it restores what the publisher wrote); an untrusted record of
    /// `m.version` itself, which the checksum covers, makes the version unusable. Every view
    /// must then have exactly the rows `0..<totalRows` (higher ids, left from older versions,
    /// are ignored). Tables are allocated only when the records held for the chain carry at
    /// least one byte per float (docs/formats.md).
    func rebuild(_ m: VersionManifest) throws -> Rebuilt {
        let dim = m.dim
        let rowsOf = Dictionary(m.views.map { ($0.name, $0.totalRows) }, uniquingKeysWith: { first, _ in first })
        var candidates: [Int] = []
        var heldBytes = 0
        for (i, e) in entries.enumerated()
        where e.attempt == m.attempt && e.version >= m.baseSnapshotVersion && e.version <= m.version {
            if case .node(let view, let id) = e.key, UInt64(id) >= rowsOf[view] ?? 0 { continue }
            candidates.append(i)
            heldBytes += e.value.count
        }
        candidates.sort { (entries[$0].version, entries[$0].offset) > (entries[$1].version, entries[$1].offset) }
        var tables = try allocateTables(m, heldBytes: heldBytes)

        var skipped = 0, examples: [String] = []
        var done = Set<RecordKey>()
        var alignments: [TrainedAlignment] = []
        for i in candidates where !done.contains(entries[i].key) {
            let e = entries[i]
            switch check(e, dim: dim) {
            case .untrusted(let reason):
                let location = "partition \(e.partition) offset \(e.offset)"
                if e.version == m.version {
                    throw PublicationError.corruptRecord(location: location, reason: "record of version \(e.version): \(reason)")
                }
                skipped += 1
                if examples.count < 10 { examples.append("\(location) (version \(e.version)): \(reason)") }
                continue
            case .node(let node):
                guard var table = tables[node.view] else { continue }
                tables[node.view] = nil
                let id = Int(node.id)
                table.names[id] = node.name
                table.values.replaceSubrange((id * dim)..<((id + 1) * dim), with: node.values)
                tables[node.view] = table
            case .alignment(let a):
                alignments.append(a)
            }
            done.insert(e.key)
        }
        var views: [TrainedView] = []
        for v in m.views {
            guard let table = tables[v.name] else { continue }
            let names = table.names.compactMap { $0 }
            if names.count < table.names.count {
                let first = table.names.firstIndex { $0 == nil } ?? 0
                throw PublicationError.missingRows(version: m.version, view: v.name, missing: table.names.count - names.count,
                                                   firstMissingID: first)
            }
            views.append(TrainedView(name: v.name, nodeNames: names,
                                     embeddings: EmbeddingMatrix(rows: names.count, dim: dim, values: table.values)))
        }
        alignments.sort { ($0.sourceView, $0.targetView) < ($1.sourceView, $1.targetView) }
        let model = TrainedModel(dim: dim, views: views, alignments: alignments, tasks: Self.taskReport(m.taskLogVariances))
        return Rebuilt(model: model, skippedRecordCount: skipped, skippedRecordExamples: examples)
    }

    /// Empty tables of every view of `m`, once their `totalRows x dim` floats are shown to be
    /// no more than `heldBytes` (a genuine row record carries at least a byte per float).
    private func allocateTables(_ m: VersionManifest, heldBytes: Int) throws -> [String: (names: [String?], values: [Float])] {
        var floats = 0
        for v in m.views {
            guard v.totalRows <= VersionManifest.maxRows else {
                throw PublicationError.corruptRecord(location: "manifest of version \(m.version)", reason: "view \(v.name): \(v.totalRows) rows")
            }
            let (size, overflow) = Int(v.totalRows).multipliedReportingOverflow(by: m.dim)
            let (sum, overflowSum) = floats.addingReportingOverflow(size)
            guard !overflow, !overflowSum, sum <= heldBytes else {
                throw PublicationError.corruptRecord(
                    location: "manifest of version \(m.version)",
                    reason: "its views need \(overflow || overflowSum ? "more than \(Int.max)" : "\(sum)") floats (rows x dim), more than the \(heldBytes) bytes of the records it can be rebuilt from")
            }
            floats = sum
        }
        var tables: [String: (names: [String?], values: [Float])] = [:]
        for v in m.views {
            let rows = Int(v.totalRows)
            tables[v.name] = ([String?](repeating: nil, count: rows), [Float](repeating: 0, count: rows * m.dim))
        }
        return tables
    }

    /// A record's content once decoded and checked, or why it cannot be trusted.
    private enum CheckedRecord {
        case node(ProtoNodeEmbedding)
        case alignment(TrainedAlignment)
        case untrusted(String)
    }

    /// Decodes `e` and checks it against its headers, its key and `dim`.
    private func check(_ e: Entry, dim: Int) -> CheckedRecord {
        let record: ProtoEmbeddingRecord
        do {
            record = (e.format ?? PublicationFormat.sniff(e.value)) == .json
                ? try ProtoEmbeddingRecord(jsonUTF8Bytes: e.value)
                : try ProtoEmbeddingRecord(serializedBytes: e.value)
        } catch {
            return .untrusted("undecodable value: \(error)")
        }
        guard record.version == e.version, record.attempt == e.attempt else {
            return .untrusted("value and headers name different versions")
        }
        switch record.payload {
        case .node(let node):
            guard e.key == .node(view: node.view, id: node.id) else { return .untrusted("key and value name different rows") }
            guard node.values.count == dim else { return .untrusted("\(node.values.count) values, dim is \(dim)") }
            return .node(node)
        case .alignment(let a):
            guard e.key == .alignment(source: a.sourceView, target: a.targetView) else {
                return .untrusted("key and value name different alignments")
            }
            guard let activation = AlignmentActivation(rawValue: a.activation) else {
                return .untrusted("alignment activation '\(a.activation)' unknown")
            }
            guard Int(a.rows) == dim, Int(a.cols) == dim, a.values.count == dim * dim else {
                return .untrusted("alignment of \(a.rows) x \(a.cols) with \(a.values.count) values, expected \(dim) x \(dim)")
            }
            return .alignment(TrainedAlignment(
                sourceView: a.sourceView, targetView: a.targetView, activation: activation,
                matrix: EmbeddingMatrix(rows: dim, dim: dim, values: a.values)))
        case nil:
            return .untrusted("record without payload")
        }
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
