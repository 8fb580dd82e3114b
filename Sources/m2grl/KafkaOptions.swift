import ArgumentParser
import Foundation
import Kafka
import Logging

/// How a command reaches Kafka: a real cluster (`--brokers`) or an in-process embedded one,
/// with librdkafka properties from a file, the environment and the command line.
struct KafkaOptions: ParsableArguments {
    @Option(name: .long, help: "Kafka bootstrap servers, host:port[,host:port...].")
    var brokers: String?

    @Option(name: .customLong("kafka-property-file"), help: ArgumentHelp(
        "A file of librdkafka properties, key=value lines (# comments), for secrets such as sasl.password: unlike --kafka-property, not visible in ps. Should be readable by its owner only (a warning says otherwise).",
        valueName: "file"))
    var kafkaPropertyFile: String?

    @Option(name: .customLong("kafka-property"), help: ArgumentHelp(
        "A librdkafka property passed through verbatim, key=value (repeatable), e.g. security.protocol=SASL_SSL. Wins over the file and M2GRL_KAFKA_* environment variables. Only known non-secret values are logged.",
        valueName: "key=value"))
    var kafkaProperties: [String] = []

    /// Whether librdkafka properties are given by option (the environment aside).
    var hasPropertyOptions: Bool { kafkaPropertyFile != nil || !kafkaProperties.isEmpty }

    /// The librdkafka properties, later sources winning: `--kafka-property-file`, then the
    /// `M2GRL_KAFKA_*` environment variables (``KafkaEnvironmentProperties``), then each
    /// `--kafka-property`. Warns when the file is readable by its group or others.
    func properties() throws -> [String: String] {
        var out: [String: String] = [:]
        if let kafkaPropertyFile {
            let file: KafkaPropertiesFile
            do { file = try KafkaPropertiesFile.read(path: kafkaPropertyFile) } catch {
                throw ValidationError("--kafka-property-file: \(error.message)")
            }
            if file.isReadableByOthers {
                Logger(label: "m2grl").warning("""
                    Kafka property file \(kafkaPropertyFile) is readable by its group or others (mode \
                    \(String(file.mode, radix: 8))): other users can read any secret in it; chmod 600 it
                    """)
            }
            out = file.properties
        }
        out.merge(KafkaEnvironmentProperties.properties(in: ProcessInfo.processInfo.environment)) { $1 }
        for p in kafkaProperties {
            do {
                let (k, v) = try KafkaConfiguration.parseProperty(p)
                out[k] = v
            } catch {
                throw ValidationError("--kafka-property: \(error.message)")
            }
        }
        return out
    }

    /// The configuration; `bootstrap.servers` is always `--brokers` (or `override`).
    func configuration(bootstrap override: String? = nil) throws -> KafkaConfiguration {
        guard let servers = override ?? brokers, !servers.isEmpty else {
            throw ValidationError("--brokers: missing (host:port of a Kafka cluster), or use --embedded where offered")
        }
        return KafkaConfiguration(bootstrapServers: servers, properties: try properties())
    }
}
