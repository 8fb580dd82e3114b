/// Hand-vectorised loops over raw float buffers, for calls too small for BLAS (a dot
/// product of one 128-float row costs less than a `cblas_sdot` call's overhead). Several
/// independent SIMD accumulators (`acc += a * b`) let the CPU overlap the multiply-adds.
public enum SIMDKernels {
    /// `x . y` over `count` floats, four SIMD accumulators; tails shorter than a SIMD
    /// vector fall back to scalars.
    @inlinable @inline(__always)
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> Float {
        var i = 0
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        while i + 32 <= count {
            let o = i * 4
            a0 += rx.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            a1 += rx.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self)
            a2 += rx.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self)
            a3 += rx.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self)
            i += 32
        }
        while i + 8 <= count {
            a0 += rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var sum = ((a0 + a1) + (a2 + a3)).sum()
        while i < count {
            sum += x[i] * y[i]
            i += 1
        }
        return sum
    }
}
