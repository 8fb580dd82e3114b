import Yams

/// Reads one YAML mapping with strict key checking, producing ``PipelineConfigError``s that
/// name the field by its dotted path.
struct YAMLMappingReader {
    let source: String
    let path: String
    private var entries: [(key: String, value: Node)] = []

    init(_ node: Node?, source: String, path: String, allowedKeys: Set<String>) throws {
        self.source = source
        self.path = path
        guard let node else { throw error("", "missing") }
        guard case .mapping(let mapping) = node else {
            throw PipelineConfigError(source: source, field: path, message: "must be a mapping")
        }
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                throw PipelineConfigError(source: source, field: path, message: "keys must be strings")
            }
            if !allowedKeys.contains(key) {
                let known = allowedKeys.sorted().joined(separator: ", ")
                throw error(key, "unknown key (known: \(known))")
            }
            if !seen.insert(key).inserted { throw error(key, "duplicate key") }
            entries.append((key, value))
        }
    }

    func fieldPath(_ key: String) -> String {
        key.isEmpty ? path : (path.isEmpty ? key : "\(path).\(key)")
    }

    func error(_ key: String, _ message: String) -> PipelineConfigError {
        PipelineConfigError(source: source, field: fieldPath(key), message: message)
    }

    /// The raw node for `key`, or nil when absent or explicitly null.
    func node(_ key: String) -> Node? {
        guard let value = entries.first(where: { $0.key == key })?.value else { return nil }
        if isNull(value) { return nil }
        return value
    }

    func has(_ key: String) -> Bool { node(key) != nil }

    func string(_ key: String) throws -> String? {
        guard let value = node(key) else { return nil }
        guard case .scalar(let scalar) = value else { throw error(key, "must be a string") }
        if scalar.string.isEmpty { throw error(key, "must not be empty") }
        return scalar.string
    }

    func requiredString(_ key: String) throws -> String {
        guard let value = try string(key) else { throw error(key, "missing") }
        return value
    }

    func int(_ key: String) throws -> Int? {
        guard let value = node(key) else { return nil }
        guard let int = value.int, value.scalar != nil else { throw error(key, "must be an integer") }
        return int
    }

    func double(_ key: String) throws -> Double? {
        guard let value = node(key) else { return nil }
        guard let double = value.float, value.scalar != nil else { throw error(key, "must be a number") }
        return double
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = node(key) else { return nil }
        guard let bool = value.bool else { throw error(key, "must be true or false") }
        return bool
    }

    func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws -> E?
    where E.RawValue == String {
        guard let raw = try string(key) else { return nil }
        guard let value = E(rawValue: raw) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: " | ")
            throw error(key, "must be one of \(allowed), got '\(raw)'")
        }
        return value
    }

    /// The elements of a sequence under `key` (empty when absent).
    func sequence(_ key: String) throws -> [Node] {
        guard let value = node(key) else { return [] }
        guard case .sequence(let sequence) = value else { throw error(key, "must be a list") }
        return Array(sequence)
    }

    /// The integer under `key` (nil when absent), which must lie in `range`.
    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = try int(key) else { return nil }
        try check(key, value, in: range)
        return value
    }

    /// The number under `key` (nil when absent), which must lie in `range` (NaN never does).
    func double(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let value = try double(key) else { return nil }
        try check(key, value, in: range)
        return value
    }

    /// A learning rate under `key` (nil when absent): 0 < x < 1.
    func learningRate(_ key: String) throws -> Double? {
        guard let rate = try double(key) else { return nil }
        if !(rate > 0 && rate < 1) { throw error(key, "must be in (0, 1), got \(rate)") }
        return rate
    }

    func check<T: Comparable>(_ key: String, _ value: T, in range: ClosedRange<T>) throws {
        if !range.contains(value) {
            throw error(key, "must be \(ConfigLimits.describe(range)), got \(ConfigLimits.format(value))")
        }
    }

    func positive(_ key: String, _ value: Int) throws {
        if value <= 0 { throw error(key, "must be > 0, got \(value)") }
    }

    func nonNegative(_ key: String, _ value: Int) throws {
        if value < 0 { throw error(key, "must be >= 0, got \(value)") }
    }
}

func isNull(_ node: Node) -> Bool {
    guard case .scalar(let scalar) = node else { return false }
    if scalar.style == .singleQuoted || scalar.style == .doubleQuoted { return false }
    return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
}
