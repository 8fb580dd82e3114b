/// How a node name is written on one line of a `.nodes` file and in the name column of a
/// `.tsv` file (model directory layout 2, docs/formats.md): a backslash is written `\\`, a
/// line feed `\n`, a carriage return `\r`, a tab `\t`; every other character as is. Names
/// without these four characters are written unchanged, and `unescape(escape(s)) == s` for
/// every string.
public enum NodeNameEscaping {
    /// `name` as written on its line.
    public static func escape(_ name: String) -> String {
        guard name.unicodeScalars.contains(where: { needsEscape($0) }) else { return name }
        var out = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: #"\\"#.unicodeScalars)
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": out.append(contentsOf: #"\r"#.unicodeScalars)
            case "\t": out.append(contentsOf: #"\t"#.unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// The name a line holds; nil when the line has a backslash not followed by `\`, `n`,
    /// `r` or `t`, or an unescaped tab, carriage return or line feed.
    public static func unescape(_ line: Substring) -> String? {
        guard line.unicodeScalars.contains(where: { needsEscape($0) }) else { return String(line) }
        var out = String.UnicodeScalarView()
        var escaped = false
        for scalar in line.unicodeScalars {
            if escaped {
                switch scalar {
                case "\\": out.append("\\")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                default: return nil
                }
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if needsEscape(scalar) {
                return nil
            } else {
                out.append(scalar)
            }
        }
        return escaped ? nil : String(out)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\\" || scalar == "\n" || scalar == "\r" || scalar == "\t"
    }
}
