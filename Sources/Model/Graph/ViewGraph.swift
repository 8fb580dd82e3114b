/// A directed weighted graph over one view's dense node ids; the weight of `i -> j` is the
/// number of times that transition was observed. Out-edges are kept in target id order, so
/// the graph (and everything drawn from it, such as walks) depends only on the observed
/// counts, never on the order they arrived in: a graph rebuilt from stored edges equals the
/// one that stored them.
public struct ViewGraph: Sendable, Equatable {
    /// Out-neighbours of each node, ascending.
    public private(set) var targets: [[UInt32]] = []
    /// Weights parallel to `targets`.
    public private(set) var weights: [[UInt32]] = []
    public private(set) var edgeCount = 0

    public init(nodeCount: Int = 0) {
        ensureNodeCount(nodeCount)
    }

    public var nodeCount: Int { targets.count }

    /// Grows the graph to at least `count` nodes (new nodes have no edges).
    public mutating func ensureNodeCount(_ count: Int) {
        if targets.count < count {
            targets.append(contentsOf: repeatElement([], count: count - targets.count))
            weights.append(contentsOf: repeatElement([], count: count - weights.count))
        }
    }

    /// Adds `count` observations of `from -> to` (saturating at `UInt32.max`). O(log degree)
    /// for a known edge; a new edge also shifts the larger targets up by one.
    public mutating func addTransition(from: UInt32, to: UInt32, count: UInt32 = 1) {
        ensureNodeCount(Int(max(from, to)) + 1)
        let f = Int(from)
        let (position, found) = Self.search(targets[f], for: to)
        if found {
            let (sum, overflow) = weights[f][position].addingReportingOverflow(count)
            weights[f][position] = overflow ? .max : sum
            return
        }
        targets[f].insert(to, at: position)
        weights[f].insert(count, at: position)
        edgeCount += 1
    }

    /// The position of `target` in the ascending `targets`, or where it would be inserted.
    private static func search(_ targets: [UInt32], for target: UInt32) -> (position: Int, found: Bool) {
        targets.withUnsafeBufferPointer { t in
            var lo = 0, hi = t.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if t[mid] < target { lo = mid + 1 } else { hi = mid }
            }
            return (lo, lo < t.count && t[lo] == target)
        }
    }

    private func position(from: UInt32, to: UInt32) -> Int? {
        let f = Int(from)
        guard f < targets.count else { return nil }
        let (position, found) = Self.search(targets[f], for: to)
        return found ? position : nil
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
