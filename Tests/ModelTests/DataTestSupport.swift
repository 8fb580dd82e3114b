import Foundation

@testable import Model

/// Writes `text` to a fresh temporary file and returns its path.
func writeDataTestFile(_ text: String, suffix: String = ".txt") throws -> String {
    let path = NSTemporaryDirectory() + "m2grl-data-\(UUID().uuidString)\(suffix)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// An event at `seconds` (converted to milliseconds).
func dataEvent(_ user: String, _ item: String, _ seconds: Int64, _ attributes: [String: String] = [:]) -> Event {
    Event(user: user, item: item, timestampMillis: seconds * 1000, attributes: attributes)
}

let dataTestPipelineYAML = """
    name: test
    events:
      user: user_id
      item: item_id
      time: timestamp
    """
