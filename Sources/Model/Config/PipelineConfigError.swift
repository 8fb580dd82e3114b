/// A pipeline file problem, naming the file and the field:
/// `pipelines/x.yaml: views[2].field: missing`. Sequence indices are zero-based.
public struct PipelineConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or other source label) the configuration came from.
    public var source: String
    /// Dotted path of the offending field, e.g. `views[2].field`; empty for the whole file.
    public var field: String
    /// What is wrong, e.g. `missing`, `unknown key`, `must be > 0`.
    public var message: String

    public init(source: String, field: String, message: String) {
        self.source = source
        self.field = field
        self.message = message
    }

    public var description: String {
        field.isEmpty ? "\(source): \(message)" : "\(source): \(field): \(message)"
    }
}
