import Foundation
import Streaming
import Testing

/// Numbers given on the command line are checked against their documented ranges before
/// any arithmetic or conversion: a value out of range ends the command with exit code 64 and
/// a message naming the option, never with a trap (docs/configuration.md, "Limits").
@Suite("Command-line numbers out of range", .serialized, .timeLimit(.minutes(3)))
struct CommandLineLimitsTests {
    static let pipeline = "pipelines/synthetic.yaml"  // tests run from the package root

    @Test("exit 64 naming the option", arguments: [
        (["snapshot", "--brokers", "127.0.0.1:1", "--topic", "t", "--out", "OUT", "--timeout", "1e300"], "--timeout"),
        (["snapshot", "--brokers", "127.0.0.1:1", "--topic", "t", "--out", "OUT", "--timeout", "nan"], "--timeout"),
        (["replay", "--pipeline", pipeline, "--events", "EVENTS", "--state", "STATE", "--from", "time:1e300"], "--from"),
        (["replay", "--pipeline", pipeline, "--events", "EVENTS", "--state", "STATE", "--until", "time:-1e300"], "--until"),
        (["replay", "--pipeline", pipeline, "--events", "EVENTS", "--state", "STATE", "--from", "time:nan"], "--from"),
        (["replay", "--pipeline", pipeline, "--events", "EVENTS", "--state", "STATE", "--from", "offsets:OFFSETS"], "--from"),
        (["replay", "--pipeline", pipeline, "--events", "EVENTS", "--state", "STATE", "--walks-per-node", "9223372036854775807"], "--walks-per-node"),
        (["replay", "--pipeline", pipeline, "--events", "EVENTS", "--state", "STATE", "--train-threads", "100000"], "--train-threads"),
        (["eval", "--pipeline", pipeline, "--events", "EVENTS", "--embeddings", "OUT", "--split-time", "1e300"], "--split-time"),
        (["eval", "--pipeline", pipeline, "--events", "EVENTS", "--embeddings", "OUT", "--split-time=-inf"], "--split-time"),
        (["serve", "--pipeline", pipeline, "--embedded", "--state", "STATE", "--stop-at-end", "--no-train", "--status-seconds", "inf"], "--status-seconds"),
        (["serve", "--pipeline", pipeline, "--embedded", "--state", "STATE", "--stop-at-end", "--no-train", "--walks-per-node", "4611686018427387904"], "--walks-per-node"),
        (["produce", "--brokers", "127.0.0.1:1", "--pipeline", pipeline, "--events", "EVENTS", "--rate", "1e-300"], "--rate"),
        (["serve", "--pipeline", pipeline, "--embedded", "--state", "STATE", "--ready-max-lag=-1"], "--ready-max-lag"),
        (["replay", "--pipeline", pipeline, "--events", "EVENTS", "--state", "STATE", "--ready-publish-intervals", "0"], "--ready-publish-intervals"),
        (["replay", "--pipeline", pipeline, "--events", "EVENTS", "--state", "STATE", "--metrics-address", "127.0.0.1:65536"], "--metrics-address"),
        (["train", "--walks", "EVENTS", "--out", "OUT", "--learning-rate", "nan"], "--learning-rate"),
        (["train", "--walks", "EVENTS", "--out", "OUT", "--align-passes", "9223372036854775807"], "--align-passes"),
        (["similar", "--embeddings", "OUT", "--view", "item", "--node", "x", "--k", "9223372036854775807"], "--k"),
    ])
    func rejected(arguments: [String], option: String) async throws {
        let dir = try TemporaryDirectory()
        // A replay offsets file whose offset is not an integer (it used to be truncated to 1).
        try Data(#"{"0": 1.5}"#.utf8).write(to: URL(fileURLWithPath: dir.sub("offsets.json")))
        let substituted = arguments.map {
            $0.replacingOccurrences(of: "OUT", with: dir.sub("out")).replacingOccurrences(of: "EVENTS", with: dir.sub("events.jsonl"))
                .replacingOccurrences(of: "STATE", with: dir.sub("state")).replacingOccurrences(of: "OFFSETS", with: dir.sub("offsets.json"))
        }
        let run = try await m2grl(substituted)
        #expect(run.status == 64, "\(arguments.joined(separator: " ")): exit \(run.status): \(run.output.suffix(1_000))")
        #expect(run.output.contains("\(option):"), "\(arguments.joined(separator: " ")): \(run.output.suffix(1_000))")
    }

    @Test func replayTimesOutsideTheEventRangeAreRejected() throws {
        #expect(throws: ReplayError.self) { try ReplayPlan.parseStart("time:1e300") }
        #expect(throws: ReplayError.self) { try ReplayPlan.parseEnd("time:-1") }
        #expect(throws: ReplayError.self) { try ReplayPlan.parseStart("time:2201-01-01T00:00:00Z") }
        #expect(try ReplayPlan.parseStart("time:1714521600.5") == .time(1_714_521_600_500))
        #expect(try ReplayPlan.parseEnd("time:2024-06-01T00:00:00Z") == .time(1_717_200_000_000))
        #expect(try ReplayPlan.parseEnd("time:2024-06-01T00:00:00.250Z") == .time(1_717_200_000_250))
    }
}
