/// Where a restarted publisher continues numbering, from the valid manifests at the end of
/// the versions topic, fed in offset order (docs/formats.md, "Where a restarted publisher
/// continues"). A publisher writes its manifests in version order, each version the same
/// as (a retry) or one more than the previous one; so a manifest is taken when it
/// continues the sequence, or when the manifest right after it continues from it. Any
/// other manifest (a jump, or a step back) is ignored: one forged or corrupt manifest,
/// however high its version, cannot move the numbering. Pure, so it is tested alone.
public struct PublishedVersionSequence: Sendable {
    /// The version reached by the sequence of manifests taken so far.
    private var confirmed: UInt64?
    /// The previous manifest fed (taken or not).
    private var previous: (version: UInt64, location: String)?
    /// Manifests neither continuing the sequence nor continued by the next one, so far.
    private var unconfirmed: [(version: UInt64, location: String)] = []
    /// Manifests of a lower term than one seen before them (a deposed leader's).
    private var deposed: [(version: UInt64, term: UInt64, location: String)] = []
    /// The highest leader term seen so far (fences and manifests).
    public private(set) var highestTerm: UInt64 = 0

    public init() {}

    /// Feeds a leader's fence (docs/scale-out.md): later manifests of a lower term are deposed.
    public mutating func addFence(term: UInt64) {
        highestTerm = max(highestTerm, term)
    }

    /// Feeds the version of the next valid manifest (`location`: where it is, for warnings)
    /// and its leader term; a manifest of a lower term than one seen before is deposed and
    /// not taken.
    public mutating func add(_ version: UInt64, term: UInt64 = 0, at location: String) {
        guard term >= highestTerm else {
            deposed.append((version, term, location))
            return
        }
        highestTerm = term
        if let c = confirmed, Self.continues(version, after: c) {
            confirmed = version
        } else if let p = previous, Self.continues(version, after: p.version) {
            if unconfirmed.last?.location == p.location { unconfirmed.removeLast() }
            confirmed = version
        } else {
            unconfirmed.append((version, location))
        }
        previous = (version, location)
    }

    /// The newest published version: the last version of the sequence; when no manifest
    /// continues another (a single manifest), the last manifest's version.
    public var newest: UInt64? { confirmed ?? previous?.version }

    /// The manifests ignored, with why (for warnings).
    public var ignored: [String] {
        unconfirmed.filter { confirmed != nil || $0.location != previous?.location }.map {
            "manifest of version \($0.version) at \($0.location) neither continues the versions before it nor is continued by the next one"
        } + deposed.map { "manifest of version \($0.version) at \($0.location): deposed (term \($0.term) after a higher term)" }
    }

    /// `version` is `previous` again (a retry under a new attempt) or the next number.
    private static func continues(_ version: UInt64, after previous: UInt64) -> Bool {
        version == previous || (previous < UInt64.max && version == previous + 1)
    }
}
