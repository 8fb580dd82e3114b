/// A recorded ``GraphUpdate`` that does not fit the builder it is restored onto.
public struct GraphRestoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { "graph restore: \(message)" }
}

extension GraphBuilder {
    /// Re-applies a recorded update (e.g. read back from a store after a restart): new nodes
    /// must arrive with the next free id of their view, in order; attributes and edge
    /// increments are then applied as recorded (an item's attribute values in position
    /// order). Restoring every update of a builder, in order, onto a fresh builder with the
    /// same views reproduces it exactly.
    public mutating func restore(_ update: GraphUpdate) throws(GraphRestoreError) {
        for node in update.newNodes {
            guard node.view >= 0, node.view < views.count else {
                throw GraphRestoreError(message: "unknown view index \(node.view)")
            }
            let expected = views[node.view].vocabulary.count
            guard Int(node.id) == expected, views[node.view].vocabulary.id(of: node.name) == nil else {
                throw GraphRestoreError(
                    message: "node '\(node.name)' has id \(node.id) in view \(views[node.view].name), expected new id \(expected)")
            }
            _ = views[node.view].vocabulary.intern(node.name)
            views[node.view].graph.ensureNodeCount(expected + 1)
        }
        for assignment in update.attributes {
            guard assignment.view > 0, assignment.view < views.count,
                Int(assignment.item) < views[0].vocabulary.count,
                Int(assignment.attribute) < views[assignment.view].vocabulary.count
            else { throw GraphRestoreError(message: "attribute assignment out of range: \(assignment)") }
            guard recordAttribute(assignment.attribute, item: assignment.item, view: assignment.view, position: assignment.position) else {
                throw GraphRestoreError(message: "attribute assignment out of order or repeated: \(assignment)")
            }
        }
        for edge in update.edges {
            guard edge.view >= 0, edge.view < views.count,
                Int(edge.from) < views[edge.view].vocabulary.count, Int(edge.to) < views[edge.view].vocabulary.count
            else { throw GraphRestoreError(message: "edge out of range: \(edge)") }
            views[edge.view].graph.addTransition(from: edge.from, to: edge.to, count: edge.count)
        }
    }
}
