import Foundation
import Testing

@testable import Kafka

/// Secrets reach librdkafka from a properties file or the environment, and logs show only
/// the values of known non-secret keys (docs/operations.md, "Running against a real Kafka cluster").
@Suite struct KafkaSecretsTests {
    @Test("only allow-listed keys show their values; a misspelled secret key is redacted")
    func allowList() {
        let config = KafkaConfiguration(bootstrapServers: "b:9092", properties: [
            "sasl.pasword": "hunter2", "sasl.password": "s3cret", "my.plugin.token": "t0k3n-value",
            "Sasl.Username": "bob", "sasl.username": "alice", "security.protocol": "SASL_SSL", "linger.ms": "20",
        ])
        let text = config.description
        for secret in ["hunter2", "s3cret", "t0k3n-value", "bob"] { #expect(!text.contains(secret), "\(secret) in \(text)") }
        for shown in ["sasl.username=alice", "security.protocol=SASL_SSL", "linger.ms=20", "bootstrap.servers=b:9092",
                      "sasl.pasword=[redacted]", "my.plugin.token=[redacted]", "Sasl.Username=[redacted]"] {
            #expect(text.contains(shown), "\(shown) missing in \(text)")
        }
        #expect(KafkaConfiguration.isSecret("sasl.pasword") && !KafkaConfiguration.isSecret("group.id"))
    }

    @Test("a malformed --kafka-property never echoes its value")
    func malformedPropertyIsNotEchoed() {
        for text in ["sasl.password:hunter2", "=hunter2", "hunter2"] {
            do {
                _ = try KafkaConfiguration.parseProperty(text)
                Issue.record("'\(text)' was accepted")
            } catch {
                #expect(!error.message.contains("hunter2"), "\(error.message)")
            }
        }
    }

    @Test func propertiesFileSyntax() throws {
        let text = """
            # a comment
            ! also a comment

              security.protocol = SASL_SSL
            sasl.password=pa=ss word \r
            sasl.username=alice
            sasl.username=bob
            empty.value=
            """
        let properties = try KafkaPropertiesFile.parse(text, source: "f")
        #expect(properties == ["security.protocol": "SASL_SSL", "sasl.password": "pa=ss word ", "sasl.username": "bob",
                               "empty.value": ""])
        do {
            _ = try KafkaPropertiesFile.parse("a=1\nsasl.password hunter2\n", source: "secrets.properties")
            Issue.record("a line without '=' was accepted")
        } catch {
            #expect(error.message.contains("secrets.properties:2"), "\(error.message)")
            #expect(!error.message.contains("hunter2"), "\(error.message)")
        }
    }

    @Test("reading a file reports whether group or others may read it")
    func fileModes() throws {
        let path = NSTemporaryDirectory() + "kafka-\(UUID().uuidString).properties"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("sasl.password=x\n".utf8).write(to: URL(fileURLWithPath: path))
        for (mode, exposed) in [(0o600, false), (0o640, true), (0o604, true), (0o400, false)] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            let file = try KafkaPropertiesFile.read(path: path)
            #expect(file.properties == ["sasl.password": "x"])
            #expect(file.isReadableByOthers == exposed, "mode \(String(mode, radix: 8))")
        }
        #expect(throws: KafkaError.self) { _ = try KafkaPropertiesFile.read(path: path + ".missing") }
    }

    @Test("environment names map to property names as in Confluent's images")
    func environmentNames() {
        let environment = [
            "M2GRL_KAFKA_SASL_PASSWORD": "pw", "M2GRL_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET": "cs",
            "M2GRL_KAFKA_LOG__LEVEL": "7", "M2GRL_KAFKA_A___B": "dash", "KAFKA_SASL_USERNAME": "ignored",
            "M2GRL_KAFKA_": "ignored", "HOME": "/home/x",
        ]
        #expect(KafkaEnvironmentProperties.properties(in: environment) == [
            "sasl.password": "pw", "sasl.oauthbearer.client.secret": "cs", "log_level": "7", "a-b": "dash",
        ])
    }
}
