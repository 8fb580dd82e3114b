import Model
import Store

/// One block of walks in a view's ring (one per view per ingested batch), little-endian:
/// `walkCount u32`, then `walkCount` exclusive end offsets (u32, into the token list), then
/// the tokens (u32 node ids). The block's key holds the sequence number of its first walk.
///
/// Decoding treats the bytes as untrusted: the size must match the header and the last end
/// offset, end offsets must not decrease, and (when the vocabulary size is given) every
/// token must be a node of the view; anything else is a `StoreError.decoding`.
public enum WalkBlockCodec {
    public static func encode(_ corpus: WalkCorpus) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(4 + corpus.walkCount * 4 + corpus.tokens.count * 4)
        func put(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        put(UInt32(corpus.walkCount))
        for end in corpus.walkEnds { put(UInt32(end)) }
        for t in corpus.tokens { put(t) }
        return out
    }

    /// Decodes a block; `nodeCount > 0` also checks every token is below it (the corpus's
    /// `nodeCount`; 0 leaves tokens unchecked).
    public static func decode(_ bytes: [UInt8], nodeCount: Int = 0) throws -> WalkCorpus {
        try bytes.withUnsafeBytes { raw in
            let n = try walkCount(raw)
            var r = LayoutReader(raw)
            _ = try r.read(UInt32.self)
            var corpus = WalkCorpus(nodeCount: nodeCount)
            corpus.walkEnds.reserveCapacity(n)
            var previous = 0
            for _ in 0..<n {
                let end = Int(try r.read(UInt32.self))
                guard end >= previous else { throw StoreError.decoding("walk block: walk end \(end) before \(previous)") }
                corpus.walkEnds.append(end)
                previous = end
            }
            let tokens = previous
            corpus.tokens.reserveCapacity(tokens)
            for _ in 0..<tokens {
                let token = try r.read(UInt32.self)
                guard nodeCount <= 0 || Int(token) < nodeCount else {
                    throw StoreError.decoding("walk block: node \(token) outside the view's \(nodeCount) nodes")
                }
                corpus.tokens.append(token)
            }
            return corpus
        }
    }

    /// The walk count of a stored block, with the checks that need no full decode: the
    /// header is there, and the size is the header, `walkCount` end offsets and as many
    /// tokens as the last end offset says. Readers that only count walks (state load,
    /// status) call this instead of reading the first four bytes by hand.
    public static func walkCount(_ raw: UnsafeRawBufferPointer) throws -> Int {
        guard raw.count >= 4 else { throw StoreError.decoding("walk block: \(raw.count) bytes, no header") }
        let n = Int(raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian)
        guard n <= (raw.count - 4) / 4 else {
            throw StoreError.decoding("walk block: \(n) walks cannot fit in \(raw.count) bytes")
        }
        let tokens = n == 0 ? 0 : Int(raw.loadUnaligned(fromByteOffset: 4 * n, as: UInt32.self).littleEndian)
        guard raw.count == 4 + 4 * n + 4 * tokens else {
            throw StoreError.decoding("walk block: \(raw.count) bytes for \(n) walks, \(tokens) tokens")
        }
        return n
    }
}
