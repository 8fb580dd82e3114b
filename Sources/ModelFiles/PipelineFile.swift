import Foundation
import Model

extension PipelineConfig {
    /// Reads and validates a pipeline file. Errors name the file and field.
    public static func load(path: String) throws -> PipelineConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PipelineConfigError(source: path, field: "", message: "cannot read file (\(error))")
        }
        return try parse(yaml: text, source: path)
    }
}
