import Foundation
import Model
import Testing

/// docs/configuration.md must document every key the parser accepts, section by section:
/// the parser's own "unknown key (known: ...)" error lists them, so the docs cannot drift.
@Suite("docs/configuration.md matches the parser")
struct ConfigurationDocTests {
    static let docs: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)) ?? ""
    }()

    /// The keys the parser accepts in the section a YAML with an unknown key there names.
    func knownKeys(_ yaml: String) throws -> [String] {
        do {
            _ = try PipelineConfig.parse(yaml: yaml)
        } catch let error as PipelineConfigError {
            let text = "\(error)"
            guard let open = text.range(of: "(known: "), let close = text[open.upperBound...].firstIndex(of: ")") else {
                Issue.record("no key list in: \(text)")
                return []
            }
            return text[open.upperBound..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        Issue.record("the unknown key was accepted")
        return []
    }

    /// The keys in the first table of the section `## \`name\`` (or `## Top level`).
    func documentedKeys(section heading: String) -> Set<String> {
        guard let start = Self.docs.range(of: "\n## \(heading)\n") else { return [] }
        let rest = Self.docs[start.upperBound...]
        let body = rest.range(of: "\n## ").map { rest[..<$0.lowerBound] } ?? rest
        var keys = Set<String>()
        for line in body.split(separator: "\n") where line.hasPrefix("| `") {
            let cell = line.dropFirst(3)
            if let end = cell.firstIndex(of: "`") { keys.insert(String(cell[..<end])) }
        }
        return keys
    }

    static let base = """
        name: t
        events: {user: u, item: i, time: t}
        views: [{name: category, field: c}]
        """

    @Test("every accepted key of every section is documented", arguments: [
        ("Top level", "zzz: 1"),
        ("`events`", "events: {user: u, item: i, time: t, zzz: 1}"),
        ("`sessions`", "sessions: {zzz: 1}"),
        ("`walks`", "walks: {zzz: 1}"),
        ("`training`", "training: {zzz: 1}"),
        ("`kafka`", "kafka: {topic: x, zzz: 1}"),
        ("`online`", "online: {zzz: 1}"),
        ("`publish`", "publish: {zzz: 1}"),
        ("`ingest`", "ingest: {zzz: 1}"),
        ("`views`", "views: [{name: category, field: c, zzz: 1}]"),
        ("`alignments`", "alignments: [{to: category, zzz: 1}]"),
    ])
    func documented(section: String, yaml: String) throws {
        var text = Self.base
        if yaml.hasPrefix("events:") { text = text.replacingOccurrences(of: "events: {user: u, item: i, time: t}", with: yaml) }
        else if yaml.hasPrefix("views:") { text = text.replacingOccurrences(of: "views: [{name: category, field: c}]", with: yaml) }
        else { text += "\n" + yaml }
        let known = try knownKeys(text)
        #expect(!known.isEmpty)
        let documented = documentedKeys(section: section)
        for key in known { #expect(documented.contains(key), "\(section): key '\(key)' is accepted but not documented") }
        for key in documented { #expect(known.contains(key), "\(section): key '\(key)' is documented but not accepted") }
    }
}
