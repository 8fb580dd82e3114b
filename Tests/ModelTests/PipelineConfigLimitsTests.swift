import Foundation
import Testing

@testable import Model

/// Every number of a pipeline file is checked against its documented range at parse time
/// (docs/configuration.md), so no value can overflow or trap when it is converted or used.
@Suite struct PipelineConfigLimitsTests {
    func parseError(_ yaml: String) -> String? {
        do {
            _ = try PipelineConfig.parse(yaml: dataTestPipelineYAML + "\n" + yaml, source: "p.yaml")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("a value out of its range fails naming the field", arguments: [
        ("sessions: {gap_seconds: 1e17}", "sessions.gap_seconds"),
        ("sessions: {gap_seconds: 31536001}", "sessions.gap_seconds"),
        ("sessions: {gap_seconds: .inf}", "sessions.gap_seconds"),
        ("sessions: {gap_seconds: .nan}", "sessions.gap_seconds"),
        ("sessions: {gap_seconds: 0.0001}", "sessions.gap_seconds"),
        ("sessions: {min_dwell_seconds: 1e17}", "sessions.min_dwell_seconds"),
        ("sessions: {min_dwell_seconds: -1}", "sessions.min_dwell_seconds"),
        ("publish: {interval_seconds: 1e300}", "publish.interval_seconds"),
        ("publish: {interval_seconds: 86401}", "publish.interval_seconds"),
        ("publish: {interval_seconds: .inf}", "publish.interval_seconds"),
        ("online: {checkpoint_seconds: 1e300}", "online.checkpoint_seconds"),
        ("online: {checkpoint_seconds: .nan}", "online.checkpoint_seconds"),
        ("online: {walks_per_round: 4611686018427387904}", "online.walks_per_round"),
        ("online: {final_epochs: 10001}", "online.final_epochs"),
        ("online: {stability_pull: 1.5}", "online.stability_pull"),
        ("online: {stability_pull: -0.1}", "online.stability_pull"),
        ("online: {stability_pull: .nan}", "online.stability_pull"),
        ("walks: {length: 1001}", "walks.length"),
        ("walks: {per_node: 1001}", "walks.per_node"),
        ("training: {dim: 4097}", "training.dim"),
        ("training: {window: 101}", "training.window"),
        ("training: {epochs: 10001}", "training.epochs"),
        ("training: {batch_size: 4097}", "training.batch_size"),
        ("training: {threads: 65}", "training.threads"),
        ("training: {align_passes: 1001}", "training.align_passes"),
        ("training: {align_negatives: 1001}", "training.align_negatives"),
        ("training: {negatives: 1001}", "training.negatives"),
        ("training: {negatives: {item: 1001}}", "training.negatives.item"),
        ("training: {learning_rate: 1.5}", "training.learning_rate"),
        ("kafka: {topic: t, partitions: 3000000000}", "kafka.partitions"),
    ])
    func outOfRange(yaml: String, field: String) {
        let error = parseError(yaml)
        #expect(error?.hasPrefix("p.yaml: \(field): must be") == true, "\(yaml): \(error ?? "accepted")")
    }

    @Test("the bounds themselves are accepted", arguments: [
        "sessions: {gap_seconds: 31536000, min_dwell_seconds: 31536000}",
        "sessions: {gap_seconds: 0.001, min_dwell_seconds: 0}",
        "publish: {interval_seconds: 86400}",
        "online: {checkpoint_seconds: 86400, walks_per_round: 1000000, final_epochs: 10000}",
        "online: {stability_pull: 0}",
        "online: {stability_pull: 1}",
        "walks: {length: 1000, per_node: 1000}",
        "training: {dim: 4096, window: 100, epochs: 10000, batch_size: 4096, threads: 64, align_passes: 1000, align_negatives: 1000, negatives: 1000}",
        "kafka: {topic: t, partitions: 10000}",
    ])
    func bounds(yaml: String) {
        #expect(parseError(yaml) == nil, "\(yaml)")
    }

    @Test func secondsAreConvertedOnceAtParseTime() throws {
        let config = try PipelineConfig.parse(yaml: dataTestPipelineYAML + """

            sessions: {gap_seconds: 90.5, min_dwell_seconds: 1.5}
            publish: {interval_seconds: 2.5}
            online: {checkpoint_seconds: 0.25, stability_pull: 0.3}
            """)
        #expect(config.online.stabilityPull == 0.3)
        #expect(config.sessions.gapMilliseconds == 90_500)
        #expect(config.sessions.minDwellMilliseconds == 1_500)
        #expect(config.sessions.gapSeconds == 90.5 && config.sessions.minDwellSeconds == 1.5)
        #expect(config.publish.interval == .milliseconds(2_500))
        #expect(config.online.checkpointInterval == .milliseconds(250))
        let defaults = try PipelineConfig.parse(yaml: dataTestPipelineYAML)
        #expect(defaults.sessions.gapMilliseconds == 1_800_000 && defaults.sessions.minDwellMilliseconds == nil)
        #expect(defaults.publish.interval == .seconds(5) && defaults.online.checkpointInterval == .seconds(60))
        #expect(defaults.online.stabilityPull == 0)
    }

    @Test("a dwell given in code beyond the range is clamped, not trapped on when a session closes")
    func dwellFromCodeIsClamped() {
        let sessions = PipelineConfig.Sessions(gapSeconds: 60, minLength: 1, minDwellSeconds: 1e17)
        #expect(sessions.minDwellMilliseconds == Int64(ConfigLimits.dwellSeconds.upperBound * 1000))
        let events = (0..<3).map { Event(user: "u", item: "i\($0)", timestampMillis: Int64($0) * 10_000) }
        let (cut, statistics) = SessionCutter.cut(events, config: sessions)
        #expect(cut.map { $0.events.map(\.item) } == [["i2"]])
        #expect(statistics.shortDwellEvents == 2)
        #expect(PipelineConfig.Sessions(gapSeconds: .infinity).gapMilliseconds == Int64(ConfigLimits.gapSeconds.upperBound * 1000))
        #expect(PipelineConfig.Sessions(gapSeconds: .nan).gapMilliseconds == Int64(ConfigLimits.gapSeconds.lowerBound * 1000))
    }
}
