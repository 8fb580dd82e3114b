/// Walker/Vose alias tables for every node's out-edges, stored flat (CSR): sampling the
/// next node is O(1) and follows P(j | i) = w_ij / sum_k w_ik exactly.
///
/// A node's slots list its out-neighbours in the graph's order, which is id order, so the
/// tables (and the walks drawn from them) depend only on the graph's weights, never on the
/// order its edges arrived in: a graph rebuilt from stored edges walks exactly like the one
/// that stored them.
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
        var scratch = Scratch()
        for node in 0..<graph.nodeCount {
            Self.appendSlots(targets: graph.targets[node], weights: graph.weights[node], to: &slots, scratch: &scratch)
            offsets.append(slots.count)
        }
        self.offsets = offsets
        self.slots = slots
    }

    /// Buffers reused from one node's table to the next.
    struct Scratch {
        var scaled: [Double] = []
        var alias: [Int32] = []
        var small: [Int] = []
        var large: [Int] = []
    }

    /// Appends the slots of one node with out-edges `targets` (weights parallel), in that
    /// order (Vose's method).
    static func appendSlots(targets: [UInt32], weights: [UInt32], to slots: inout [Slot], scratch: inout Scratch) {
        let n = targets.count
        guard n > 0 else { return }
        let total = weights.reduce(0.0) { $0 + Double($1) }
        scratch.scaled.removeAll(keepingCapacity: true)
        scratch.alias.removeAll(keepingCapacity: true)
        scratch.small.removeAll(keepingCapacity: true)
        scratch.large.removeAll(keepingCapacity: true)
        for k in 0..<n {
            let p = Double(weights[k]) * Double(n) / total
            scratch.scaled.append(p)
            scratch.alias.append(Int32(k))
            if p < 1 { scratch.small.append(k) } else { scratch.large.append(k) }
        }
        while !scratch.small.isEmpty, let l = scratch.large.last {
            let s = scratch.small.removeLast()
            scratch.alias[s] = Int32(l)
            scratch.scaled[l] -= 1 - scratch.scaled[s]
            if scratch.scaled[l] < 1 {
                scratch.large.removeLast()
                scratch.small.append(l)
            }
        }
        // Leftovers (rounding) keep themselves with probability 1.
        for k in scratch.large { scratch.scaled[k] = 1 }
        for k in scratch.small { scratch.scaled[k] = 1 }
        for k in 0..<n {
            slots.append(Slot(keep: Float(scratch.scaled[k]), target: targets[k], aliasTarget: targets[Int(scratch.alias[k])]))
        }
    }

    /// Samples one of `slots` (a node's table), or nil when it is empty (a sink).
    @inline(__always)
    static func sample(_ slots: UnsafeBufferPointer<Slot>, rng: inout Xoshiro256StarStar) -> UInt32? {
        if slots.isEmpty { return nil }
        let slot = slots[rng.nextInt(below: slots.count)]
        return Float(rng.next() >> 40) * 0x1.0p-24 < slot.keep ? slot.target : slot.aliasTarget
    }

    @inline(__always)
    func degree(_ node: Int) -> Int { offsets[node + 1] - offsets[node] }

    /// Samples a successor of `node`, or nil when it has no out-edges.
    @inline(__always)
    func next(from node: Int, rng: inout Xoshiro256StarStar) -> UInt32? {
        let start = offsets[node]
        let end = offsets[node + 1]
        return slots.withUnsafeBufferPointer { Self.sample(UnsafeBufferPointer(rebasing: $0[start..<end]), rng: &rng) }
    }
}
