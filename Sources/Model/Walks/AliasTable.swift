/// Walker/Vose alias tables for every node's out-edges, stored flat (CSR): sampling the
/// next node is O(1) and follows P(j | i) = w_ij / sum_k w_ik exactly.
struct AliasTables: Sendable {
    /// One alias slot, packed so a step touches one cache line: keep `target` with
    /// probability `keep`, else take `aliasTarget`.
    struct Slot: Sendable {
        var keep: Float
        var target: UInt32
        var aliasTarget: UInt32
    }

    /// Out-edges of node `i` are `offsets[i] ..< offsets[i + 1]`.
    let offsets: [Int]
    let slots: [Slot]

    init(graph: ViewGraph) {
        var offsets = [0]
        offsets.reserveCapacity(graph.nodeCount + 1)
        var slots: [Slot] = []
        slots.reserveCapacity(graph.edgeCount)
        var small: [Int] = []
        var large: [Int] = []
        for node in 0..<graph.nodeCount {
            let weights = graph.weights[node]
            let n = weights.count
            let targets = graph.targets[node]
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
            for k in 0..<n {
                slots.append(Slot(keep: Float(scaled[k]), target: targets[k], aliasTarget: targets[Int(nodeAlias[k])]))
            }
            offsets.append(slots.count)
        }
        self.offsets = offsets
        self.slots = slots
    }

    @inline(__always)
    func degree(_ node: Int) -> Int { offsets[node + 1] - offsets[node] }

    /// Samples a successor of `node`, or nil when it has no out-edges.
    @inline(__always)
    func next(from node: Int, rng: inout Xoshiro256StarStar) -> UInt32? {
        let start = offsets[node]
        let degree = offsets[node + 1] - start
        if degree == 0 { return nil }
        let slot = slots[start + rng.nextInt(below: degree)]
        return Float(rng.next() >> 40) * 0x1.0p-24 < slot.keep ? slot.target : slot.aliasTarget
    }
}
