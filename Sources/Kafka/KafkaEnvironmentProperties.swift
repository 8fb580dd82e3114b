/// librdkafka properties taken from environment variables, named as Confluent's Docker
/// images name them, behind the prefix `M2GRL_KAFKA_`: the rest of the name is lowercased
/// and each run of underscores becomes `.` (one), `_` (two) or `-` (three), so
/// `M2GRL_KAFKA_SASL_PASSWORD` sets `sasl.password` and `M2GRL_KAFKA_LOG__LEVEL` sets
/// `log_level`. Environment variables are not shown by `ps` to other users.
public enum KafkaEnvironmentProperties {
    public static let prefix = "M2GRL_KAFKA_"

    /// The properties set in `environment` (names with other prefixes are ignored).
    public static func properties(in environment: [String: String]) -> [String: String] {
        var properties: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix(prefix) {
            if let key = propertyName(environmentName: name) { properties[key] = value }
        }
        return properties
    }

    /// The property an environment variable sets, or nil when it has no name after the
    /// prefix or a run of more than three underscores.
    public static func propertyName(environmentName name: String) -> String? {
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count).lowercased()
        guard !rest.isEmpty else { return nil }
        var key = ""
        var underscores = 0
        for character in rest {
            if character == "_" {
                underscores += 1
                continue
            }
            guard let separator = separator(underscores) else { return nil }
            key += separator
            key.append(character)
            underscores = 0
        }
        guard let separator = separator(underscores) else { return nil }
        return key + separator
    }

    /// What a run of underscores stands for in a property name.
    private static func separator(_ underscores: Int) -> String? {
        switch underscores {
        case 0: ""
        case 1: "."
        case 2: "_"
        case 3: "-"
        default: nil
        }
    }
}
