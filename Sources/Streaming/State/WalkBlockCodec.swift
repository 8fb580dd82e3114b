import Model
import Store

/// One block of walks in a view's ring (one per view per ingested batch), little-endian:
/// `walkCount u32`, then `walkCount` exclusive end offsets (u32, into the token list), then
/// the tokens (u32 node ids). The block's key holds the sequence number of its first walk.
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

    /// The number of walks in an encoded block, read from its header (nil: too short).
    public static func walkCount(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
    }

    public static func decode(_ bytes: [UInt8], nodeCount: Int = 0) throws -> WalkCorpus {
        try bytes.withUnsafeBytes { raw in
            var r = LayoutReader(raw)
            let n = Int(try r.read(UInt32.self))
            var corpus = WalkCorpus(nodeCount: nodeCount)
            corpus.walkEnds.reserveCapacity(n)
            for _ in 0..<n { corpus.walkEnds.append(Int(try r.read(UInt32.self))) }
            let tokens = corpus.walkEnds.last ?? 0
            guard raw.count == 4 + 4 * n + 4 * tokens else { throw StoreError.decoding("walk block: \(raw.count) bytes for \(n) walks, \(tokens) tokens") }
            corpus.tokens.reserveCapacity(tokens)
            for _ in 0..<tokens { corpus.tokens.append(try r.read(UInt32.self)) }
            return corpus
        }
    }
}
