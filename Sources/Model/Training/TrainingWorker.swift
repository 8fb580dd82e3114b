/// One training thread's loop: its own RNG, kernels and scratch, a fixed share of the
/// walks and alignment pairs (index modulo thread count), epochs over that share with
/// alignment batches interleaved among the walks in proportion.
struct TrainingWorker {
    let thread: Int
    let plan: TrainingPlan
    let parameters: ModelParameters
    let coordinator: TrainingCoordinator

    func run() {
        let config = plan.config
        var rng = TrainingRNG(seed: config.seed, stream: parameters.rounds &* 4096 &+ UInt64(thread))
        let threads = config.threads
        let maxK = plan.viewNegatives.max() ?? 0
        let skipGram = SkipGramKernel(dim: config.dim, maxContexts: 2 * config.window, maxNegatives: maxK)
        let align = AlignmentKernel(dim: config.dim, maxBatch: config.batchSize, maxNegatives: config.alignNegatives)

        // This thread's share.
        var walks: [UInt64] = []
        if config.tasks.intra {
            for (v, view) in plan.data.views.enumerated() {
                var w = thread
                while w < view.corpus.walkCount { walks.append(UInt64(v) << 40 | UInt64(w)); w += threads }
            }
        }
        var pairIndices: [[Int]] = plan.data.alignments.map { a in
            config.tasks.align ? Array(stride(from: thread, to: a.count, by: threads)) : []
        }

        // Scratch for ids.
        let window = config.window
        var contexts = [UInt32](repeating: 0, count: 2 * window)
        var negatives = [UInt32](repeating: 0, count: max(1, maxK))
        let batch = config.batchSize
        var srcIds = [UInt32](repeating: 0, count: batch)
        var dstIds = [UInt32](repeating: 0, count: batch)
        var alignNeg = [UInt32](repeating: 0, count: max(1, batch * config.alignNegatives))
        var kept: [UInt32] = []  // a walk's tokens left by frequent-node subsampling

        var loss = [Double](repeating: 0, count: plan.taskCount)
        var examples = [Int](repeating: 0, count: plan.taskCount)
        var units = 0, tokens = 0, pairs = 0, sinceSync = 0
        var snap = coordinator.initial()
        func stepFactors() -> TaskStepFactors {
            TaskStepFactors(weights: snap.scales, scaling: config.taskWeightScaling, intraTask: plan.intraTask,
                            alignTask: plan.alignTask, alignSourceView: plan.alignSourceView,
                            alignTargetView: plan.alignTargetView, activeTasks: plan.activeTasks)
        }
        var factors = stepFactors()

        func sync() {
            snap = coordinator.sync(thread: thread, loss: &loss, examples: &examples,
                                    units: &units, tokens: &tokens, pairs: &pairs)
            factors = stepFactors()
            sinceSync = 0
        }

        func drawNegatives(_ sampler: UnigramSampler, avoiding: UInt32, into buffer: inout [UInt32],
                           from start: Int, count: Int) {
            for j in start..<(start + count) {
                var n = sampler.sample(using: &rng)
                var tries = 0
                while n == avoiding && tries < 4 { n = sampler.sample(using: &rng); tries += 1 }
                buffer[j] = n
            }
        }

        func trainWalk(view v: Int, walk w: Int) {
            let view = plan.data.views[v]
            let corpus = view.corpus
            let start = corpus.walkStart(w), end = corpus.walkEnds[w]
            let k = plan.viewNegatives[v]
            let sampler = plan.samplers[v]
            let input = parameters.views[plan.parameterView[v]].input
            let output = parameters.views[plan.parameterView[v]].context
            let task = plan.intraTask[v]
            let keep = plan.keepProbabilities[v]
            if !keep.isEmpty {
                kept.removeAll(keepingCapacity: true)
                for pos in start..<end {
                    let t = corpus.tokens[pos]
                    if keep[Int(t)] >= 1 || rng.nextUnitFloat() < keep[Int(t)] { kept.append(t) }
                }
                units += (end - start) - kept.count  // dropped tokens count toward the schedule
            }
            func train(_ toks: UnsafeBufferPointer<UInt32>) {
                let start = 0, end = toks.count
                for pos in start..<end {
                    let centre = toks[pos]
                    let reduced = window - rng.nextIndex(window)
                    var nc = 0
                    for c in max(start, pos - reduced)..<min(end, pos + reduced + 1) where c != pos {
                        contexts[nc] = toks[c]; nc += 1
                    }
                    let lr = snap.learningRate * factors.intra[v]
                    if nc > 0 {
                        var windowLoss: Float = 0
                        if config.useFastPath {
                            drawNegatives(sampler, avoiding: centre, into: &negatives, from: 0, count: k)
                            windowLoss = contexts.withUnsafeBufferPointer { cb in
                                negatives.withUnsafeBufferPointer { nb in
                                    skipGram.updateWindow(
                                        input: input, output: output, centre: centre,
                                        contexts: UnsafeBufferPointer(rebasing: cb[0..<nc]),
                                        negatives: UnsafeBufferPointer(rebasing: nb[0..<k]), learningRate: lr)
                                }
                            }
                        } else {
                            for i in 0..<nc {
                                drawNegatives(sampler, avoiding: centre, into: &negatives, from: 0, count: k)
                                windowLoss += negatives.withUnsafeBufferPointer { nb in
                                    skipGram.updatePair(
                                        input: input, output: output, context: contexts[i], centre: centre,
                                        negatives: UnsafeBufferPointer(rebasing: nb[0..<k]), learningRate: lr)
                                }
                            }
                        }
                        loss[task] += Double(windowLoss)
                        examples[task] += nc
                    }
                    units += 1; tokens += 1; sinceSync += 1
                    if sinceSync >= config.syncInterval { sync() }
                }
            }
            if keep.isEmpty {
                corpus.tokens.withUnsafeBufferPointer { train(UnsafeBufferPointer(rebasing: $0[start..<end])) }
            } else {
                kept.withUnsafeBufferPointer { train($0) }
            }
        }

        func trainBatch(alignment a: Int, indices: ArraySlice<Int>) {
            let pairsData = plan.data.alignments[a]
            let kk = config.alignNegatives
            let sampler = plan.samplers[plan.alignTargetView[a]]
            var n = 0
            for idx in indices {
                srcIds[n] = pairsData.source[idx]
                dstIds[n] = pairsData.target[idx]
                drawNegatives(sampler, avoiding: dstIds[n], into: &alignNeg, from: n * kk, count: kk)
                n += 1
            }
            let task = plan.alignTask[a]
            let params = parameters.alignments[plan.parameterAlignment[a]]
            let source = parameters.views[plan.parameterView[plan.alignSourceView[a]]].input
            let target = parameters.views[plan.parameterView[plan.alignTargetView[a]]].input
            let batchLoss = srcIds.withUnsafeBufferPointer { sb in
                dstIds.withUnsafeBufferPointer { db in
                    alignNeg.withUnsafeBufferPointer { nb in
                        align.update(
                            source: source, target: target, matrix: params.matrix,
                            sourceIds: UnsafeBufferPointer(rebasing: sb[0..<n]),
                            targetIds: UnsafeBufferPointer(rebasing: db[0..<n]),
                            negatives: UnsafeBufferPointer(rebasing: nb[0..<(n * kk)]), negativesPerPair: kk,
                            activation: config.alignActivation,
                            learningRate: snap.learningRate * factors.alignMatrix[a],
                            sourceLearningRate: snap.learningRate * factors.alignSource[a],
                            targetLearningRate: snap.learningRate * factors.alignTarget[a],
                            rowStep: config.alignRowStep)
                    }
                }
            }
            loss[task] += Double(batchLoss)
            examples[task] += n
            units += n; pairs += n; sinceSync += n
            if sinceSync >= config.syncInterval { sync() }
        }

        for _ in 0..<config.epochs {
            walks.shuffle(using: &rng)
            // Each pass reshuffles every alignment's pairs (or draws this thread's share of
            // them by occurrence); batches of all passes are mixed.
            var orders: [[[Int]]] = []
            var batches: [(alignment: Int, pass: Int, start: Int)] = []
            for pass in 0..<max(1, config.alignPassesPerEpoch) {
                var order: [[Int]] = []
                for a in pairIndices.indices {
                    if let sampler = plan.occurrenceSamplers[a] {
                        for k in pairIndices[a].indices { pairIndices[a][k] = Int(sampler.sample(using: &rng)) }
                    } else {
                        pairIndices[a].shuffle(using: &rng)
                    }
                    order.append(pairIndices[a])
                    for s in stride(from: 0, to: pairIndices[a].count, by: batch) { batches.append((a, pass, s)) }
                }
                orders.append(order)
            }
            batches.shuffle(using: &rng)
            var batchesDone = 0
            func runBatch(_ b: Int) {
                let (a, pass, s) = batches[b]
                let indices = orders[pass][a]
                trainBatch(alignment: a, indices: indices[s..<min(s + batch, indices.count)])
            }
            for (i, packed) in walks.enumerated() {
                trainWalk(view: Int(packed >> 40), walk: Int(packed & 0xFF_FFFF_FFFF))
                let due = (i + 1) * batches.count / walks.count
                while batchesDone < due { runBatch(batchesDone); batchesDone += 1 }
            }
            while batchesDone < batches.count { runBatch(batchesDone); batchesDone += 1 }
        }
        sync()
    }
}
