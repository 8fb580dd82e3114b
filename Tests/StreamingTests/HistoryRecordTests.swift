import Foundation
import Streaming
import Report
import Testing

@Suite("History records")
struct HistoryRecordTests {
    /// Lines as written before `checkpoint` records existed.
    static let olderLines = [
        #"{"deadLetters":0,"edges":{"item":12},"events":40,"eventsPerSecond":20.5,"kind":"ingest","lag":3,"nodes":{"item":7},"openSessions":2,"timeMs":1700000000000}"#,
        #"{"kind":"train","losses":{"intra:item":2.5},"taskLogVariances":{"intra:item":0.1},"timeMs":1700000000300,"tokens":900}"#,
        #"{"eventTimeWatermarkMs":1699999998000,"freshnessMs":2600,"kind":"publish","rows":7,"timeMs":1700000000600,"version":1,"versionKind":"snapshot"}"#,
    ]

    func write(_ lines: [String], to dir: TemporaryDirectory) throws {
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: dir.sub(HistoryRecord.fileName)))
    }

    @Test("a history written before checkpoint records reads as before")
    func olderFilesRead() throws {
        let dir = try TemporaryDirectory()
        try write(Self.olderLines, to: dir)
        let (records, skipped) = try HistoryRecord.read(stateDirectory: dir.path)
        #expect(skipped == 0)
        #expect(records.map(\.kind) == [.ingest, .train, .publish])
        #expect(records[0].events == 40 && records[1].tokens == 900 && records[2].version == 1)
        #expect(records.allSatisfy { $0.ok == nil && $0.reason == nil && $0.final == nil })
    }

    @Test("checkpoint records: ok, or failed with the reason; appended and read back next to older lines")
    func checkpointRecordsRoundTrip() throws {
        struct DiskFull: Error, CustomStringConvertible { var description: String { "no space left on device" } }
        let dir = try TemporaryDirectory()
        try write(Self.olderLines + [#"{"kind":"from-the-future","timeMs":1}"#], to: dir)
        let log = HistoryLog(stateDirectory: dir.path)
        log.append(HistoryRecord(checkpointOf: 4, final: false, failure: DiskFull(), timeMs: 1_700_000_001_000))
        log.append(HistoryRecord(checkpointOf: 5, final: true, timeMs: 1_700_000_002_000))
        let (records, skipped) = try HistoryRecord.read(stateDirectory: dir.path)
        #expect(skipped == 1, "a line of an unknown kind is skipped and counted")
        let checkpoints = records.filter { $0.kind == .checkpoint }
        #expect(checkpoints.count == 2)
        #expect(checkpoints[0].ok == false && checkpoints[0].reason == "no space left on device"
            && checkpoints[0].version == 4 && checkpoints[0].final == false)
        #expect(checkpoints[1].ok == true && checkpoints[1].reason == nil && checkpoints[1].version == 5 && checkpoints[1].final == true)
    }

    @Test("the report summary counts checkpoints and shows the last failure with its reason")
    func reportShowsCheckpointFailures() {
        struct Unwritable: Error, CustomStringConvertible { var description: String { "permission denied: state/model.new" } }
        let start: Int64 = 1_700_000_000_000
        let records = [
            HistoryRecord(checkpointOf: 1, final: false, timeMs: start),
            HistoryRecord(checkpointOf: 2, final: false, failure: Unwritable(), timeMs: start + 1_000),
            HistoryRecord(checkpointOf: 3, final: false, failure: Unwritable(), timeMs: start + 3_000),
        ]
        let html = ReportBuilder().build(ReportInput(records: records))
        #expect(html.contains("<th>Checkpoints</th><td>1 written, 2 failed</td>"), "\(html)")
        #expect(html.contains("<th>Last checkpoint</th><td>at 2023-11-14T22:13:20Z (version 1)</td>"))
        #expect(html.contains("<th>Last checkpoint failure</th><td>at 2023-11-14T22:13:23Z: permission denied: state/model.new; no checkpoint written since</td>"))
        #expect(html.contains("3 checkpoint)"))

        let recovered = ReportBuilder().build(ReportInput(records: records + [HistoryRecord(checkpointOf: 3, final: true, timeMs: start + 9_000)]))
        #expect(recovered.contains("<th>Checkpoints</th><td>2 written, 2 failed</td>"))
        #expect(!recovered.contains("no checkpoint written since"))
        #expect(!ReportBuilder().build(ReportInput(records: [])).contains("Checkpoints"))
    }
}
