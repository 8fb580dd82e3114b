import Foundation
import Testing

@testable import Model
import ModelFiles

/// Multi-valued attribute fields: how a record's values are read (a JSON array, or a string
/// split at the view's delimiter) and how several values per item build an attribute view
/// (docs/ingestion.md, "Multi-valued attributes").
@Suite struct MultiValuedAttributeTests {
    static let now: Int64 = 1_700_000_000_000

    func decoder(delimiter: String? = nil, format: String = "jsonl", limits: EventLimits = EventLimits()) throws -> EventDecoder {
        let delimiterLine = delimiter.map { "\n    delimiter: \"\($0)\"" } ?? ""
        let config = try PipelineConfig.parse(yaml: """
            name: t
            events: {format: \(format), user: u, item: i, time: t}
            views:
              - name: genre
                field: g\(delimiterLine)
            """)
        return EventDecoder(mapping: EventFieldMapping(config: config, limits: limits))
    }

    func decode(_ json: String, _ decoder: EventDecoder) -> Result<Event, EventRejection> {
        decoder.decodeJSON(Array(json.utf8), nowMillis: Self.now)
    }

    func genres(_ json: String, _ decoder: EventDecoder) -> [String]? {
        guard case .success(let event) = decode(json, decoder) else { return nil }
        return event.attributes["genre"] ?? []
    }

    @Test("a JSON array gives every value in order, duplicates, nulls and empty strings dropped, numbers as text")
    func jsonArrays() throws {
        let d = try decoder()
        #expect(genres(#"{"u":"u","i":"a","t":1,"g":["Comedy","Romance","Comedy","",null,7]}"#, d) == ["Comedy", "Romance", "7"])
        #expect(genres(#"{"u":"u","i":"a","t":1,"g":[ ]}"#, d) == [])
        #expect(genres(#"{"u":"u","i":"a","t":1,"g":["x\"y", "\u00e9"]}"#, d) == ["x\"y", "é"])
        #expect(genres(#"{"u":"u","i":"a","t":1,"g":"Comedy|Romance"}"#, d) == ["Comedy|Romance"], "no delimiter: one value")
    }

    @Test("a delimited string is split at the view's delimiter; empty parts dropped")
    func delimitedStrings() throws {
        let d = try decoder(delimiter: "|")
        #expect(genres(#"{"u":"u","i":"a","t":1,"g":"Comedy|Romance||Comedy|"}"#, d) == ["Comedy", "Romance"])
        #expect(genres(#"{"u":"u","i":"a","t":1,"g":"Drama"}"#, d) == ["Drama"])
        #expect(genres(#"{"u":"u","i":"a","t":1,"g":"|"}"#, d) == [])
        #expect(genres(#"{"u":"u","i":"a","t":1,"g":["a|b","c"]}"#, d) == ["a|b", "c"], "array elements are not split")
        let multiByte = try decoder(delimiter: ", ")
        #expect(genres(#"{"u":"u","i":"a","t":1,"g":"x, y,z"}"#, multiByte) == ["x", "y,z"])
    }

    @Test("a CSV cell is split at the delimiter too")
    func delimitedCSV() throws {
        let config = try PipelineConfig.parse(yaml: """
            name: t
            events: {format: csv, user: u, item: i, time: t}
            views: [{name: genre, field: g, delimiter: ";"}]
            """)
        let path = try writeDataTestFile("u,i,t,g\nu1,a,1,x;y\nu1,b,2,z\n", suffix: ".csv")
        let (events, _) = try EventFileLoader(config: config).load(path: path)
        #expect(events.map { $0.attributes["genre"] ?? [] } == [["x", "y"], ["z"]])
    }

