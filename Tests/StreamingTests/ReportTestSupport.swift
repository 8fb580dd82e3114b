import Foundation
import Model
import Streaming

/// A history with every record kind: `rounds` ingest, train and publish records a second apart.
func syntheticHistory(rounds: Int = 30, views: [String] = ["item", "category"], tasks: [String] = ["intra:item", "align:item->category"]) -> [HistoryRecord] {
    var out: [HistoryRecord] = []
    let start: Int64 = 1_700_000_000_000
    for i in 0..<rounds {
        var ingest = HistoryRecord(kind: .ingest, timeMs: start + Int64(i) * 1000)
        ingest.events = UInt64(i * 500)
        ingest.eventsPerSecond = 500 + Double(i % 5) * 10
        ingest.lag = Int64(1000 - i * 10)
        ingest.deadLetters = 2
        ingest.openSessions = 40
        ingest.nodes = Dictionary(uniqueKeysWithValues: views.enumerated().map { ($0.element, (i + 1) * 100 / ($0.offset + 1)) })
        ingest.edges = Dictionary(uniqueKeysWithValues: views.map { ($0, (i + 1) * 300) })
        var train = HistoryRecord(kind: .train, timeMs: ingest.timeMs + 300)
        train.tokens = UInt64(i * 10_000)
        train.losses = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($0.element, 3.0 / Double(i + 1) + Double($0.offset)) })
        train.taskLogVariances = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($0.element, -0.01 * Double(i) * Double($0.offset + 1)) })
        var publish = HistoryRecord(kind: .publish, timeMs: ingest.timeMs + 600)
        publish.version = UInt64(i + 1)
        publish.versionKind = i % 10 == 0 ? "snapshot" : "delta"
        publish.rows = 100
        publish.eventTimeWatermarkMs = publish.timeMs - 2000 - Int64(i * 37 % 500)
        publish.freshnessMs = publish.timeMs - (publish.eventTimeWatermarkMs ?? 0)
        publish.hitRate20 = 0.1 + 0.005 * Double(i)
        out += [ingest, train, publish]
    }
    return out
}

/// An item view of `count` items in `dim` dimensions, item `i` named `item<i>`; item `i`'s
/// embedding is `(i % clusters)` times a cluster offset plus a little deterministic noise.
func syntheticItemView(count: Int, dim: Int = 8, clusters: Int = 3) -> TrainedView {
    var values: [Float] = []
    for i in 0..<count {
        for d in 0..<dim {
            let center: Float = d == (i % clusters) % dim ? 5 : 0
            values.append(center + 0.1 * Float(sin(Double(i * 31 + d * 7))))
        }
    }
    return TrainedView(name: "item", nodeNames: (0..<count).map { "item\($0)" },
                       embeddings: EmbeddingMatrix(rows: count, dim: dim, values: values))
}

/// Occurrences of `needle` in `haystack`.
func occurrences(of needle: String, in haystack: String) -> Int {
    haystack.components(separatedBy: needle).count - 1
}

/// Checks that every element opened in `html` is closed in order (void elements and
/// `/>`-closed ones excepted); returns the first problem found, nil if well nested.
func nestingProblem(_ html: String) -> String? {
    let void: Set<String> = ["meta", "br", "img", "input", "link", "hr", "!doctype"]
    var stack: [String] = []
    var rest = Substring(html)
    while let open = rest.firstIndex(of: "<") {
        guard let close = rest[open...].firstIndex(of: ">") else { return "unterminated tag" }
        let tag = rest[rest.index(after: open)..<close]
        rest = rest[rest.index(after: close)...]
        let name = tag.prefix { !$0.isWhitespace && $0 != "/" && $0 != ">" }.lowercased()
        if tag.hasPrefix("/") {
            let closing = tag.dropFirst().lowercased()
            guard let top = stack.popLast() else { return "closing </\(closing)> with nothing open" }
            if top != closing { return "</\(closing)> closes <\(top)>" }
        } else if tag.hasSuffix("/") || void.contains(name) {
            continue
        } else {
            stack.append(name)
        }
    }
    return stack.isEmpty ? nil : "unclosed <\(stack.joined(separator: "><"))>"
}
