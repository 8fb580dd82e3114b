/// A directed weighted graph over one view's dense node ids; the weight of `i -> j` is the
/// number of times that transition was observed. Out-edges keep their insertion order, so
/// everything built from the graph is deterministic.
public struct ViewGraph: Sendable, Equatable {
    /// Out-neighbours of each node, in order of first observation.
    public private(set) var targets: [[UInt32]] = []
    /// Weights parallel to `targets`.
    public private(set) var weights: [[UInt32]] = []
    public private(set) var edgeCount = 0
    /// Position of edge `from -> to` in `targets[from]`, keyed by `from << 32 | to`, kept
    /// only for nodes with more than `linearSearchLimit` out-edges (others are scanned).
    private var positions: [UInt64: Int32] = [:]
    private static let linearSearchLimit = 16

    public init(nodeCount: Int = 0) {
        ensureNodeCount(nodeCount)
    }

    public var nodeCount: Int { targets.count }

    /// Grows the graph to at least `count` nodes (new nodes have no edges).
    public mutating func ensureNodeCount(_ count: Int) {
        while targets.count < count {
            targets.append([])
            weights.append([])
        }
    }

    /// Adds `count` observations of `from -> to` (saturating at `UInt32.max`).
    public mutating func addTransition(from: UInt32, to: UInt32, count: UInt32 = 1) {
        ensureNodeCount(Int(max(from, to)) + 1)
        let f = Int(from)
        if let position = position(from: from, to: to) {
            let (sum, overflow) = weights[f][position].addingReportingOverflow(count)
            weights[f][position] = overflow ? .max : sum
            return
        }
        targets[f].append(to)
        weights[f].append(count)
        edgeCount += 1
        let degree = targets[f].count
        if degree == Self.linearSearchLimit + 1 {
            for (k, target) in targets[f].enumerated() { positions[UInt64(from) << 32 | UInt64(target)] = Int32(k) }
        } else if degree > Self.linearSearchLimit + 1 {
            positions[UInt64(from) << 32 | UInt64(to)] = Int32(degree - 1)
        }
    }

    private func position(from: UInt32, to: UInt32) -> Int? {
        let f = Int(from)
        guard f < targets.count else { return nil }
        if targets[f].count <= Self.linearSearchLimit { return targets[f].firstIndex(of: to) }
        return positions[UInt64(from) << 32 | UInt64(to)].map { Int($0) }
    }

    /// The weight of `from -> to` (0 when there is no such edge).
    public func weight(from: UInt32, to: UInt32) -> UInt32 {
        guard let position = position(from: from, to: to) else { return 0 }
        return weights[Int(from)][position]
    }

    public func outDegree(_ node: UInt32) -> Int { Int(node) < nodeCount ? targets[Int(node)].count : 0 }

    /// Sum of the out-edge weights of `node`.
    public func outWeight(_ node: UInt32) -> UInt64 {
        Int(node) < nodeCount ? weights[Int(node)].reduce(0) { $0 + UInt64($1) } : 0
    }

    public static func == (lhs: ViewGraph, rhs: ViewGraph) -> Bool {
        lhs.targets == rhs.targets && lhs.weights == rhs.weights
    }
}
