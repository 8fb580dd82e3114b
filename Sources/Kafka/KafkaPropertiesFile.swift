#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file of librdkafka properties (`--kafka-property-file`), so secrets need not appear on
/// a command line, where `ps` shows them to every user of the machine.
///
/// Format, a subset of Java properties files: one `key=value` per line, split at the first
/// `=`; whitespace around the key and before the value is dropped, the rest of the value is
/// taken verbatim (no escapes, no line continuations; lines end with LF, CRLF or CR);
/// blank lines and lines starting with `#` or `!` are skipped; a later line for the same key
/// wins. Errors name the file and line, never a value.
public struct KafkaPropertiesFile: Sendable, Equatable {
    public var path: String
    public var properties: [String: String]
    /// Whether the file's mode lets its group or others read it (`0o044`): its secrets are
    /// then readable by other users (`chmod 600` it).
    public var isReadableByOthers: Bool
    /// The permission bits of the file (e.g. `0o640`).
    public var mode: UInt32

    /// Reads and parses the file and looks at its permission bits.
    public static func read(path: String) throws(KafkaError) -> KafkaPropertiesFile {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw KafkaError(code: .invalidConfiguration, message: "cannot read Kafka property file '\(path)': \(String(cString: strerror(errno)))")
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw KafkaError(code: .invalidConfiguration, message: "cannot read Kafka property file '\(path)' as UTF-8 text")
        }
        let mode = UInt32(info.st_mode) & 0o777
        return KafkaPropertiesFile(path: path, properties: try parse(text, source: path),
                                   isReadableByOthers: mode & 0o044 != 0, mode: mode)
    }

    /// Parses properties text; `source` names it in errors (`FILE:LINE`).
    public static func parse(_ text: String, source: String) throws(KafkaError) -> [String: String] {
        var properties: [String: String] = [:]
        // Line ends as in Java: LF, CRLF (one Character in Swift) or CR.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (index, line) in lines.enumerated() {
            let content = line.drop { $0 == " " || $0 == "\t" }
            if content.isEmpty || content.hasPrefix("#") || content.hasPrefix("!") { continue }
            let eq = content.firstIndex(of: "=")
            let key = eq.map { content[..<$0].trimmingCharacters(in: .whitespaces) } ?? ""
            guard let eq, !key.isEmpty else {
                throw KafkaError(code: .invalidConfiguration,
                                 message: "\(source):\(index + 1): not a key=value line (its text is not shown)")
            }
            properties[key] = String(content[content.index(after: eq)...].drop { $0 == " " || $0 == "\t" })
        }
        return properties
    }
}