    @Test("bad arrays are rejected with the field named: nested, booleans, objects, too many values")
    func badArrays() throws {
        let d = try decoder(limits: EventLimits(maxValuesPerField: 3))
        func code(_ json: String) -> String? {
            if case .failure(let r) = decode(json, d) { return r.code }
            return nil
        }
        #expect(code(#"{"u":"u","i":"a","t":1,"g":[["x"]]}"#) == "wrong_type")
        #expect(code(#"{"u":"u","i":"a","t":1,"g":[true]}"#) == "wrong_type")
        #expect(code(#"{"u":"u","i":"a","t":1,"g":{"x":1}}"#) == "wrong_type")
        #expect(code(#"{"u":"u","i":"a","t":1,"g":["x" "y"]}"#) == "not_json")
        #expect(code(#"{"u":"u","i":"a","t":1,"g":["x",]}"#) == "not_json")
        #expect(code(#"{"u":"u","i":["a"],"t":1}"#) == "wrong_type", "only attribute fields take arrays")
        #expect(code(#"{"u":"u","i":"a","t":1,"g":["a\u0001"]}"#) == "control_character")
        #expect(code(#"{"u":"u","i":"a","t":1,"g":["a","b","c","a"]}"#) == nil, "3 distinct values: at the limit")
        guard case .failure(let r) = decode(#"{"u":"u","i":"a","t":1,"g":["a","b","c","d"]}"#, d) else {
            Issue.record("4 values accepted")
            return
        }
        #expect(r == .tooManyValues(field: "g", count: 4, limit: 3))
        #expect(r.code == "too_many_values")
        let delimited = try decoder(delimiter: "|", limits: EventLimits(maxValuesPerField: 2))
        if case .failure(let r) = decode(#"{"u":"u","i":"a","t":1,"g":"a|b|c"}"#, delimited) {
            #expect(r.code == "too_many_values")
        } else {
            Issue.record("3 delimited values accepted over a limit of 2")
        }
    }

    @Test("views[].max_values sets the cap of its view only (others keep 32); out of 1...1024 it is refused at load, naming the field")
    func perViewCap() throws {
        let config = try PipelineConfig.parse(yaml: """
            name: t
            events: {user: u, item: i, time: t}
            views: [{name: genre, field: g, max_values: 2}, {name: tag, field: h}]
            """)
        let d = EventDecoder(mapping: EventFieldMapping(config: config))
        func code(_ json: String) -> String? {
            if case .failure(let r) = decode(json, d) { return r.code }
            return nil
        }
        #expect(code(#"{"u":"u","i":"a","t":1,"g":["a","b"]}"#) == nil)
        #expect(code(#"{"u":"u","i":"a","t":1,"g":["a","b","c"]}"#) == "too_many_values")
        let tags = (0..<32).map { "\"t\($0)\"" }.joined(separator: ",")
        #expect(code(#"{"u":"u","i":"a","t":1,"h":["# + tags + "]}") == nil, "32 values: the default cap")
        #expect(code(#"{"u":"u","i":"a","t":1,"h":["# + tags + #","x"]}"#) == "too_many_values")
        for bad in ["0", "1025", "-1", "x"] {
            do {
                _ = try PipelineConfig.parse(yaml: "name: t\nevents: {user: u, item: i, time: t}\nviews: [{name: g, field: g, max_values: \(bad)}]\n")
                Issue.record("max_values \(bad) accepted")
            } catch {
                #expect("\(error)".contains("max_values"), "\(error)")
            }
        }
    }

