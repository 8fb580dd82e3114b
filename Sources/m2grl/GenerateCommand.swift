import ArgumentParser
import Foundation
import Model

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write synthetic events with planted structure (JSON Lines), deterministic by seed.",
        discussion: """
            Items belong to categories and shops; users prefer a few categories; item popularity follows a power law; sessions are separated by gaps longer than the session gap. Fields: user_id, item_id, timestamp (seconds), category, shop; pipelines/synthetic.yaml reads them. Events are streamed to the file, so 10 million events need little memory.

            Examples:
              m2grl generate --events 100000 --out events.jsonl
              m2grl generate --events 10000000 --users 200000 --items 100000 --seed 7 --out big.jsonl
            """
    )

    @Option(name: .long, help: "Number of events.") var events: Int = 100_000
    @Option(name: .long, help: "Number of users.") var users: Int = 1_000
    @Option(name: .long, help: "Number of items.") var items: Int = 5_000
    @Option(name: .long, help: "Number of categories.") var categories: Int = 50
    @Option(name: .long, help: "Number of shops.") var shops: Int = 200
    @Option(name: .long, help: "Random seed.") var seed: UInt64 = 1
    @Option(name: .long, help: "Output file (JSON Lines).") var out: String

    func validate() throws {
        // Bounded so the generator's tables and time arithmetic stay far from overflow.
        for (name, v, range) in [
            ("--events", events, 1...10_000_000_000), ("--users", users, 1...100_000_000), ("--items", items, 1...100_000_000),
            ("--categories", categories, 1...1_000_000), ("--shops", shops, 1...1_000_000),
        ] {
            try requireRange(v, range, option: name)
        }
    }

    func run() throws {
        var p = SyntheticEventGenerator.Parameters()
        p.events = events
        p.users = users
        p.items = items
        p.categories = categories
        p.shops = shops
        p.seed = seed
        let start = Date()
        let n = try SyntheticEventGenerator(parameters: p).writeJSONL(to: out)
        print("wrote \(n) events to \(out) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }
}
