import ArgumentParser
import Logging

@main
struct M2GRL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "m2grl",
        abstract: "Streaming multi-view graph embeddings (M2GRL) kept fresh from a Kafka event stream.",
        discussion: """
            Events (user, item, time, attributes such as category or shop) are cut into sessions; each view keeps its own weighted graph and random walks; a multi-task model learns one embedding table per view plus cross-view alignments; embeddings are published as numbered versions.

            Start here:
              m2grl broker                      run an embedded Kafka broker on 127.0.0.1
              m2grl <command> --help            options and examples of a command

            Exit codes: 0 success, 1 runtime failure, 64 invalid arguments or configuration.
            """,
        subcommands: [
            TrainCommand.self, EvalCommand.self, GenerateCommand.self, BrokerCommand.self, ProduceCommand.self,
            ServeCommand.self, ReplayCommand.self, StatusCommand.self, SimilarCommand.self, ExportCommand.self, ReportCommand.self, SnapshotCommand.self,
            DiffCommand.self,
        ]
    )
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func bootstrapLogging() throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level: '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "m2grl")
        logger.logLevel = level
        return logger
    }
}
