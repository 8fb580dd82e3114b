import Model

/// A usable version rebuilt from the topic: its manifest, the model it describes, and what
/// was passed over to get it.
public struct AssembledVersion: Sendable, Equatable {
    public var manifest: VersionManifest
    public var model: TrainedModel
    /// Newer version numbers that could not be rebuilt, newest first (only when no
    /// version was asked for).
    public var skippedVersions: [SkippedVersion] = []
    /// Records of the version's chain that were not trusted and not used.
    public var skippedRecordCount = 0
    /// Where and why, for the first ten of them.
    public var skippedRecordExamples: [String] = []
}

/// A version number that could not be rebuilt, and why.
public struct SkippedVersion: Sendable, Equatable, CustomStringConvertible {
    public var version: UInt64
    public var reason: String

    public init(version: UInt64, reason: String) {
        self.version = version
        self.reason = reason
    }

    public var description: String { "version \(version): \(reason)" }
}

extension VersionAssembler {
    /// Rebuilds version `version`, or by default the newest **usable** version: complete
    /// (see `incompleteness`) and rebuilt by its records (`rebuild`). Without a version,
    /// newer numbers that are not usable are passed over and listed in `skippedVersions`;
    /// with one that is not usable, the error names the newest usable version.
    public func assemble(version requested: UInt64? = nil) throws -> AssembledVersion {
        if let requested {
            switch attemptRebuild(requested) {
            case .rebuilt(let assembled): return assembled
            case .notFound: throw PublicationError.versionNotFound(version: requested, newestUsable: newestUsable(except: requested))
            case .unusable(let reason):
                throw PublicationError.versionUnusable(version: requested, reason: reason, newestUsable: newestUsable(except: requested))
            }
        }
        var skipped: [SkippedVersion] = []
        for version in versionNumbers.sorted(by: >) {
            switch attemptRebuild(version) {
            case .rebuilt(var assembled):
                assembled.skippedVersions = skipped
                return assembled
            case .unusable(let reason): skipped.append(SkippedVersion(version: version, reason: reason))
            case .notFound: continue
            }
        }
        throw PublicationError.noUsableVersion(manifests: manifestCount, skipped: skipped)
    }

    private enum RebuildAttempt {
        case rebuilt(AssembledVersion)
        case unusable(String)
        case notFound
    }

    private func newestUsable(except excluded: UInt64) -> UInt64? {
        for version in versionNumbers.sorted(by: >) where version != excluded {
            if case .rebuilt = attemptRebuild(version) { return version }
        }
        return nil
    }

    /// Tries the complete publications of `version`, the latest manifest first.
    private func attemptRebuild(_ version: UInt64) -> RebuildAttempt {
        let publications = publications(of: version)
        guard let latest = publications.first else { return .notFound }
        var failure: String?
        for (id, manifest) in publications where incompleteness(of: id) == nil {
            do {
                let rebuilt = try rebuild(manifest)
                return .rebuilt(AssembledVersion(
                    manifest: manifest, model: rebuilt.model, skippedRecordCount: rebuilt.skippedRecordCount,
                    skippedRecordExamples: rebuilt.skippedRecordExamples))
            } catch let error as PublicationError {
                failure = failure ?? describe(error, of: manifest)
            } catch {
                failure = failure ?? "\(error)"
            }
        }
        return .unusable(failure ?? incompleteness(of: latest.id) ?? "incomplete")
    }

    /// The reason for `error`; a missing row says where its newest record went when it was
    /// replaced (typically by records of a publisher that wrote no manifest, left alone by
    /// compaction while the records of this version were removed).
    private func describe(_ error: PublicationError, of m: VersionManifest) -> String {
        guard case .missingRows(_, let view, let missing, let first) = error else { return error.description }
        let text = "view '\(view)' lacks \(missing) row\(missing == 1 ? "" : "s") (first missing id \(first))"
        guard first >= 0, first <= Int(UInt32.max) else { return text }
        let key = RecordKey.node(view: view, id: UInt32(first))
        guard let newest = entries.last(where: { $0.key == key }) else { return text + "; no record of that row was read" }
        return text + "; the newest record of row \(first) is of version \(newest.version) (attempt \(newest.attempt)), outside this version's chain"
    }
}
