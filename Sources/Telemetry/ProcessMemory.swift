import Foundation

/// The process's resident set size, from `/proc/self/statm` (Linux); nil where that file
/// does not exist or does not read as expected.
public enum ProcessMemory {
    public static func residentBytes(statm path: String = "/proc/self/statm") -> UInt64? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = UInt64(fields[1]) else { return nil }
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pageSize > 0 else { return nil }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: UInt64(pageSize))
        return overflow ? nil : bytes
    }
}
