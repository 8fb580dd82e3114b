import Linalg

/// Hand-vectorised kernels over raw float buffers for the per-pair hot loops. They use
/// several independent SIMD accumulators (`acc += a * b`) so the CPU can overlap the
/// multiply-adds; tails shorter than a SIMD vector fall back to scalars.
@usableFromInline
enum VectorKernels {
    /// `x . y` over `count` floats (``SIMDKernels/dot(_:_:_:)``, shared with the small gemm).
    @inline(__always) @usableFromInline
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> Float {
        SIMDKernels.dot(x, y, count)
    }

    /// `y += alpha * x` over `count` floats.
    @inline(__always) @usableFromInline
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        var i = 0
        let a = SIMD8<Float>(repeating: alpha)
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        while i + 16 <= count {
            let o = i * 4
            let y0 = ry.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                + a * rx.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            let y1 = ry.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self)
                + a * rx.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self)
            ry.storeBytes(of: y0, toByteOffset: o, as: SIMD8<Float>.self)
            ry.storeBytes(of: y1, toByteOffset: o + 32, as: SIMD8<Float>.self)
            i += 16
        }
        while i + 8 <= count {
            let o = i * 4
            let y0 = ry.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                + a * rx.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            ry.storeBytes(of: y0, toByteOffset: o, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            y[i] += alpha * x[i]
            i += 1
        }
    }

    /// The word2vec pair update in one pass: `acc += g * c` then `c += g * e`, reading each
    /// element of `c` once.
    @inline(__always) @usableFromInline
    static func accumulateAndUpdate(
        _ g: Float, c: UnsafeMutablePointer<Float>, e: UnsafePointer<Float>,
        acc: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        var i = 0
        let gv = SIMD8<Float>(repeating: g)
        let rc = UnsafeMutableRawPointer(c), re = UnsafeRawPointer(e), ra = UnsafeMutableRawPointer(acc)
        while i + 8 <= count {
            let o = i * 4
            let cv = rc.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            let av = ra.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) + gv * cv
            let ev = re.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            ra.storeBytes(of: av, toByteOffset: o, as: SIMD8<Float>.self)
            rc.storeBytes(of: cv + gv * ev, toByteOffset: o, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            let cv = c[i]
            acc[i] += g * cv
            c[i] = cv + g * e[i]
            i += 1
        }
    }

    /// `y = 0` over `count` floats.
    @inline(__always) @usableFromInline
    static func zero(_ y: UnsafeMutablePointer<Float>, _ count: Int) {
        y.update(repeating: 0, count: count)
    }
}
