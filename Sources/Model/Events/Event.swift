/// One user interaction: `user` touched `item` at `timestampMillis`.
public struct Event: Sendable, Equatable, Hashable {
    public var user: String
    public var item: String
    /// Milliseconds since the Unix epoch.
    public var timestampMillis: Int64
    public var action: String?
    /// The item's node in each attribute view, keyed by view name (not by input field name).
    /// Views with no value for this event are absent.
    public var attributes: [String: String]

    public init(
        user: String, item: String, timestampMillis: Int64, action: String? = nil,
        attributes: [String: String] = [:]
    ) {
        self.user = user
        self.item = item
        self.timestampMillis = timestampMillis
        self.action = action
        self.attributes = attributes
    }
}
