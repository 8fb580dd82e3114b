import CRocksDB

extension Store {
    /// An integer RocksDB property (`rocksdb.total-sst-files-size`, `rocksdb.is-write-stopped`,
    /// ...; see RocksDB's `DB::Properties`) summed over the live column families; nil when
    /// RocksDB does not know the property as an integer. Properties of the whole database
    /// (such as `rocksdb.actual-delayed-write-rate`) are the same in every family: read those
    /// with `databaseProperty`. Reads in-memory statistics: no disk I/O.
    public func summedProperty(_ name: String) throws -> UInt64? {
        try withState { state in
            var sum: UInt64 = 0
            for entry in state.families.values where !entry.dropped {
                var value: UInt64 = 0
                guard rocksdb_property_int_cf(state.db, entry.handle, name, &value) == 0 else { return nil }
                let (next, overflow) = sum.addingReportingOverflow(value)
                sum = overflow ? .max : next
            }
            return sum
        }
    }

    /// An integer RocksDB property of the whole database (the default column family's view);
    /// nil when RocksDB does not know it as an integer.
    public func databaseProperty(_ name: String) throws -> UInt64? {
        try withState { state in
            var value: UInt64 = 0
            return rocksdb_property_int(state.db, name, &value) == 0 ? value : nil
        }
    }
}
