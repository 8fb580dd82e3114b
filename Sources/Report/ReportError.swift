/// Why a report could not be built.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    case invalidMatrix(rows: Int, dim: Int, values: Int)
    case stateDirectoryMissing(String)

    public var description: String {
        switch self {
        case let .invalidMatrix(r, d, v): return "matrix of \(r)x\(d) needs \(r * d) values, got \(v)"
        case .stateDirectoryMissing(let path): return "state directory \(path) does not exist"
        }
    }
}
