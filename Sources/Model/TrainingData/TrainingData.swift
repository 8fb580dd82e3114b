/// The hand-off between graph building (sessions -> view graphs -> walks) and training.
///
/// Node ids are dense per view: `0..<nodeCount`, assigned in order of first appearance.
/// The same types feed the offline trainer, the streaming trainer and the evaluator.

/// Random walks over one view's graph, stored flat: walk `i` is
/// `tokens[walkStart(i) ..< walkEnds[i]]`.
public struct WalkCorpus: Sendable, Equatable {
    public var tokens: [UInt32]
    /// Exclusive end offset of each walk in `tokens`, ascending.
    public var walkEnds: [Int]
    /// Number of nodes in the view (every token is `< nodeCount`).
    public var nodeCount: Int

    public init(tokens: [UInt32] = [], walkEnds: [Int] = [], nodeCount: Int = 0) {
        self.tokens = tokens
        self.walkEnds = walkEnds
        self.nodeCount = nodeCount
    }

    public var walkCount: Int { walkEnds.count }

    public func walkStart(_ i: Int) -> Int { i == 0 ? 0 : walkEnds[i - 1] }

    public func walk(_ i: Int) -> ArraySlice<UInt32> { tokens[walkStart(i)..<walkEnds[i]] }

    public mutating func append<S: Sequence>(walk: S) where S.Element == UInt32 {
        tokens.append(contentsOf: walk)
        walkEnds.append(tokens.count)
    }
}

/// One view's vocabulary and walks.
public struct ViewTrainingData: Sendable, Equatable {
    /// View name as declared in the pipeline file (`item`, `category`, ...).
    public var name: String
    /// External node name of each dense id (`nodeNames[id]`).
    public var nodeNames: [String]
    public var corpus: WalkCorpus

    public init(name: String, nodeNames: [String], corpus: WalkCorpus) {
        self.name = name
        self.nodeNames = nodeNames
        self.corpus = corpus
    }
}

/// Item -> attribute pairs for one aligned pair of views (e.g. item -> category):
/// `source[k]` (an id in `sourceView`) has attribute `target[k]` (an id in `targetView`).
/// Each distinct pair appears once.
public struct AlignmentPairs: Sendable, Equatable {
    public var sourceView: String
    public var targetView: String
    public var source: [UInt32]
    public var target: [UInt32]

    public init(sourceView: String, targetView: String, source: [UInt32] = [], target: [UInt32] = []) {
        precondition(source.count == target.count)
        self.sourceView = sourceView
        self.targetView = targetView
        self.source = source
        self.target = target
    }

    public var count: Int { source.count }
}

/// Everything the trainer needs: one entry per view (the item view first) and the
/// alignment pairs between views.
public struct TrainingData: Sendable, Equatable {
    public var views: [ViewTrainingData]
    public var alignments: [AlignmentPairs]

    public init(views: [ViewTrainingData], alignments: [AlignmentPairs]) {
        self.views = views
        self.alignments = alignments
    }
}
