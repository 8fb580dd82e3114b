/// Where a session's view sequences end so far: the last item, and per attribute view (by
/// name) the last value set (its node names, in the item's order), of the events already
/// added to the graphs. A session released in parts (``GraphBuilder/extend(session:cursor:)``)
/// continues its sequences from here, so its transitions are those of the whole session
/// added at once.
public struct SessionCursor: Sendable, Equatable {
    public var item: String?
    public var attributes: [String: [String]]

    public init(item: String? = nil, attributes: [String: [String]] = [:]) {
        self.item = item
        self.attributes = attributes
    }
}
