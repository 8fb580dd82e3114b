/// Why a version could not be published or read back.
public enum PublicationError: Error, Equatable, CustomStringConvertible {
    /// The `EmbeddingVersion` handed to the publisher is inconsistent.
    case invalidVersion(version: UInt64, reason: String)
    /// A delta came first after the publisher started or after a failed publish (a new
    /// attempt always starts with a snapshot).
    case snapshotRequired(version: UInt64)
    /// Versions of one publisher must be consecutive.
    case outOfSequence(expected: UInt64, got: UInt64)
    /// A delta names another base than the attempt's current snapshot.
    case deltaBaseMismatch(version: UInt64, base: UInt64, currentSnapshot: UInt64)
    /// `publish` was called while another `publish` of the same publisher was running.
    case publishInProgress
    /// Some record of the version was not acknowledged; no manifest was written.
    case deliveryFailed(version: UInt64, reason: String)
    /// No version can be rebuilt: none is complete, or the records of every complete one
    /// fail to rebuild it (`skipped`: why, newest first).
    case noUsableVersion(manifests: Int, skipped: [SkippedVersion])
    /// No manifest of this version exists.
    case versionNotFound(version: UInt64, newestUsable: UInt64?)
    /// The version has a manifest but is not complete, or its records do not rebuild it.
    case versionUnusable(version: UInt64, reason: String, newestUsable: UInt64?)
    /// The rebuilt version lacks rows of a view.
    case missingRows(version: UInt64, view: String, missing: Int, firstMissingID: Int)
    /// A record or manifest could not be decoded or contradicts its headers.
    case corruptRecord(location: String, reason: String)
    /// The embeddings topic does not exist.
    case topicNotFound(String)

    public var description: String {
        switch self {
        case let .invalidVersion(v, r): return "version \(v) is invalid: \(r)"
        case .snapshotRequired(let v):
            return "version \(v) is a delta, but a new publisher attempt must start with a snapshot"
        case let .outOfSequence(e, g): return "version \(g) out of sequence: expected version \(e)"
        case let .deltaBaseMismatch(v, b, s):
            return "delta version \(v) builds on snapshot \(b), but the current snapshot is \(s)"
        case .publishInProgress: return "another publish of this publisher is still running"
        case let .deliveryFailed(v, r): return "version \(v) not published (no manifest written): \(r)"
        case let .noUsableVersion(n, skipped):
            let why = skipped.prefix(5).map { "; \($0)" }.joined() + (skipped.count > 5 ? "; \(skipped.count - 5) more" : "")
            return "no version can be rebuilt (\(n) manifest\(n == 1 ? "" : "s") in the versions topic)" + why
        case let .versionNotFound(v, newest):
            return "version \(v) not found" + Self.newestText(newest)
        case let .versionUnusable(v, r, newest):
            return "version \(v) cannot be rebuilt: \(r)" + Self.newestText(newest)
        case let .missingRows(v, view, n, first):
            return "version \(v): view '\(view)' lacks \(n) row\(n == 1 ? "" : "s") (first missing id \(first))"
        case let .corruptRecord(l, r): return "\(l): \(r)"
        case .topicNotFound(let t): return "topic \(t) does not exist"
        }
    }

    private static func newestText(_ newest: UInt64?) -> String {
        newest.map { "; the newest version that can be rebuilt is \($0)" } ?? "; no version can be rebuilt"
    }
}
