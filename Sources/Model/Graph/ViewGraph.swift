/// A directed weighted graph over one view's dense node ids; the weight of `i -> j` is the
/// number of times that transition was observed. Out-edges keep their insertion order, so
/// everything built from the graph is deterministic.
public struct ViewGraph: Sendable, Equatable {
    /// Out-neighbours of each node, in order of first observation.
    public private(set) var targets: [[UInt32]] = []
    /// Weights parallel to `targets`.
    public private(set) var weights: [[UInt32]] = []
    public private(set) var edgeCount = 0
    /// Position of edge `from -> to` in `targets[from]`, keyed by `from << 32 | to`.
    private var positions: [UInt64: Int32] = [:]

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
        let key = UInt64(from) << 32 | UInt64(to)
        if let position = positions[key] {
            let (sum, overflow) = weights[Int(from)][Int(position)].addingReportingOverflow(count)
            weights[Int(from)][Int(position)] = overflow ? .max : sum
        } else {
            positions[key] = Int32(targets[Int(from)].count)
            targets[Int(from)].append(to)
            weights[Int(from)].append(count)
            edgeCount += 1
        }
    }

    /// The weight of `from -> to` (0 when there is no such edge).
    public func weight(from: UInt32, to: UInt32) -> UInt32 {
        guard let position = positions[UInt64(from) << 32 | UInt64(to)] else { return 0 }
        return weights[Int(from)][Int(position)]
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
