import Foundation
import Model

/// Reads a plain walks corpus (one walk per line, node names separated by spaces or tabs),
/// e.g. to train word2vec tools and this trainer on the same walks.
public enum WalkCorpusLoader {
    public enum LoadError: Error, Sendable, Equatable, CustomStringConvertible {
        case cannotOpen(path: String)
        case empty(path: String)

        public var description: String {
            switch self {
            case .cannotOpen(let path): "\(path): cannot open file"
            case .empty(let path): "\(path): no walks"
            }
        }
    }

    /// ``TrainingData`` with one view named `item` (ids in first-appearance order) and no
    /// alignments. Blank lines are skipped.
    public static func load(path: String) throws -> TrainingData {
        var vocabulary = Vocabulary()
        var corpus = WalkCorpus()
        do {
            try LineReader(path: path).forEachLine { line, _ in
                guard case .bytes(let bytes) = line else { return }
                let text = String(decoding: bytes, as: UTF8.self)
                let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard !tokens.isEmpty else { return }
                corpus.append(walk: tokens.map { vocabulary.intern(String($0)) })
            }
        } catch is EventLoadError {
            throw LoadError.cannotOpen(path: path)
        }
        if corpus.walkCount == 0 { throw LoadError.empty(path: path) }
        corpus.nodeCount = vocabulary.count
        let view = ViewTrainingData(name: PipelineConfig.itemViewName, nodeNames: vocabulary.names, corpus: corpus)
        return TrainingData(views: [view], alignments: [])
    }
}
