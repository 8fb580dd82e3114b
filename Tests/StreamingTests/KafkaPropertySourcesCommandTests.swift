import Foundation
import Testing

/// `m2grl serve` takes librdkafka properties from `--kafka-property-file`, then `M2GRL_KAFKA_*`
/// environment variables, then `--kafka-property` (later wins), warns when the file is
/// readable by others, and logs only the values of known non-secret keys.
@Suite("Kafka properties from a file, the environment and the command line", .serialized, .timeLimit(.minutes(2)))
struct KafkaPropertySourcesCommandTests {
    /// Runs serve on an embedded broker with `file` as its property file; the misspelled
    /// `sasl.pasword` makes librdkafka refuse the configuration right after it is logged.
    func serve(fileMode: Int, in dir: TemporaryDirectory) async throws -> (status: Int32, output: String) {
        let file = dir.sub("kafka.properties")
        try Data("""
            # secrets of the test
            client.id=from-file
            sasl.password=file-secret
            sasl.pasword=typo-secret
            linger.ms=7
            """.utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: fileMode], ofItemAtPath: file)
        return try await m2grl(
            ["serve", "--pipeline", "pipelines/synthetic.yaml", "--embedded", "--state", dir.sub("state"), "--stop-at-end",
             "--no-train", "--kafka-property-file", file, "--kafka-property", "linger.ms=11"],
            environment: ["M2GRL_KAFKA_CLIENT_ID": "from-env", "M2GRL_KAFKA_LINGER_MS": "9"])
    }

    @Test func laterSourcesWinAndSecretsStayOutOfTheLog() async throws {
        let dir = try TemporaryDirectory()
        let run = try await serve(fileMode: 0o644, in: dir)
        #expect(run.output.contains("client.id=from-env"), "environment over file: \(run.output)")
        #expect(run.output.contains("linger.ms=11"), "command line over environment: \(run.output)")
        #expect(run.output.contains("sasl.password=[redacted]") && run.output.contains("sasl.pasword=[redacted]"), "\(run.output)")
        #expect(!run.output.contains("file-secret") && !run.output.contains("typo-secret"), "\(run.output)")
        #expect(run.output.contains("is readable by its group or others (mode 644)"), "\(run.output)")
        #expect(run.status == 1 && run.output.contains("'sasl.pasword': No such configuration property"), "\(run.output)")
    }

    @Test func aPrivateFileGivesNoWarning() async throws {
        let dir = try TemporaryDirectory()
        let run = try await serve(fileMode: 0o600, in: dir)
        #expect(run.output.contains("sasl.password=[redacted]"), "the file was read: \(run.output)")
        #expect(!run.output.contains("readable by its group or others"), "\(run.output)")
    }

    @Test func anUnreadableFileIsAnInvalidArgument() async throws {
        let dir = try TemporaryDirectory()
        let run = try await m2grl(["serve", "--pipeline", "pipelines/synthetic.yaml", "--embedded", "--state", dir.sub("state"),
                                   "--kafka-property-file", dir.sub("missing.properties")])
        #expect(run.status == 64 && run.output.contains("--kafka-property-file: cannot read"), "\(run.output)")
    }
}
