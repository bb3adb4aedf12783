import DoodleNN
import TestSupport
import Testing

/// The fast `GEMM.multiply` of every kernel set this machine can run against `GEMM.reference`, over
/// odd shapes, layouts and epilogues.
@Suite(.serialized) struct GEMMTests {
    /// How A and B are laid out: row-major, or transposed (column-major).
    struct Layout: CustomStringConvertible, Sendable {
        var transposeA: Bool
        var transposeB: Bool
        var description: String { "\(transposeA ? "T" : "N")\(transposeB ? "T" : "N")" }
        static let all = [false, true].flatMap { ta in
            [false, true].map { Layout(transposeA: ta, transposeB: $0) }
        }
    }

    /// What to do besides the product.
    struct Options: CustomStringConvertible, Sendable {
        var accumulate = false
        var bias = false
        var relu = false
        var padC = 0
        var description: String { "acc \(accumulate) bias \(bias) relu \(relu) padC \(padC)" }
        static let all = [
            Options(), Options(accumulate: true), Options(bias: true, relu: true),
            Options(accumulate: true, bias: true, relu: true, padC: 3),
        ]
    }

    static let sizes = [1, 2, 5, 7, 13, 17, 33, 100]
    static let shapes: [(Int, Int, Int)] = sizes.flatMap { m in
        sizes.flatMap { n in [1, 7, 33, 100].map { k in (m, n, k) } }
    }

    /// Deterministic values in [-1, 1) from a seed, so a failure reproduces exactly.
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Float(state >> 40) / Float(1 << 23) - 1
        }
    }

    /// Runs one case through a kernel and returns C.
    static func product(
        _ kernel: Kernel, m: Int, n: Int, k: Int, layout: Layout, options: Options
    ) -> [Float] {
        let a = values(m * k, seed: UInt64(m * 31 + k))
        let b = values(k * n, seed: UInt64(n * 17 + k))
        let bias = values(n, seed: 99)
        let ldc = n + options.padC
        var c = values(m * ldc, seed: 7)
        let (aRow, aCol) = layout.transposeA ? (1, m) : (k, 1)
        let (bRow, bCol) = layout.transposeB ? (1, k) : (n, 1)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                bias.withUnsafeBufferPointer { bias in
                    c.withUnsafeMutableBufferPointer { c in
                        kernel(
                            m, n, k, a.baseAddress!, aRow, aCol, b.baseAddress!, bRow, bCol,
                            c.baseAddress!, ldc, options.accumulate,
                            options.bias ? bias.baseAddress! : nil, options.relu)
                    }
                }
            }
        }
        return c
    }

    typealias Kernel =
        @Sendable (
            Int, Int, Int, UnsafePointer<Float>, Int, Int, UnsafePointer<Float>, Int, Int,
            UnsafeMutablePointer<Float>, Int, Bool, UnsafePointer<Float>?, Bool
        ) -> Void

    static func fast(_ kernels: KernelSet) -> Kernel {
        { m, n, k, a, ars, acs, b, brs, bcs, c, ldc, acc, bias, relu in
            GEMM.multiply(
                m: m, n: n, k: k, a: a, aRowStride: ars, aColStride: acs, b: b, bRowStride: brs,
                bColStride: bcs, c: c, ldc: ldc, accumulate: acc, bias: bias, relu: relu, kernels: kernels)
        }
    }

    static let reference: Kernel = { m, n, k, a, ars, acs, b, brs, bcs, c, ldc, acc, bias, relu in
        GEMM.reference(
            m: m, n: n, k: k, a: a, aRowStride: ars, aColStride: acs, b: b, bRowStride: brs,
            bColStride: bcs, c: c, ldc: ldc, accumulate: acc, bias: bias, relu: relu)
    }

    @Test(arguments: KernelSet.runnable, Layout.all)
    func matchesReference(kernels: KernelSet, layout: Layout) {
        let saved = doodleThreadCount
        defer { doodleThreadCount = saved }
        for threads in [1, 2] {
            doodleThreadCount = threads
            for (m, n, k) in Self.shapes {
                for options in Options.all {
                    let fast = Self.product(
                        Self.fast(kernels), m: m, n: n, k: k, layout: layout, options: options)
                    let expected = Self.product(
                        Self.reference, m: m, n: n, k: k, layout: layout, options: options)
                    let problem = mismatch(fast, expected, rtol: 1e-4, atol: 1e-4)
                    #expect(
                        problem == nil,
                        "\(kernels.name) \(m)×\(n)×\(k) \(layout) \(options), \(threads) threads: \(problem ?? "")"
                    )
                }
            }
        }
    }

    /// Shapes big enough to cross the depth (320) and width (256) blocks and to use both threads.
    @Test(
        arguments: KernelSet.runnable,
        [(300, 40, 700), (50, 600, 330), (1, 300, 1000), (400, 1, 50), (9, 9, 0)])
    func largeShapesMatchReference(kernels: KernelSet, shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let saved = doodleThreadCount
        doodleThreadCount = 2
        defer { doodleThreadCount = saved }
        for layout in Layout.all {
            let options = Options(accumulate: true, bias: true, relu: true, padC: 1)
            let fast = Self.product(Self.fast(kernels), m: m, n: n, k: k, layout: layout, options: options)
            let expected = Self.product(Self.reference, m: m, n: n, k: k, layout: layout, options: options)
            let problem = mismatch(fast, expected, rtol: 1e-4, atol: 1e-4)
            #expect(problem == nil, "\(kernels.name) \(m)×\(n)×\(k) \(layout): \(problem ?? "")")
        }
    }

    /// A B packed once gives the product of packing it every call: all depth blocks, ragged panels,
    /// both layouts, one and two threads.
    @Test(
        arguments: KernelSet.runnable,
        [
            (1, 16, 9), (7, 37, 288), (300, 64, 576), (50, 600, 330), (1, 300, 1000), (200, 5, 700),
            (13, 256, 1),
        ])
    func prepackedBMatchesReference(kernels: KernelSet, shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let saved = doodleThreadCount
        defer { doodleThreadCount = saved }
        for threads in [1, 2] {
            doodleThreadCount = threads
            for layout in Layout.all {
                let packed: Kernel = { m, n, k, a, ars, acs, b, brs, bcs, c, ldc, _, bias, relu in
                    let packedB = GEMM.PackedB(
                        k: k, n: n, b: b, bRowStride: brs, bColStride: bcs, kernels: kernels)
                    GEMM.multiply(
                        m: m, a: a, aRowStride: ars, aColStride: acs, packedB: packedB, c: c, ldc: ldc,
                        bias: bias, relu: relu)
                }
                let options = Options(bias: true, relu: true, padC: 2)
                let fast = Self.product(packed, m: m, n: n, k: k, layout: layout, options: options)
                let expected = Self.product(
                    Self.reference, m: m, n: n, k: k, layout: layout, options: options)
                let problem = mismatch(fast, expected, rtol: 1e-4, atol: 1e-4)
                #expect(
                    problem == nil,
                    "\(kernels.name) \(m)×\(n)×\(k) \(layout), \(threads) threads: \(problem ?? "")")
            }
        }
    }
}
