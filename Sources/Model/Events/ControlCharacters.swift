/// Finds control characters in UTF-8 text by its bytes, without decoding characters (the
/// decoder runs this on every id of every event).
///
/// Control characters: C0 (U+0000-U+001F, tab, CR and LF included) and DEL (U+007F) are
/// single bytes; C1 (U+0080-U+009F) is the byte 0xC2 followed by 0x80-0x9F. In valid UTF-8
/// a 0xC2 byte always starts a two-byte sequence, so the pair identifies C1 exactly.
enum ControlCharacters {
    /// The code point of the first control character in `utf8` (valid UTF-8), nil if none.
    static func first(in utf8: UnsafeBufferPointer<UInt8>) -> UInt32? {
        let n = utf8.count
        var i = 0
        while i < n {
            let byte = utf8[i]
            if byte < 0x20 || byte == 0x7F { return UInt32(byte) }
            if byte == 0xC2, i + 1 < n, utf8[i + 1] < 0xA0 { return UInt32(utf8[i + 1]) }
            i += 1
        }
        return nil
    }

    /// The code point of the first control character in `text`, nil if none.
    static func first(in text: String) -> UInt32? {
        if let found = text.utf8.withContiguousStorageIfAvailable({ first(in: $0) }) { return found }
        return Array(text.utf8).withUnsafeBufferPointer { first(in: $0) }
    }
}
