/// What applying one session changed, so a store can persist it and a walker can refresh
/// the walks of touched nodes.
public struct GraphUpdate: Sendable, Equatable {
    /// `count` more observations of `from -> to` in view `view` (index into the builder's views).
    public struct EdgeIncrement: Sendable, Equatable {
        public var view: Int
        public var from: UInt32
        public var to: UInt32
        public var count: UInt32

        public init(view: Int, from: UInt32, to: UInt32, count: UInt32) {
            self.view = view
            self.from = from
            self.to = to
            self.count = count
        }
    }

    /// A node that got its id in this update.
    public struct NewNode: Sendable, Equatable {
        public var view: Int
        public var id: UInt32
        public var name: String

        public init(view: Int, id: UInt32, name: String) {
            self.view = view
            self.id = id
            self.name = name
        }
    }

    /// Item `item` got attribute node `attribute` in view `view`, as its value number
    /// `position` (0 for the first; the first event with values for the item sets them all).
    public struct AttributeAssignment: Sendable, Equatable {
        public var view: Int
        public var item: UInt32
        public var attribute: UInt32
        public var position: UInt32

        public init(view: Int, item: UInt32, attribute: UInt32, position: UInt32 = 0) {
            self.view = view
            self.item = item
            self.attribute = attribute
            self.position = position
        }
    }

    public var newNodes: [NewNode] = []
    public var edges: [EdgeIncrement] = []
    public var attributes: [AttributeAssignment] = []

    public init() {}

    /// Source nodes of the edge increments of `view`, each once, in order.
    public func touchedNodes(view: Int) -> [UInt32] {
        var seen = Set<UInt32>()
        return edges.filter { $0.view == view && seen.insert($0.from).inserted }.map(\.from)
    }
}
