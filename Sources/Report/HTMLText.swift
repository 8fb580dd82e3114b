/// Escaping of text placed in HTML or SVG (element content and quoted attribute values).
public enum HTMLText {
    /// `s` with `& < > " '` replaced by character references, safe inside element content
    /// and inside single- or double-quoted attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
