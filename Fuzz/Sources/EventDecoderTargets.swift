import Foundation
@testable import Model
import ModelFiles

/// The event decoder: one Kafka message (`event-json`), and whole event files through the
/// file loader in JSON Lines, CSV and TSV (`event-file`: line splitting, byte order mark,
/// the CSV/TSV header and row path).
enum EventDecoderTargets {
    /// The synthetic pipeline's fields, plus an action; times in seconds.
    static let secondsMapping = EventFieldMapping(
        user: "user_id", item: "item_id", time: "timestamp", timeUnit: .seconds, action: "action",
        attributes: [.init(field: "category", view: "category"), .init(field: "shop", view: "shop")])
    /// Times in milliseconds, no action, small limits (the size checks are reached).
    static let millisMapping = EventFieldMapping(
        user: "u", item: "i", time: "t", timeUnit: .milliseconds,
        attributes: [.init(field: "c", view: "category")],
        limits: EventLimits(maxRecordBytes: 512, maxFieldBytes: 16))
    /// Wall clocks the decoder is run with: a realistic one and both ends of `Int64`.
    static let wallClocks: [Int64] = [1_700_000_000_000, .max, .min]

    static let json = FuzzTarget(name: "event-json", run: { bytes in
        var accepted = false
        for mapping in [secondsMapping, millisMapping] {
            let decoder = EventDecoder(mapping: mapping)
            for now in wallClocks {
                guard case .success(let event) = decoder.decodeJSON(bytes, nowMillis: now) else { continue }
                accepted = true
                checkAccepted(event, mapping: mapping, nowMillis: now)
                // What was accepted, written back as JSON with times in milliseconds, decodes
                // to the same event. The size limits were checked on the input (above); the
                // re-encoding may be longer (escapes such as `\/`, and a multi-valued field's
                // limit counts the array as written), so they do not apply to it.
                var again = mapping
                again.timeUnit = .milliseconds
                again.limits.maxRecordBytes = .max
                again.limits.maxFieldBytes = .max
                let reencoded = encodeJSON(event, mapping: again)
                let redecoded = EventDecoder(mapping: again).decodeJSON(reencoded, nowMillis: now)
                FuzzCheck.require(
                    redecoded == .success(event),
                    "\(event) re-encoded as \(String(decoding: reencoded, as: UTF8.self)) decodes to \(redecoded)")
            }
        }
        return accepted
    }, seeds: {
        [
            "seconds": Array(#"{"user_id":"u1","item_id":"i7","timestamp":1700000000,"category":"c2","shop":"s3"}"#.utf8),
            "action-number-ids": Array(#"{"user_id":42,"item_id":7,"timestamp":"1700000000.5","action":"buy","extra":[1,{"x":null}]}"#.utf8),
            "escapes": Array(#"{"user_id":"\u00e9l\u00e8ve","item_id":"caf\u00e9 \"x\"","timestamp":1.7e9,"category":null}"#.utf8),
            "millis": Array(#"{"u":"a","i":"b","t":1700000000000,"c":"z"}"#.utf8),
        ]
    })

    static let file = FuzzTarget(name: "event-file", run: { bytes in
        guard (try? Data(bytes).write(to: scratchFile)) != nil else { return false }
        var accepted = false
        for format in [PipelineConfig.EventFormat.jsonl, .csv, .tsv] {
            let loader = EventFileLoader(format: format, mapping: millisMapping, wallClock: { wallClocks[0] })
            let report = try? loader.forEachEvent(path: scratchFile.path) {
                checkAccepted($0, mapping: millisMapping, nowMillis: wallClocks[0])
            }
            if let report {
                accepted = true
                FuzzCheck.require(
                    report.eventsAccepted + report.malformedCount + report.blankLines <= report.linesRead,
                    "\(format): more outcomes than lines in \(report)")
            }
        }
        return accepted
    }, seeds: {
        [
            "jsonl": Array("{\"u\":\"a\",\"i\":\"b\",\"t\":1700000000000}\n\n{\"u\":\"a\",\"i\":\"c\",\"t\":1700000001000,\"c\":\"x\"}\n".utf8),
            "csv": Array("\u{FEFF}u,i,t,c\r\na,b,1700000000000,x\n\"q,\"\"r\",c,1700000001000,\n".utf8),
            "tsv": Array("t\tu\ti\tc\n1700000000000\ta\tb\t\n1700000002000\ta\tc\tz\n".utf8),
        ]
    })

    /// What every accepted event must respect, whatever the input.
    static func checkAccepted(_ event: Event, mapping: EventFieldMapping, nowMillis: Int64) {
        let limits = mapping.limits
        FuzzCheck.require(!event.user.isEmpty && !event.item.isEmpty, "empty id in \(event)")
        FuzzCheck.require(
            event.timestampMillis >= limits.minTimestampMillis && event.timestampMillis <= limits.maxTimestampMillis
                && event.timestampMillis <= limits.latestAcceptedMillis(nowMillis: nowMillis),
            "timestamp out of range in \(event)")
        for value in [event.user, event.item, event.action ?? ""] + event.attributes.values.joined() {
            FuzzCheck.require(ControlCharacters.first(in: value) == nil, "control character in \(event)")
            FuzzCheck.require(value.utf8.count <= limits.maxFieldBytes, "oversized field in \(event)")
        }
        FuzzCheck.require(
            Set(event.attributes.keys).isSubset(of: mapping.attributes.map(\.view)), "unknown view in \(event)")
    }

    /// `event` as a flat JSON object of `mapping`'s fields (time in milliseconds).
    static func encodeJSON(_ event: Event, mapping: EventFieldMapping) -> [UInt8] {
        var object: [String: Any] = [mapping.user: event.user, mapping.item: event.item, mapping.time: event.timestampMillis]
        if let action = mapping.action, let value = event.action { object[action] = value }
        for attribute in mapping.attributes {
            // One value as a plain string (as most producers write it), several as an array.
            if let values = event.attributes[attribute.view] {
                object[attribute.field] = values.count == 1 ? values[0] as Any : values as Any
            }
        }
        return (try? JSONSerialization.data(withJSONObject: object)).map { Array($0) } ?? []
    }

    /// The file the `event-file` target loads (one per process).
    static let scratchFile = FileManager.default.temporaryDirectory
        .appendingPathComponent("m2grl-fuzz-\(ProcessInfo.processInfo.processIdentifier).events")
}
