/// The numbers of a manifest a reader may trust: every one is checked before it is used in
/// arithmetic, as a range, as a size or as the number of the next version
/// (docs/formats.md, "Manifest validation"). A manifest of the versions topic can be forged
/// or corrupt; one that fails is skipped, never trusted and never a trap.
extension VersionManifest {
    /// The largest embedding dimension a manifest may declare.
    public static let maxDim = 65_536
    /// The largest row count of a view: ids are `UInt32`, so `0..<2^32`.
    public static let maxRows = UInt64(UInt32.max) + 1
    /// The largest version number: its successor must still be a `UInt64`.
    public static let maxVersion = UInt64.max - 1

    /// Throws `PublicationError.corruptRecord` naming the first number that cannot be right.
    public func validate() throws {
        if let reason = validationFailure {
            throw PublicationError.corruptRecord(location: "manifest of version \(version)", reason: reason)
        }
    }

    /// Why this manifest cannot come from a publisher; nil when it can.
    public var validationFailure: String? {
        if let reason = numberingFailure ?? viewsFailure ?? countsFailure { return reason }
        if let (task, s) = taskLogVariances.first(where: { !$0.value.isFinite }) {
            return "task \(task): log-variance \(s) is not a finite number"
        }
        return nil
    }

    private var numberingFailure: String? {
        guard (1...Self.maxVersion).contains(version) else {
            return "version \(version) outside 1...\(Self.maxVersion)"
        }
        switch kind {
        case .snapshot where baseSnapshotVersion != version:
            return "a snapshot's base must be its own version, got base \(baseSnapshotVersion)"
        case .delta where baseSnapshotVersion >= version || baseSnapshotVersion == 0:
            return "a delta's base must be an earlier version, got base \(baseSnapshotVersion)"
        default: break
        }
        guard (1...Self.maxDim).contains(dim) else { return "dim \(dim) outside 1...\(Self.maxDim)" }
        guard partitionCount >= 1, partitionCount <= Int(Int32.max) else {
            return "partition count \(partitionCount) outside 1...\(Int32.max)"
        }
        return nil
    }

    private var viewsFailure: String? {
        var names = Set<String>()
        for v in views {
            guard !v.name.isEmpty, !v.name.utf8.contains(0) else { return "a view name is empty or contains NUL" }
            guard names.insert(v.name).inserted else { return "view '\(v.name)' listed twice" }
            guard v.totalRows <= Self.maxRows else { return "view '\(v.name)': \(v.totalRows) rows, more than \(Self.maxRows)" }
            guard v.records <= v.totalRows else { return "view '\(v.name)': \(v.records) records for \(v.totalRows) rows" }
            if kind == .snapshot && v.records != v.totalRows {
                return "view '\(v.name)': a snapshot carries all \(v.totalRows) rows, the manifest counts \(v.records) records"
            }
        }
        return nil
    }

    private var countsFailure: String? {
        var declared = alignmentRecords
        for v in views {
            let (sum, overflow) = declared.addingReportingOverflow(v.records)
            guard !overflow else { return "view and alignment record counts overflow" }
            declared = sum
        }
        guard declared == recordCount else {
            return "record count \(recordCount) is not the views' records plus \(alignmentRecords) alignment records (\(declared))"
        }
        var inPartitions: UInt64 = 0
        for (p, n) in recordsPerPartition {
            guard p >= 0, Int(p) < partitionCount else { return "partition \(p) outside the partition count \(partitionCount)" }
            let (sum, overflow) = inPartitions.addingReportingOverflow(n)
            guard !overflow else { return "partition counts overflow" }
            inPartitions = sum
        }
        guard inPartitions == recordCount else {
            return "partition counts add up to \(inPartitions), the record count is \(recordCount)"
        }
        if kind == .snapshot && recordCount == 0 { return "a snapshot with no record" }
        return nil
    }
}
