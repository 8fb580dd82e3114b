/// Walker/Vose alias tables for every node's out-edges, stored flat (CSR): sampling the
/// next node is O(1) and follows P(j | i) = w_ij / sum_k w_ik exactly.
struct AliasTables: Sendable {
    /// Out-edges of node `i` are `offsets[i] ..< offsets[i + 1]`.
    let offsets: [Int]
    let targets: [UInt32]
    /// Probability of keeping slot `k` (else take `alias[k]`, a slot of the same node).
    let keep: [Double]
    let alias: [Int32]

    init(graph: ViewGraph) {
        var offsets = [0]
        offsets.reserveCapacity(graph.nodeCount + 1)
        var targets: [UInt32] = []
        var keep: [Double] = []
        var alias: [Int32] = []
        targets.reserveCapacity(graph.edgeCount)
        keep.reserveCapacity(graph.edgeCount)
        alias.reserveCapacity(graph.edgeCount)
        var small: [Int] = []
        var large: [Int] = []
        for node in 0..<graph.nodeCount {
            let weights = graph.weights[node]
            let n = weights.count
            targets.append(contentsOf: graph.targets[node])
            let total = weights.reduce(0.0) { $0 + Double($1) }
            var scaled = weights.map { Double($0) * Double(n) / total }
            var nodeAlias = Array(0..<Int32(n))
            small.removeAll(keepingCapacity: true)
            large.removeAll(keepingCapacity: true)
            for (k, p) in scaled.enumerated() {
                if p < 1 { small.append(k) } else { large.append(k) }
            }
            while !small.isEmpty, let l = large.last {
                let s = small.removeLast()
                nodeAlias[s] = Int32(l)
                scaled[l] -= 1 - scaled[s]
                if scaled[l] < 1 {
                    large.removeLast()
                    small.append(l)
                }
            }
            // Leftovers (rounding) keep themselves with probability 1.
            for k in large { scaled[k] = 1 }
            for k in small { scaled[k] = 1 }
            keep.append(contentsOf: scaled)
            alias.append(contentsOf: nodeAlias)
            offsets.append(targets.count)
        }
        self.offsets = offsets
        self.targets = targets
        self.keep = keep
        self.alias = alias
    }

    @inline(__always)
    func degree(_ node: Int) -> Int { offsets[node + 1] - offsets[node] }

    /// Samples a successor of `node`, or nil when it has no out-edges.
    @inline(__always)
    func next(from node: Int, rng: inout Xoshiro256StarStar) -> UInt32? {
        let start = offsets[node]
        let degree = offsets[node + 1] - start
        if degree == 0 { return nil }
        let slot = start + rng.nextInt(below: degree)
        if rng.nextUnit() < keep[slot] { return targets[slot] }
        return targets[start + Int(alias[slot])]
    }
}