    @Test("a delimiter longer than 16 bytes is refused at load, naming the field")
    func delimiterLimit() throws {
        #expect(throws: PipelineConfigError.self) {
            try PipelineConfig.parse(yaml: """
                name: t
                events: {user: u, item: i, time: t}
                views: [{name: genre, field: g, delimiter: "12345678901234567"}]
                """)
        }
    }

    func event(_ item: String, _ t: Int64, _ genres: [String]) -> Event {
        Event(user: "u", item: item, timestampMillis: t * 1000, attributeValues: genres.isEmpty ? [:] : ["genre": genres])
    }

    /// Items a {x,y}, b {y,z}, c {z,y} (b's set in another order), d {x}, e none. Session
    /// a b c d e a: genre sets {x,y} {y,z} {z,y} {x} - {x,y}; {z,y} collapses into {y,z}, e
    /// is skipped. Steps: {x,y}->{y,z}: x>y x>z y>z; {y,z}->{x}: y>x z>x; {x}->{x,y}: x>y.
    @Test("several values per item: the attribute view's edges equal the hand-computed ones")
    func graphFromSeveralValues() throws {
        let session = Session(user: "u", events: [
            event("a", 0, ["x", "y"]), event("b", 1, ["y", "z"]), event("c", 2, ["z", "y"]), event("d", 3, ["x"]),
            event("e", 4, []), event("a", 5, ["w"]),  // a's set is fixed by its first event: w is ignored
        ])
        var builder = GraphBuilder(viewNames: ["item", "genre"])
        builder.apply(session)
        let genre = builder.views[1]
        #expect(genre.vocabulary.names == ["x", "y", "z"])
        func w(_ from: String, _ to: String) -> UInt32 {
            guard let f = genre.vocabulary.id(of: from), let t = genre.vocabulary.id(of: to) else { return 0 }
            return genre.graph.weight(from: f, to: t)
        }
        #expect(w("x", "y") == 2)
        #expect(w("x", "z") == 1)
        #expect(w("y", "z") == 1)
        #expect(w("y", "x") == 1)
        #expect(w("z", "x") == 1)
        #expect(genre.graph.edgeCount == 5)
        #expect(w("x", "x") == 0 && w("z", "y") == 0)
        let pairs = try #require(builder.alignmentPairs(to: "genre"))
        let named = zip(pairs.source, pairs.target).map { "\(builder.views[0].vocabulary.name(of: $0))-\(genre.vocabulary.name(of: $1))" }
        #expect(named == ["a-x", "a-y", "b-y", "b-z", "c-z", "c-y", "d-x"])
        #expect(builder.attributes(ofItem: 2, view: 1).map(Array.init) == [2, 1])
        #expect(builder.attribute(ofItem: 2, view: 1) == 2)
    }

    @Test("the session added in parts gives the same graph as added whole (the cursor keeps the last set)")
    func partsEqualWhole() throws {
        let events = [
            event("a", 0, ["x", "y"]), event("b", 1, ["y", "z"]), event("c", 2, ["z", "y"]), event("d", 3, ["x"]),
            event("e", 4, []), event("a", 5, []),
        ]
        var whole = GraphBuilder(viewNames: ["item", "genre"])
        whole.apply(Session(user: "u", events: events))
        for cut in 1..<events.count {
            var parts = GraphBuilder(viewNames: ["item", "genre"])
            var cursor = SessionCursor()
            parts.extend(session: Array(events[..<cut]), cursor: &cursor)
            parts.extend(session: Array(events[cut...]), cursor: &cursor)
            #expect(parts.views == whole.views, "cut at \(cut)")
        }
    }

    @Test("a recorded update replays onto a fresh builder; values out of position order are refused")
    func replay() throws {
        var builder = GraphBuilder(viewNames: ["item", "genre"])
        let update = builder.apply(Session(user: "u", events: [event("a", 0, ["x", "y"]), event("b", 1, ["y", "z"])]))
        #expect(update.attributes.map(\.position) == [0, 1, 0, 1])
        var copy = GraphBuilder(viewNames: ["item", "genre"])
        try copy.replay(update)
        #expect(copy.alignmentPairs(to: "genre") == builder.alignmentPairs(to: "genre"))
        var swapped = update
        swapped.attributes.swapAt(0, 1)
        var bad = GraphBuilder(viewNames: ["item", "genre"])
        #expect(throws: GraphReplayError.self) { try bad.replay(swapped) }
    }
}
