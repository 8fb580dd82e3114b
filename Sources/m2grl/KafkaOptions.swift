import ArgumentParser
import Kafka

/// How a command reaches Kafka: a real cluster (`--brokers`) or an in-process embedded one.
struct KafkaOptions: ParsableArguments {
    @Option(name: .long, help: "Kafka bootstrap servers, host:port[,host:port...].")
    var brokers: String?

    @Option(name: .customLong("kafka-property"), help: ArgumentHelp(
        "A librdkafka property passed through verbatim, key=value (repeatable), e.g. security.protocol=SASL_SSL. Secret values are never logged.",
        valueName: "key=value"))
    var kafkaProperties: [String] = []

    func properties() throws -> [String: String] {
        var out: [String: String] = [:]
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

    func configuration(bootstrap override: String? = nil) throws -> KafkaConfiguration {
        guard let servers = override ?? brokers, !servers.isEmpty else {
            throw ValidationError("--brokers: missing (host:port of a Kafka cluster), or use --embedded where offered")
        }
        return KafkaConfiguration(bootstrapServers: servers, properties: try properties())
    }
}
