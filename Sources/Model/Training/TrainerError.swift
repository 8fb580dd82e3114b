/// Why training data or settings were rejected.
public enum TrainerError: Error, Equatable, CustomStringConvertible {
    case invalidConfig(String)
    case tokenOutOfRange(view: String, token: UInt32, nodeCount: Int)
    case unknownView(String)
    case alignmentIdOutOfRange(source: String, target: String, index: Int)
    case dimensionMismatch(parameters: Int, config: Int)
    case checkpointShape(String)

    public var description: String {
        switch self {
        case .invalidConfig(let why): return "invalid training settings: \(why)"
        case let .tokenOutOfRange(view, token, n):
            return "view '\(view)': walk token \(token) is not below the node count \(n)"
        case .unknownView(let name): return "alignment names view '\(name)', which has no training data"
        case let .alignmentIdOutOfRange(s, t, i):
            return "alignment \(s)->\(t): pair \(i) has an id outside its view"
        case let .dimensionMismatch(p, c):
            return "existing parameters have dim \(p) but the settings ask for \(c)"
        case .checkpointShape(let why): return "checkpoint does not fit the model: \(why)"
        }
    }
}
