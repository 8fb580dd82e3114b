import Foundation

/// Short number labels for axes, tooltips and tables.
enum ChartNumber {
    /// `v` with as many decimals as `step` (a tick spacing) needs, thousands as `k`/`M`/`G`.
    static func tick(_ v: Double, step: Double) -> String {
        let a = abs(v)
        if a >= 1e9, step >= 1e8 { return trimmed(v / 1e9, decimals: decimals(step / 1e9)) + "G" }
        if a >= 1e6, step >= 1e5 { return trimmed(v / 1e6, decimals: decimals(step / 1e6)) + "M" }
        if a >= 1e3, step >= 100 { return trimmed(v / 1e3, decimals: decimals(step / 1e3)) + "k" }
        return trimmed(v, decimals: decimals(step))
    }

    /// A value with about four significant digits (`12.35`, `0.004521`, `1.2M`).
    static func value(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "–" : (v > 0 ? "∞" : "-∞") }
        let a = abs(v)
        if a >= 1e9 { return trimmed(v / 1e9, decimals: 2) + "G" }
        if a >= 1e6 { return trimmed(v / 1e6, decimals: 2) + "M" }
        if a >= 1e4 { return trimmed(v / 1e3, decimals: 1) + "k" }
        if a == 0 { return "0" }
        let digits = max(0, 3 - Int(floor(log10(a))))
        return trimmed(v, decimals: min(digits, 8))
    }

    /// A share (0...1) as a percentage with one decimal (`12.3%`).
    static func percent(_ share: Double) -> String {
        trimmed(share * 100, decimals: 1) + "%"
    }

    /// An integer count with thousands separators (`1,234,567`).
    static func count<I: BinaryInteger>(_ n: I) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A duration given in milliseconds, in the largest unit that keeps it readable.
    static func duration(ms: Double) -> String {
        let a = abs(ms)
        if a < 1000 { return value(ms) + " ms" }
        if a < 120_000 { return value(ms / 1000) + " s" }
        if a < 7_200_000 { return value(ms / 60_000) + " min" }
        if a < 172_800_000 { return value(ms / 3_600_000) + " h" }
        if a < 63_115_200_000 { return value(ms / 86_400_000) + " days" }
        return value(ms / 31_557_600_000) + " years"
    }

    private static func decimals(_ step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        return max(0, min(8, Int(ceil(-log10(step) - 1e-9))))
    }

    private static func trimmed(_ v: Double, decimals: Int) -> String {
        var s = String(format: "%.\(decimals)f", v)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        if s == "-0" { s = "0" }
        return s
    }
}
