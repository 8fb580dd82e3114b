import Foundation
import EventSource
import Store

/// Reads an ingest state directory without a pipeline file and without changing it: views,
/// graph sizes, walk rings, offsets, counters and item attributes (`m2grl status`,
/// `m2grl similar`). Works on a store opened read-only while `serve` holds the directory.
public struct StateInspector: Sendable {
    public let store: Store
    let schema: IngestSchema

    public init(store: Store) throws {
        self.store = store
        do { schema = try IngestSchema(store: store) } catch StoreError.unknownColumnFamily(let name) {
            throw StateInspectionError.notAnIngestState(path: store.path, missingFamily: name)
        }
    }

    /// Opens `path` read-only (never locks, never writes; see `Store(readOnlyPath:)`).
    public static func openReadOnly(path: String) throws -> StateInspector {
        var options = StoreOptions()
        options.blockCacheSize = 8 << 20
        let store: Store
        do { store = try Store(readOnlyPath: path, options: options) } catch StoreError.directoryMissing {
            throw StateInspectionError.noState(path: path)
        }
        return try StateInspector(store: store)
    }

    /// The view names the state was built with, item view first (from `meta` `view:<i>:<name>`).
    public func viewNames() throws -> [String] { try schema.viewNames() }

    /// A point-in-time summary, read from one read view.
    public func status() throws -> StateStatus {
        let names = try viewNames()
        return try store.withReadView { readView in
            var views = names.map { StateStatus.View(name: $0) }
            func view(_ v: UInt16) -> Int? { Int(v) < views.count ? Int(v) : nil }
            try schema.vocab.scan(readView: readView) { key, _ in
                if let v = view(key.components.0) { views[v].nodes += 1 }
                return .continue
            }
            try schema.edges.scan(readView: readView) { key, _ in
                if let v = view(key.components.0) { views[v].edges += 1 }
                return .continue
            }
            try schema.attrs.scan(readView: readView) { key, _ in
                if let v = view(key.components.0) { views[v].itemsWithAttribute += 1 }
                return .continue
            }
            try schema.walks.family.scanRaw(schema.walks.storedRange, readView: readView) { key, value in
                let (v, _) = try schema.walks.decodeStoredKey(key).components
                // A block whose size disagrees with its header is not counted.
                if let v = view(v), let walks = try? WalkBlockCodec.walkCount(value) {
                    views[v].walksInRing += walks
                    views[v].walkBlocks += 1
                }
                return .continue
            }
            var clocks: [SourcePartition: Int64] = [:]
            try schema.eventClock.scan(readView: readView) { key, t in
                clocks[SourcePartition(key.components.0, key.components.1)] = Int64(bitPattern: t)
                return .continue
            }
            var partitions: [StateStatus.Partition] = []
            try schema.offsets.scan(readView: readView) { key, next in
                let tp = SourcePartition(key.components.0, key.components.1)
                partitions.append(StateStatus.Partition(topic: tp.source, partition: tp.partition, nextOffset: Int64(bitPattern: next),
                                                         eventTimeMs: clocks[tp]))
                return .continue
            }
            var users = 0
            try schema.sessions.family.scanRaw(schema.sessions.storedRange, readView: readView) { _, _ in
                users += 1
                return .continue
            }
            var counters: [String: UInt64] = [:]
            try schema.meta.scan(readView: readView) { key, value in
                if !key.hasPrefix("view:") && !key.hasPrefix("walks.next.") && key != "format.version" { counters[key] = value }
                return .continue
            }
            return StateStatus(views: views, partitions: partitions, usersWithOpenState: users, counters: counters)
        }
    }

    /// Attribute values of the named items: for each item name found in the item view, its
    /// `(view, attribute node name)` pairs in view order, a multi-valued item's values in
    /// their order. Items unknown to the state are absent.
    public func attributes(ofItems items: [String]) throws -> [String: [(view: String, value: String)]] {
        let names = try viewNames()
        guard names.count > 1, !items.isEmpty else { return [:] }
        let wanted = Set(items)
        var ids: [String: UInt32] = [:]
        try schema.vocab.scan(prefix: UInt16(0)) { key, name in
            if wanted.contains(name) { ids[name] = key.components.1 }
            return ids.count < wanted.count ? .continue : .stop
        }
        var out: [String: [(view: String, value: String)]] = [:]
        for (item, id) in ids.sorted(by: { $0.value < $1.value }) {
            var values: [(view: String, value: String)] = []
            for v in 1..<names.count {
                guard let attribute = try schema.attrs.get(CompositeKey(UInt16(v), id)) else { continue }
                var attributes = [attribute]
                try schema.furtherAttrs.scan(prefix: CompositeKey(UInt16(v), id)) { _, further in
                    attributes.append(further)
                    return .continue
                }
                for attribute in attributes {
                    if let value = try schema.vocab.get(CompositeKey(UInt16(v), UInt32(truncatingIfNeeded: attribute))) {
                        values.append((names[v], value))
                    }
                }
            }
            out[item] = values
        }
        return out
    }

    /// Closes the store.
    public func close() { store.close() }
}

/// Why a state directory could not be inspected.
public enum StateInspectionError: Error, CustomStringConvertible, Equatable {
    case noState(path: String)
    case notAnIngestState(path: String, missingFamily: String)

    public var description: String {
        switch self {
        case .noState(let path):
            return "\(path) holds no ingest state (no RocksDB database): check --state, or run `m2grl serve --state \(path)` first"
        case let .notAnIngestState(path, family):
            return "\(path) is a RocksDB database but not an m2grl ingest state (no '\(family)' column family)"
        }
    }
}
