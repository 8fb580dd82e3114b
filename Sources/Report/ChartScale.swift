import Foundation

/// How a chart axis maps values to positions.
public enum ChartScaleKind: Sendable, Equatable {
    case linear
    /// Base-10 logarithmic; values `<= 0` are not drawn.
    case log
}

/// One axis: a value domain mapped onto a pixel range, with "nice" tick values.
struct ChartScale {
    let kind: ChartScaleKind
    /// Domain bounds (for `.log`, the base-10 exponents).
    private(set) var lower: Double
    private(set) var upper: Double
    let rangeStart: Double
    let rangeEnd: Double
    /// Tick values in data units, and the spacing used to format them.
    private(set) var ticks: [Double] = []
    private(set) var tickStep: Double = 1

    /// A scale covering `values` (non-finite values ignored; `.log` ignores values `<= 0`),
    /// widened to round tick values. `includeZero` makes a linear axis start at 0;
    /// `integerTicks` keeps linear ticks on whole numbers (e.g. version numbers).
    init(kind: ChartScaleKind, values: [Double], range: (Double, Double), tickCount: Int = 6,
         includeZero: Bool = false, integerTicks: Bool = false) {
        self.kind = kind
        rangeStart = range.0
        rangeEnd = range.1
        switch kind {
        case .linear:
            var finite = values.filter(\.isFinite)
            if includeZero { finite.append(0) }
            var lo = finite.min() ?? 0, hi = finite.max() ?? 1
            if lo == hi {
                if lo == 0 { hi = 1 } else { lo -= abs(lo) * 0.1; hi += abs(hi) * 0.1 }
            }
            let raw = Self.niceStep((hi - lo) / Double(max(1, tickCount - 1)))
            let step = integerTicks ? max(1, raw) : raw
            lower = floor(lo / step + 1e-9) * step
            upper = ceil(hi / step - 1e-9) * step
            tickStep = step
            var t = lower
            while t <= upper + step * 1e-6 { ticks.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        case .log:
            let positive = values.filter { $0.isFinite && $0 > 0 }
            let lo = floor(log10(positive.min() ?? 1)), hi = ceil(log10(positive.max() ?? 10))
            lower = lo
            upper = hi > lo ? hi : lo + 1
            let decades = Int(upper - lower)
            let multipliers: [Double] = decades <= 2 ? [1, 2, 5] : [1]
            let stride = max(1, decades / max(1, tickCount - 1))
            var e = Int(lower)
            while e <= Int(upper) {
                for m in multipliers {
                    let v = m * pow(10, Double(e))
                    if log10(v) <= upper + 1e-9 { ticks.append(v) }
                }
                e += stride
            }
            tickStep = 1
        }
    }

    /// Whether `v` can be placed on this axis.
    func accepts(_ v: Double) -> Bool { v.isFinite && (kind == .linear || v > 0) }

    /// The pixel position of `v` (callers check ``accepts(_:)`` first).
    func position(_ v: Double) -> Double {
        let t = kind == .linear ? v : log10(v)
        let f = upper > lower ? (t - lower) / (upper - lower) : 0.5
        return rangeStart + f * (rangeEnd - rangeStart)
    }

    /// The label of tick `v`.
    func label(_ v: Double) -> String {
        switch kind {
        case .linear: return ChartNumber.tick(v, step: tickStep)
        case .log: return ChartNumber.tick(v, step: max(v / 10, 1e-12))
        }
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 5, 10] where m * magnitude >= raw * (1 - 1e-9) { return m * magnitude }
        return 10 * magnitude
    }
}
