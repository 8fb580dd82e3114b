import Foundation
import Testing

@testable import Model
import ModelFiles

/// Input the decoder must refuse so that it cannot break what is built from it later: ids
/// with control characters (they break the `.nodes` files of every checkpoint) and event
/// times far past the wall clock (they drag a partition's event clock forward).
@Suite struct EventDecoderHardeningTests {
    /// The wall clock the tests decode at: 2023-11-14T22:13:20Z.
    static let now: Int64 = 1_700_000_000_000

    func config(format: String = "jsonl", events: String = "") throws -> PipelineConfig {
        try EventLoaderDataTests.config(format: format, events: events)
    }

    func decoder(events: String = "") throws -> EventDecoder {
        EventDecoder(mapping: EventFieldMapping(config: try config(events: events)))
    }

    /// The rejection of one JSON record, nil when accepted.
    func rejection(_ json: String) throws -> EventRejection? {
        rejection(bytes: Array(json.utf8), decoder: try decoder())
    }

    func rejection(bytes: [UInt8], decoder: EventDecoder, now: Int64 = Self.now) -> EventRejection? {
        if case .failure(let rejection) = decoder.decodeJSON(bytes, nowMillis: now) { return rejection }
        return nil
    }

    // MARK: control characters

    @Test("an escaped control character in any id field is rejected, naming the field and the character")
    func escapedControlCharactersAreRejected() throws {
        let escapes: [(String, UInt32)] = [
            (#"\n"#, 0x0A), (#"\r"#, 0x0D), (#"\t"#, 0x09), (#"\b"#, 0x08), (#"\f"#, 0x0C),
            (#"\u0000"#, 0x00), (#"\u001f"#, 0x1F), (#"\u007F"#, 0x7F), (#"\u0080"#, 0x80), (#"\u0085"#, 0x85),
            (#"\u009f"#, 0x9F),
        ]
        let fields = ["user_id", "item_id", "kind", "cat"]
        for (escape, codePoint) in escapes {
            for field in fields {
                var values = ["user_id": "u", "item_id": "i", "kind": "click", "cat": "c"]
                values[field] = "a\(escape)b"
                let json = "{" + values.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
                    + ",\"timestamp\":1600000000}"
                let got = try rejection(json)
                #expect(got == .controlCharacter(field: field, codePoint: codePoint), "\(json)")
                #expect(got?.code == "control_character")
            }
        }
        #expect(EventRejection.controlCharacter(field: "item_id", codePoint: 0x0A).description
            == "field 'item_id' contains the control character U+000A")
    }

    @Test("raw DEL and C1 bytes (valid JSON) are rejected; other non-ASCII text is kept")
    func rawControlBytesAreRejected() throws {
        let decoder = try decoder()
        func record(item: [UInt8]) -> [UInt8] {
            Array(#"{"user_id":"u","timestamp":1,"item_id":""#.utf8) + item + Array(#""}"#.utf8)
        }
        #expect(rejection(bytes: record(item: [0x61, 0x7F]), decoder: decoder) == .controlCharacter(field: "item_id", codePoint: 0x7F))
        #expect(rejection(bytes: record(item: [0x61, 0xC2, 0x85]), decoder: decoder) == .controlCharacter(field: "item_id", codePoint: 0x85))
        #expect(rejection(bytes: record(item: [0xC2, 0x80]), decoder: decoder) == .controlCharacter(field: "item_id", codePoint: 0x80))
        // U+00A0 (C2 A0), é (C3 A9), U+2028 and an emoji are not control characters.
        for item in [[0xC2, 0xA0], [0xC3, 0xA9], [0xE2, 0x80, 0xA8], Array("😀".utf8), Array("x~".utf8)] as [[UInt8]] {
            let result = decoder.decodeJSON(record(item: item), nowMillis: Self.now)
            #expect((try? result.get())?.item == String(decoding: item, as: UTF8.self))
        }
        // The time field is a number; spaces and tabs around a numeric string are trimmed.
        #expect(try rejection(#"{"user_id":"u","item_id":"i","timestamp":"\t1600000000 "}"#) == nil)
    }

    @Test("the file loader reports lines with control characters as malformed, in JSONL, CSV and TSV")
    func fileLoaderRejectsControlCharacters() throws {
        let jsonl = [
            #"{"user_id":"u1","item_id":"a\nb","timestamp":10}"#,
            #"{"user_id":"u1","item_id":"ok","timestamp":11,"cat":"c\u0000"}"#,
            #"{"user_id":"u1","item_id":"ok","timestamp":12}"#,
        ].joined(separator: "\n")
        let csv = "user_id,item_id,timestamp,cat,kind\nu1,\"a\rb\",10,c,view\nu1,ok,11,c\u{85},view\nu1,ok,12,c,view\u{7F}\nu1,ok,13,c,view\n"
        let tsv = "user_id\titem_id\ttimestamp\tcat\tkind\nu\u{1}1\tok\t10\tc\tview\nu1\tok\t11\tc\tview\n"
        for (format, text, expected) in [
            ("jsonl", jsonl, [("item_id", UInt32(0x0A)), ("cat", 0x00)]),
            ("csv", csv, [("item_id", 0x0D), ("cat", 0x85), ("kind", 0x7F)]),
            ("tsv", tsv, [("user_id", 0x01)]),
        ] {
            let path = try writeDataTestFile(text, suffix: "." + format)
            let loader = EventFileLoader(config: try config(format: format), wallClock: { Self.now })
            let (events, report) = try loader.load(path: path)
            #expect(events.count == 1 && events.allSatisfy { $0.item == "ok" }, "\(format)")
            #expect(report.malformedExamples.map(\.reason) == expected.map { .controlCharacter(field: $0.0, codePoint: $0.1) }, "\(format)")
        }
    }

    // MARK: future timestamps

    @Test("an event later than the wall clock plus the skew is rejected as future_timestamp")
    func futureTimestampsAreRejected() throws {
        let decoder = try decoder()
        func record(seconds: Int64) -> [UInt8] { Array(#"{"user_id":"u","item_id":"i","timestamp":\#(seconds)}"#.utf8) }
        let nowSeconds = Self.now / 1000
        #expect(rejection(bytes: record(seconds: nowSeconds + 300), decoder: decoder) == nil)  // default skew: 300 s
        #expect(rejection(bytes: record(seconds: nowSeconds + 301), decoder: decoder) == .futureTimestamp("\(nowSeconds + 301)"))
        #expect(rejection(bytes: record(seconds: nowSeconds + 301), decoder: decoder)?.code == "future_timestamp")
        // Year 2150: before the 2200 bound (not absurd), far in the future.
        #expect(rejection(bytes: record(seconds: 5_680_000_000), decoder: decoder)?.code == "future_timestamp")
        // The same event is accepted by a decoder whose clock has caught up.
        #expect(rejection(bytes: record(seconds: nowSeconds + 301), decoder: decoder, now: Self.now + 1_000) == nil)
        // Past the 2200 bound stays an absurd timestamp.
        #expect(rejection(bytes: record(seconds: 99_999_999_999), decoder: decoder)?.code == "absurd_timestamp")

        let strict = try self.decoder(events: "  max_future_skew_seconds: 0.5")
        let millis = try self.decoder(events: "  max_future_skew_seconds: 0\n  time_unit: milliseconds")
        func recordMillis(_ ms: Int64) -> [UInt8] { Array(#"{"user_id":"u","item_id":"i","timestamp":\#(ms)}"#.utf8) }
        #expect(rejection(bytes: recordMillis(Self.now), decoder: millis) == nil)
        #expect(rejection(bytes: recordMillis(Self.now + 1), decoder: millis)?.code == "future_timestamp")
        #expect(rejection(bytes: Array(#"{"user_id":"u","item_id":"i","timestamp":\#(nowSeconds).5}"#.utf8), decoder: strict) == nil)
        #expect(rejection(bytes: Array(#"{"user_id":"u","item_id":"i","timestamp":\#(nowSeconds).6}"#.utf8), decoder: strict)?.code == "future_timestamp")
    }

    @Test("the file loader reads the wall clock it is given, once per load, and reports future events as malformed")
    func fileLoaderRejectsFutureEvents() throws {
        let nowSeconds = Self.now / 1000
        let text = [
            #"{"user_id":"u1","item_id":"a","timestamp":\#(nowSeconds - 10)}"#,
            #"{"user_id":"u1","item_id":"b","timestamp":\#(nowSeconds + 3600)}"#,
        ].joined(separator: "\n")
        let path = try writeDataTestFile(text, suffix: ".jsonl")
        let pipeline = try config()
        let reads = ClockReads()
        let (events, report) = try EventFileLoader(config: pipeline, wallClock: { reads.read(Self.now) }).load(path: path)
        #expect(events.map(\.item) == ["a"])
        #expect(report.malformedExamples.map(\.lineNumber) == [2])
        #expect(report.malformedExamples.map(\.reason) == [.futureTimestamp("\(nowSeconds + 3600)")])
        #expect(reads.count == 1)
        // An hour later both events are in the past.
        let later = try EventFileLoader(config: pipeline, wallClock: { Self.now + 3_600_000 }).load(path: path)
        #expect(later.events.map(\.item) == ["a", "b"])
    }

    @Test("events.max_future_skew_seconds defaults to 300 and must be a finite number from 0 to the accepted time span")
    func skewSetting() throws {
        #expect(try config().events.maxFutureSkewSeconds == 300)
        #expect(EventFieldMapping(config: try config()).limits.maxFutureSkewMillis == 300_000)
        let zero = try config(events: "  max_future_skew_seconds: 0")
        #expect(EventFieldMapping(config: zero).limits.maxFutureSkewMillis == 0)
        let largest = try config(events: "  max_future_skew_seconds: 7258118400")
        #expect(EventFieldMapping(config: largest).limits.maxFutureSkewMillis == 7_258_118_400_000)
        for bad in ["-1", "1e300", ".inf", ".nan", "7258118401", "soon"] {
            do {
                _ = try config(events: "  max_future_skew_seconds: \(bad)")
                Issue.record("max_future_skew_seconds: \(bad) accepted")
            } catch let error as PipelineConfigError {
                #expect(error.field == "events.max_future_skew_seconds", "\(error)")
            }
        }
    }

    @Test("a skew set in code, out of range, converts without a trap and the bound saturates")
    func skewConversionIsSafe() {
        #expect(EventLimits.milliseconds(fromSeconds: 1e300) == .max)
        #expect(EventLimits.milliseconds(fromSeconds: .infinity) == .max)
        #expect(EventLimits.milliseconds(fromSeconds: -5) == 0)
        #expect(EventLimits.milliseconds(fromSeconds: .nan) == 0)
        #expect(EventLimits.milliseconds(fromSeconds: 1.5) == 1_500)
        var config = PipelineConfig(name: "t", events: PipelineConfig.Events(maxFutureSkewSeconds: 1e300))
        let decoder = EventDecoder(mapping: EventFieldMapping(config: config))
        #expect(decoder.mapping.limits.latestAcceptedMillis(nowMillis: Self.now) == .max)
        #expect(rejection(bytes: Array(#"{"user_id":"u","item_id":"i","timestamp":5680000000}"#.utf8), decoder: decoder) == nil)
        config.events.maxFutureSkewSeconds = -.infinity
        #expect(EventFieldMapping(config: config).limits.latestAcceptedMillis(nowMillis: Self.now) == Self.now)
        #expect(EventLimits(maxFutureSkewMillis: 10).latestAcceptedMillis(nowMillis: .max - 5) == .max)
    }
}

/// Counts the reads of a test wall clock.
private final class ClockReads: @unchecked Sendable {
    private let lock = NSLock()
    private var reads = 0

    func read(_ value: Int64) -> Int64 {
        lock.withLock { reads += 1 }
        return value
    }

    var count: Int { lock.withLock { reads } }
}
