import Foundation

/// Generates events with planted structure, deterministically from a seed, one at a time
/// (10M events never sit in memory).
///
/// Structure: every item belongs to one category and one shop (each shop sells one
/// category); each user prefers a few categories; a session mostly stays within one
/// category (a preferred one with probability `preferenceStrength`); items are drawn with
/// power-law (Zipf) popularity; a user's sessions are separated by more than
/// `sessionGapSeconds`. About `concurrentSessions` sessions of different users run at once,
/// interleaved, and events come out in non-decreasing time order (a stream can replay
/// them as they are). Names: users `u<k>`, items `i<k>`, categories `c<k>`, shops `s<k>`.
/// Attribute keys are `category` and `shop`; timestamps are whole seconds.
public struct SyntheticEventGenerator: Sequence, Sendable {
    public struct Parameters: Sendable, Equatable {
        public var users = 1_000
        public var items = 5_000
        public var categories = 50
        public var shops = 200
        /// Total events produced.
        public var events = 100_000
        public var preferredCategoriesPerUser = 3
        /// Probability a session's category is one of the user's preferred categories.
        public var preferenceStrength = 0.9
        /// Probability an event's item comes from the session's category (else any item).
        public var categoryStickiness = 0.85
        public var minSessionLength = 2
        public var maxSessionLength = 12
        /// Zipf exponent of item popularity.
        public var zipfExponent = 1.1
        public var sessionGapSeconds: Int64 = 1_800
        /// Sessions running at the same time (capped at `users`).
        public var concurrentSessions = 100
        public var startTimeSeconds: Int64 = 1_600_000_000
        public var seed: UInt64 = 1

        public init() {}
    }

    public let parameters: Parameters
    /// Category of each item (index = item number).
    public let itemCategory: [Int]
    /// Shop of each item.
    public let itemShop: [Int]
    let categoryItems: [[Int]]
    let categoryCumulative: [[Double]]
    let globalItems: [Int]
    let globalCumulative: [Double]
    let userPreferences: [[Int]]

    public init(parameters: Parameters) {
        var p = parameters
        p.users = Swift.max(p.users, 1)
        p.categories = Swift.max(p.categories, 1)
        p.items = Swift.max(p.items, p.categories)
        p.shops = Swift.max(p.shops, 1)
        p.minSessionLength = Swift.max(p.minSessionLength, 1)
        p.maxSessionLength = Swift.max(p.maxSessionLength, p.minSessionLength)
        p.sessionGapSeconds = Swift.max(p.sessionGapSeconds, 10)
        p.concurrentSessions = Swift.min(Swift.max(p.concurrentSessions, 1), p.users)
        p.preferredCategoriesPerUser = Swift.min(Swift.max(p.preferredCategoriesPerUser, 1), p.categories)
        self.parameters = p
        var rng = Xoshiro256StarStar(seed: SplitMix64.mix(p.seed ^ 0x5EED))
        // Every category gets at least one item, the rest are uniform.
        var category = (0..<p.items).map { $0 < p.categories ? $0 : rng.nextInt(below: p.categories) }
        rng.shuffle(&category)
        itemCategory = category
        itemShop = category.map { c in
            // Shops s with s % categories == c sell category c.
            let count = (p.shops - c + p.categories - 1) / p.categories
            return count > 0 ? c + p.categories * rng.nextInt(below: count) : rng.nextInt(below: p.shops)
        }
        var members = Array(repeating: [Int](), count: p.categories)
        for (item, c) in category.enumerated() { members[c].append(item) }
        for c in 0..<p.categories { rng.shuffle(&members[c]) }  // popularity rank order
        categoryItems = members
        categoryCumulative = members.map { Self.zipfCumulative(count: $0.count, exponent: p.zipfExponent) }
        var global = Array(0..<p.items)
        rng.shuffle(&global)
        globalItems = global
        globalCumulative = Self.zipfCumulative(count: p.items, exponent: p.zipfExponent)
        userPreferences = (0..<p.users).map { _ in
            var all = Array(0..<p.categories)
            rng.shuffle(&all)
            return Array(all.prefix(p.preferredCategoriesPerUser))
        }
    }

    static func zipfCumulative(count: Int, exponent: Double) -> [Double] {
        var total = 0.0
        return (0..<count).map { rank in
            total += 1 / pow(Double(rank + 1), exponent)
            return total
        }
    }

    static func sample(_ cumulative: [Double], _ rng: inout Xoshiro256StarStar) -> Int {
        let u = rng.nextUnit() * (cumulative.last ?? 0)
        var lo = 0
        var hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    public func makeIterator() -> Iterator { Iterator(generator: self) }
}
