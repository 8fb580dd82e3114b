/// Keys of the embeddings topic; stable for a node across versions, so the topic can be
/// compacted. A node: `<view> NUL <dense id in decimal>`; an alignment matrix:
/// `@alignment NUL <source view> NUL <target view>` (UTF-8).
public enum RecordKey: Sendable, Hashable {
    case node(view: String, id: UInt32)
    case alignment(source: String, target: String)

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        switch self {
        case let .node(view, id):
            out.append(contentsOf: view.utf8)
            out.append(0)
            out.append(contentsOf: String(id).utf8)
        case let .alignment(source, target):
            out.append(contentsOf: PublicationHeaders.alignmentView.utf8)
            out.append(0)
            out.append(contentsOf: source.utf8)
            out.append(0)
            out.append(contentsOf: target.utf8)
        }
        return out
    }

    /// Parses key bytes; nil for keys this publisher does not write.
    public init?(bytes: [UInt8]) {
        let parts = bytes.split(separator: 0, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if parts.count == 3 && parts[0] == PublicationHeaders.alignmentView {
            self = .alignment(source: parts[1], target: parts[2])
        } else if parts.count == 2, let id = UInt32(parts[1]), String(id) == parts[1] {
            self = .node(view: parts[0], id: id)
        } else {
            return nil
        }
    }
}
