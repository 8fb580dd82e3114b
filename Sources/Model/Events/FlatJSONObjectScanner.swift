/// A small, allocation-light scanner for one flat JSON object per record (`{"k": v, ...}`).
///
/// It validates the object's syntax and reports, for each key the caller asks for, the byte
/// span and kind of its value. Nested objects/arrays are skipped (with string-aware bracket
/// matching) and reported as `.nested`; numbers are checked by their JSON grammar.
struct FlatJSONObjectScanner {
    enum ValueKind: UInt8 {
        case string, number, bool, null, nested
    }

    /// Where one value lies in the record. For strings the span excludes the quotes.
    struct ValueSpan {
        var start: Int
        var end: Int
        var kind: ValueKind
        var hasEscapes: Bool
    }

    struct SyntaxError: Error {
        var offset: Int
        var message: String
    }

    /// Wanted keys as UTF-8 bytes; `spans[i]` answers `keys[i]` (last occurrence wins).
    let keys: [[UInt8]]

    init(keys: [String]) {
        self.keys = keys.map { Array($0.utf8) }
    }

    /// Scans `bytes`, filling `spans` (one slot per wanted key; nil when the key is absent).
    func scan(_ bytes: UnsafeBufferPointer<UInt8>, into spans: inout [ValueSpan?]) throws(SyntaxError) {
        var i = 0
        let n = bytes.count
        @inline(__always) func skipWhitespace() {
            while i < n, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        }
        skipWhitespace()
        guard i < n, bytes[i] == UInt8(ascii: "{") else { throw SyntaxError(offset: i, message: "expected '{'") }
        i += 1
        skipWhitespace()
        if i < n, bytes[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipWhitespace()
                guard i < n, bytes[i] == UInt8(ascii: "\"") else {
                    throw SyntaxError(offset: i, message: "expected a string key")
                }
                let key = try scanString(bytes, from: &i)
                skipWhitespace()
                guard i < n, bytes[i] == UInt8(ascii: ":") else { throw SyntaxError(offset: i, message: "expected ':'") }
                i += 1
                skipWhitespace()
                let value = try scanValue(bytes, from: &i)
                if let slot = slot(of: key, in: bytes) { spans[slot] = value }
                skipWhitespace()
                guard i < n else { throw SyntaxError(offset: i, message: "unterminated object") }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                guard bytes[i] == UInt8(ascii: "}") else { throw SyntaxError(offset: i, message: "expected ',' or '}'") }
                i += 1
                break
            }
        }
        skipWhitespace()
        if i != n { throw SyntaxError(offset: i, message: "trailing characters after the object") }
    }

    private func slot(of key: ValueSpan, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if key.hasEscapes {
            guard let decoded = try? Self.decodeString(bytes, key) else { return nil }
            return keys.firstIndex(of: Array(decoded.utf8))
        }
        let length = key.end - key.start
        outer: for (index, wanted) in keys.enumerated() where wanted.count == length {
            for j in 0..<length where wanted[j] != bytes[key.start + j] { continue outer }
            return index
        }
        return nil
    }

    private func scanString(_ bytes: UnsafeBufferPointer<UInt8>, from i: inout Int) throws(SyntaxError) -> ValueSpan {
        let start = i + 1
        var j = start
        var escaped = false
        while j < bytes.count {
            let c = bytes[j]
            if c == UInt8(ascii: "\"") {
                i = j + 1
                return ValueSpan(start: start, end: j, kind: .string, hasEscapes: escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                j += 2
                continue
            }
            if c < 0x20 { throw SyntaxError(offset: j, message: "control character in string") }
            j += 1
        }
        throw SyntaxError(offset: i, message: "unterminated string")
    }

    private func scanValue(_ bytes: UnsafeBufferPointer<UInt8>, from i: inout Int) throws(SyntaxError) -> ValueSpan {
        guard i < bytes.count else { throw SyntaxError(offset: i, message: "expected a value") }
        let c = bytes[i]
        switch c {
        case UInt8(ascii: "\""):
            return try scanString(bytes, from: &i)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = i
            try scanNumber(bytes, from: &i)
            return ValueSpan(start: start, end: i, kind: .number, hasEscapes: false)
        case UInt8(ascii: "t"): return try literal("true", .bool, bytes, &i)
        case UInt8(ascii: "f"): return try literal("false", .bool, bytes, &i)
        case UInt8(ascii: "n"): return try literal("null", .null, bytes, &i)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let start = i
            try skipNested(bytes, from: &i)
            return ValueSpan(start: start, end: i, kind: .nested, hasEscapes: false)
        default:
            throw SyntaxError(offset: i, message: "unexpected character '\(Character(Unicode.Scalar(c)))'")
        }
    }

    /// The element spans of a `.nested` span that holds an array (`[v, ...]`); nil when it
    /// holds an object. Elements that are themselves arrays or objects come back `.nested`.
    func arrayElements(_ bytes: UnsafeBufferPointer<UInt8>, _ span: ValueSpan) throws(SyntaxError) -> [ValueSpan]? {
        guard span.kind == .nested, span.start < span.end, bytes[span.start] == UInt8(ascii: "[") else { return nil }
        var i = span.start + 1
        let n = span.end - 1  // the closing bracket
        @inline(__always) func skipWhitespace() {
            while i < n, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        }
        var elements: [ValueSpan] = []
        skipWhitespace()
        if i == n { return elements }
        while true {
            skipWhitespace()
            elements.append(try scanValue(bytes, from: &i))
            skipWhitespace()
            guard i < n else { return elements }
            guard bytes[i] == UInt8(ascii: ",") else { throw SyntaxError(offset: i, message: "expected ',' or ']'") }
            i += 1
        }
    }

    private func literal(
        _ word: StaticString, _ kind: ValueKind, _ bytes: UnsafeBufferPointer<UInt8>, _ i: inout Int
    ) throws(SyntaxError) -> ValueSpan {
        let length = word.utf8CodeUnitCount
        guard i + length <= bytes.count else { throw SyntaxError(offset: i, message: "bad literal") }
        for k in 0..<length where bytes[i + k] != word.utf8Start[k] {
            throw SyntaxError(offset: i, message: "bad literal")
        }
        let span = ValueSpan(start: i, end: i + length, kind: kind, hasEscapes: false)
        i += length
        return span
    }

    private func scanNumber(_ bytes: UnsafeBufferPointer<UInt8>, from i: inout Int) throws(SyntaxError) {
        let n = bytes.count
        @inline(__always) func isDigit(_ k: Int) -> Bool { k < n && bytes[k] >= 0x30 && bytes[k] <= 0x39 }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { throw SyntaxError(offset: i, message: "bad number") }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else { while isDigit(i) { i += 1 } }
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { throw SyntaxError(offset: i, message: "bad number") }
            while isDigit(i) { i += 1 }
        }
        if i < n, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { throw SyntaxError(offset: i, message: "bad number") }
            while isDigit(i) { i += 1 }
        }
    }

    private func skipNested(_ bytes: UnsafeBufferPointer<UInt8>, from i: inout Int) throws(SyntaxError) {
        var depth = 0
        let start = i
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                _ = try scanString(bytes, from: &i)
                continue
            }
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
            if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 {
                    i += 1
                    return
                }
            }
            i += 1
        }
        throw SyntaxError(offset: start, message: "unterminated nested value")
    }

    /// Decodes a string span (resolving escapes); nil on invalid UTF-8.
    static func decodeString(_ bytes: UnsafeBufferPointer<UInt8>, _ span: ValueSpan) throws(SyntaxError) -> String? {
        let slice = UnsafeBufferPointer(rebasing: bytes[span.start..<span.end])
        if !span.hasEscapes { return validatedString(slice) }
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var k = 0
        func hex4(_ at: Int) throws(SyntaxError) -> UInt32 {
            guard at + 4 <= slice.count else { throw SyntaxError(offset: span.start + at, message: "bad \\u escape") }
            var v: UInt32 = 0
            for c in slice[at..<at + 4] {
                v <<= 4
                switch c {
                case 0x30...0x39: v |= UInt32(c - 0x30)
                case 0x41...0x46: v |= UInt32(c - 0x41 + 10)
                case 0x61...0x66: v |= UInt32(c - 0x61 + 10)
                default: throw SyntaxError(offset: span.start + at, message: "bad \\u escape")
                }
            }
            return v
        }
        while k < slice.count {
            let c = slice[k]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                k += 1
                continue
            }
            guard k + 1 < slice.count else { throw SyntaxError(offset: span.start + k, message: "bad escape") }
            let e = slice[k + 1]
            k += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(k)
                k += 4
                if (0xD800..<0xDC00).contains(scalar), k + 6 <= slice.count, slice[k] == UInt8(ascii: "\\"),
                    slice[k + 1] == UInt8(ascii: "u")
                {
                    let low = try hex4(k + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        k += 6
                    }
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw SyntaxError(offset: span.start + k - 1, message: "bad escape")
            }
        }
        return out.withUnsafeBufferPointer { validatedString($0) }
    }

    /// `bytes` as a String, or nil when they are not valid UTF-8 (ASCII fast path).
    static func validatedString(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var ascii = true
        for byte in bytes where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }
}
