import Foundation
import Testing

@testable import Model
import ModelFiles

@Suite struct EventLoaderDataTests {
    /// Fields user_id, item_id, timestamp, kind (action) and cat (view `category`);
    /// `events` adds lines to the `events:` section (indented by two spaces).
    static func config(format: String, events: String = "", extra: String = "") throws -> PipelineConfig {
        try PipelineConfig.parse(
            yaml: """
                name: t
                events:
                  format: \(format)
                  user: user_id
                  item: item_id
                  time: timestamp
                  action: kind
                \(events)
                views:
                  - name: category
                    field: cat
                \(extra)
                """)
    }

    func config(format: String, extra: String = "") throws -> PipelineConfig {
        try Self.config(format: format, extra: extra)
    }

    @Test func loadsJSONLWithNumbersOrStringsAndReportsMalformedLines() throws {
        let lines = [
            #"{"user_id": 7, "item_id": "a", "timestamp": 100, "cat": "c1", "kind": "click"}"#,
            #"{"user_id": "u2", "item_id": 42, "timestamp": 100.5, "extra": {"nested": [1, "}"]}}"#,
            #"not json"#,
            "",
            #"{"user_id": "u3", "timestamp": 5}"#,
            #"{"user_id": "u3", "item_id": true, "timestamp": 5}"#,
            #"{"user_id": "u3", "item_id": "b", "timestamp": 99999999999999}"#,
            #"{"user_id": "u\u00e9", "item_id": "b\"q", "timestamp": "200", "cat": null}"#,
        ]
        let path = try writeDataTestFile(lines.joined(separator: "\n"), suffix: ".jsonl")
        let (events, report) = try EventFileLoader(config: config(format: "jsonl")).load(path: path)
        #expect(events.count == 3)
        #expect(events[0] == Event(user: "7", item: "a", timestampMillis: 100_000, action: "click", attributes: ["category": "c1"]))
        #expect(events[1] == Event(user: "u2", item: "42", timestampMillis: 100_500))
        #expect(events[2] == Event(user: "ué", item: "b\"q", timestampMillis: 200_000))
        #expect(report.eventsAccepted == 3 && report.malformedCount == 4 && report.blankLines == 1)
        #expect(report.malformedExamples.map(\.lineNumber) == [3, 5, 6, 7])
        #expect(report.malformedExamples.map(\.reason.code) == ["not_json", "missing_field", "wrong_type", "absurd_timestamp"])
        #expect(report.malformedExamples[1].reason == .missingField("item_id"))
    }

    @Test func loadsCSVWithQuotesAndTSV() throws {
        let csv = "user_id,item_id,timestamp,cat,kind\nu1,\"i,1\",10,c1,view\nu1,i2,20,,\nu1,i3\nu2,\"i\"\"4\",30,c2,buy\n"
        let csvPath = try writeDataTestFile(csv, suffix: ".csv")
        let (events, report) = try EventFileLoader(config: config(format: "csv")).load(path: csvPath)
        #expect(events.map(\.item) == ["i,1", "i2", "i\"4"])
        #expect(events[1].attributes.isEmpty && events[1].action == nil)
        #expect(events[2].attributes == ["category": ["c2"]])
        #expect(report.malformedExamples.map(\.lineNumber) == [4])
        #expect(report.malformedExamples.first?.reason.code == "bad_row")

        let tsv = "\u{FEFF}kind\tcat\ttimestamp\titem_id\tuser_id\r\nview\tc9\t5\tx\ty\r\n"
        let tsvPath = try writeDataTestFile(tsv, suffix: ".tsv")
        let (tsvEvents, _) = try EventFileLoader(config: config(format: "tsv")).load(path: tsvPath)
        #expect(tsvEvents == [Event(user: "y", item: "x", timestampMillis: 5_000, action: "view", attributes: ["category": "c9"])])
    }

    @Test func headerMissingAMappedColumnIsAClearError() throws {
        let path = try writeDataTestFile("user_id,item_id,cat,kind\nu,i,c,k\n", suffix: ".csv")
        #expect(throws: EventLoadError.missingColumns(path: path, fields: ["timestamp"])) {
            try EventFileLoader(config: config(format: "csv")).load(path: path)
        }
    }

    @Test func emptyAndAllInvalidFilesAreErrors() throws {
        let empty = try writeDataTestFile("\n\n", suffix: ".jsonl")
        #expect(throws: EventLoadError.emptyFile(path: empty)) {
            try EventFileLoader(config: config(format: "jsonl")).load(path: empty)
        }
        let invalid = try writeDataTestFile("{\n[1]\n{\"user_id\":1}\n", suffix: ".jsonl")
        do {
            _ = try EventFileLoader(config: config(format: "jsonl")).load(path: invalid)
            Issue.record("expected an error")
        } catch let EventLoadError.noValidEvents(report) {
            #expect(report.malformedCount == 3)
            #expect(report.malformedExamples.map(\.lineNumber) == [1, 2, 3])
        }
        #expect(throws: EventLoadError.cannotOpen(path: "/nonexistent/file")) {
            try EventFileLoader(config: config(format: "jsonl")).load(path: "/nonexistent/file")
        }
    }

    @Test func keepsOnlyTheFirstTenExamples() throws {
        let text = (0..<25).map { _ in "garbage" }.joined(separator: "\n") + "\n{\"user_id\":1,\"item_id\":2,\"timestamp\":3}"
        let path = try writeDataTestFile(text, suffix: ".jsonl")
        let (events, report) = try EventFileLoader(config: config(format: "jsonl")).load(path: path)
        #expect(events.count == 1)
        #expect(report.malformedCount == 25)
        #expect(report.malformedExamples.count == EventLoadReport.maxExamples)
        #expect(report.malformedExamples.last?.lineNumber == 10)
    }

    @Test func streamsFilesLargerThanOneChunk() throws {
        // More than 1 MiB so lines straddle chunk boundaries.
        let line = #"{"user_id":"some-user-name","item_id":"item-with-a-long-name","timestamp":1600000000}"#
        let count = 15_000
        let path = try writeDataTestFile(Array(repeating: line, count: count).joined(separator: "\n"), suffix: ".jsonl")
        var seen = 0
        let report = try EventFileLoader(config: config(format: "jsonl")).forEachEvent(path: path) { event in
            if event.item == "item-with-a-long-name" { seen += 1 }
        }
        #expect(seen == count && report.malformedCount == 0)
    }

    @Test func decoderRejectsBadMessagesWithTypedReasons() throws {
        let decoder = EventDecoder(mapping: EventFieldMapping(config: try config(format: "jsonl")))
        func reason(_ text: String) -> String? {
            if case .failure(let rejection) = decoder.decodeJSON(Array(text.utf8), nowMillis: 1_700_000_000_000) { return rejection.code }
            return nil
        }
        #expect(reason(#"{"user_id":1,"item_id":2,"timestamp":3}"#) == nil)
        #expect(reason("[1,2]") == "not_json")
        #expect(reason(#"{"user_id":1,"item_id":2,"timestamp":3} x"#) == "not_json")
        #expect(reason(#"{"user_id":1,"item_id":2}"#) == "missing_field")
        #expect(reason(#"{"user_id":"","item_id":2,"timestamp":3}"#) == "missing_field")
        #expect(reason(#"{"user_id":{},"item_id":2,"timestamp":3}"#) == "wrong_type")
        #expect(reason(#"{"user_id":1,"item_id":2,"timestamp":"soon"}"#) == "absurd_timestamp")
        #expect(reason(#"{"user_id":1,"item_id":2,"timestamp":-5}"#) == "absurd_timestamp")
        #expect(reason(#"{"user_id":1,"item_id":2,"timestamp":1e300}"#) == "absurd_timestamp")
        let long = String(repeating: "x", count: 2_000)
        #expect(reason(#"{"user_id":"\#(long)","item_id":2,"timestamp":3}"#) == "oversized_field")
        let huge = String(repeating: " ", count: 70_000)
        #expect(reason(#"{"user_id":1,"item_id":2,"timestamp":3}\#(huge)"#) == "oversized_message")
        #expect(reason("{\"user_id\":\"\u{FF}\",\"item_id\":2,\"timestamp\":3}") == nil)
        var invalid = Array(#"{"user_id":"ab","item_id":2,"timestamp":3}"#.utf8)
        invalid[13] = 0xFF
        #expect(reason(String(decoding: invalid, as: UTF8.self)) == nil)  // replaced by U+FFFD when made a String
        if case .failure(let rejection) = decoder.decodeJSON(invalid, nowMillis: 1_700_000_000_000) {
            #expect(rejection == .invalidUTF8)
        } else {
            Issue.record("invalid UTF-8 accepted")
        }
    }
}
