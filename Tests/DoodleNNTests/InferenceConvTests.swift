import DoodleNN
import TestSupport
import Testing

/// The inference convolutions (`WinogradConv` for 3×3 windows with stride 1, `PanelConv` for other
/// deep windows, `DirectConv` for shallow ones), with and
/// without ReLU and the 2×2 max pool they can fuse, against a plain loop over the window (in Double),
/// then ReLU, then `MaxPool2D`; and training's convolution (im2col + GEMM, or Winograd) against the same
/// loop. Odd sizes whose pool drops a row and column, windows that hang over the
/// padding or that padding swallows whole, strides, channel counts that are not whole 16-column
/// panels, two depth blocks, short last panels, batches of 1, 7 and 40; and shapes no fast kernel
/// takes (a 1×1 window, a window too deep for a scratch buffer), which pool after a plain convolution.
@Suite struct InferenceConvTests {
    /// What the convolution does after the product, as an inference copy would set it.
    struct Fusion: CustomStringConvertible, Sendable {
        var relu, pooled: Bool
        var description: String { (relu ? "ReLU" : "no ReLU") + (pooled ? ", pooled" : "") }
    }

    static let fusions = [false, true].flatMap { pooled in
        [false, true].map { Fusion(relu: $0, pooled: pooled) }
    }

    struct Case: CustomStringConvertible, Sendable {
        var batch, height, width, channels, filters, kernel: Int
        var stride = 1
        var padding = Padding.same
        var description: String {
            "\(batch)×\(height)×\(width)×\(channels) → \(filters), \(kernel)×\(kernel)/\(stride) \(padding)"
        }
    }

    static let cases: [Case] = [
        // `small`'s second and third layers; the third has two depth blocks and a 7 → 3 pool.
        Case(batch: 1, height: 14, width: 14, channels: 32, filters: 64, kernel: 3),
        Case(batch: 7, height: 7, width: 7, channels: 64, filters: 128, kernel: 3),
        // A window of 45 columns, stride 2 over padding, 40 filters (a panel and a half).
        Case(
            batch: 7, height: 9, width: 11, channels: 5, filters: 40, kernel: 3, stride: 2,
            padding: .explicit(1)),
        Case(batch: 2, height: 11, width: 11, channels: 16, filters: 24, kernel: 3, padding: .valid),
        Case(batch: 3, height: 2, width: 2, channels: 8, filters: 16, kernel: 3),
        Case(batch: 1, height: 6, width: 5, channels: 4, filters: 8, kernel: 5, padding: .explicit(3)),
        // Shallow windows: `DirectConv`, with 28 → 14, 26 → 13, 11 → 5 and 3 → 1 pools; a 1×1 image
        // whose window is nearly all padding (not pooled: its output is 1×1); a 5×5 window; padding
        // of 3 that swallows whole windows.
        Case(batch: 1, height: 28, width: 28, channels: 1, filters: 32, kernel: 3),
        Case(batch: 3, height: 28, width: 28, channels: 1, filters: 64, kernel: 3, padding: .valid),
        Case(batch: 40, height: 28, width: 28, channels: 1, filters: 32, kernel: 3),
        Case(batch: 2, height: 1, width: 1, channels: 1, filters: 8, kernel: 3),
        Case(batch: 2, height: 6, width: 6, channels: 1, filters: 16, kernel: 5),
        Case(batch: 1, height: 4, width: 9, channels: 2, filters: 24, kernel: 3, padding: .explicit(3)),
        Case(batch: 2, height: 13, width: 13, channels: 1, filters: 8, kernel: 3, padding: .valid),
        Case(
            batch: 7, height: 5, width: 7, channels: 3, filters: 40, kernel: 3, stride: 2,
            padding: .explicit(1)),
        // Winograd F(2×2, 3×3) (3×3, stride 1, 16 channels and filters or more, 32 tiles or more; the
        // first, second and fourth cases above too): 36 pooled tiles, whose filters the threads split;
        // 32 channels and 40 filters; 40 images, 20 channels (not whole vectors), padding of 2, odd
        // sizes; 40 images of 1×1; valid padding over 12×13 with 17 channels and 33 filters. And
        // `medium`'s third layer at batch 1, too few tiles: the panel kernel.
        Case(batch: 1, height: 7, width: 7, channels: 128, filters: 256, kernel: 3),
        Case(batch: 4, height: 7, width: 7, channels: 64, filters: 128, kernel: 3),
        Case(batch: 3, height: 8, width: 8, channels: 32, filters: 40, kernel: 3),
        Case(batch: 40, height: 9, width: 6, channels: 20, filters: 40, kernel: 3, padding: .explicit(2)),
        Case(batch: 40, height: 1, width: 1, channels: 24, filters: 16, kernel: 3),
        Case(batch: 5, height: 12, width: 13, channels: 17, filters: 33, kernel: 3, padding: .valid),
        // No fast kernel: a pointwise convolution, and a window too deep for a panel in scratch.
        Case(batch: 2, height: 6, width: 6, channels: 12, filters: 20, kernel: 1),
        Case(batch: 2, height: 3, width: 3, channels: 1600, filters: 8, kernel: 3),
    ]

    /// A convolution of case `c` and an input for it, from a seed of the case.
    static func convolution(_ c: Case, kernels: KernelSet) -> (Conv2D, Tensor) {
        var generator = SeededGenerator(seed: UInt64(c.filters * 31 + c.channels))
        let conv = Conv2D(
            inChannels: c.channels, outChannels: c.filters, kernelSize: c.kernel, stride: c.stride,
            padding: c.padding, generator: &generator)
        conv.kernels = kernels
        conv.bias.value = Tensor(
            shape: [c.filters],
            scalars: (0..<c.filters).map { _ in Float.random(in: -1...1, using: &generator) })
        let count = c.batch * c.height * c.width * c.channels
        let input = Tensor(
            shape: [c.batch, c.height, c.width, c.channels],
            scalars: (0..<count).map { _ in Float.random(in: -1...1, using: &generator) })
        return (conv, input)
    }

    /// The convolution of `input` by a plain loop over the window, summed in Double: (N, OH, OW, K).
    static func plainConvolution(_ conv: Conv2D, _ input: Tensor) -> [Double] {
        let g = conv.geometry(for: input.shape)
        let (c, k, size) = (g.channels, conv.outChannels, conv.kernelSize)
        let (x, w, b) = (input.scalars, conv.weight.value.scalars, conv.bias.value.scalars)
        var result = [Double](repeating: 0, count: g.colRows * k)
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let out = ((n * g.outHeight + oy) * g.outWidth + ox) * k
                    for filter in 0..<k {
                        var sum = Double(b[filter])
                        for ky in 0..<size {
                            for kx in 0..<size {
                                let (iy, ix) = (oy * g.stride + ky - g.padTop, ox * g.stride + kx - g.padLeft)
                                guard iy >= 0 && iy < g.height && ix >= 0 && ix < g.width else { continue }
                                for ch in 0..<c {
                                    sum +=
                                        Double(x[((n * g.height + iy) * g.width + ix) * c + ch])
                                        * Double(w[((ky * size + kx) * c + ch) * k + filter])
                                }
                            }
                        }
                        result[out + filter] = sum
                    }
                }
            }
        }
        return result
    }

    /// Each kernel set's training convolution (im2col and GEMM, or Winograd) against a plain loop over
    /// the window, within the GEMM tests' tolerance.
    @Test(arguments: KernelSet.runnable, cases)
    func trainingMatchesAPlainConvolution(kernels: KernelSet, _ c: Case) {
        let (conv, input) = Self.convolution(c, kernels: kernels)
        let actual = conv.forward(input, training: true)
        let expected = Self.plainConvolution(conv, input).map { Float($0) }
        let problem = mismatch(actual.scalars, expected, rtol: 1e-4, atol: 1e-4)
        #expect(problem == nil, "\(kernels.name) \(c): \(problem ?? "")")
    }

    @Test(arguments: KernelSet.runnable, cases)
    func matchesAPlainConvolutionReLUAndPool(kernels: KernelSet, _ c: Case) throws {
        // The plain loop once (the case's seed makes the same weights and input for every fusion).
        let (conv, input) = Self.convolution(c, kernels: kernels)
        let convolved = Self.plainConvolution(conv, input).map { Float($0) }
        for fusion in Self.fusions {
            try matchesAPlainConvolutionReLUAndPool(kernels: kernels, c, fusion: fusion, convolved: convolved)
        }
    }

    func matchesAPlainConvolutionReLUAndPool(
        kernels: KernelSet, _ c: Case, fusion: Fusion, convolved: [Float]
    ) throws {
        let (conv, input) = Self.convolution(c, kernels: kernels)
        // The plain loop's output, then ReLU and the pool as separate layers.
        let g = conv.geometry(for: input.shape)
        let pooled = fusion.pooled && g.outHeight >= 2 && g.outWidth >= 2
        var expected = Tensor(
            shape: [g.batch, g.outHeight, g.outWidth, c.filters],
            scalars: convolved.map { fusion.relu ? max(0, $0) : $0 })
        // Training mode: the general pooling loop, not the 2×2 kernel the fused paths share.
        if pooled { expected = MaxPool2D().forward(expected, training: true) }

        conv.packForInference()
        conv.fusedReLU = fusion.relu
        conv.fusedMaxPool = pooled
        let actual = conv.forward(input, training: false)
        #expect(actual.shape == expected.shape)
        #expect(conv.outputShape(for: input.shape) == expected.shape)
        let problem = mismatch(actual.scalars, expected.scalars, rtol: 1e-5, atol: 1e-5)
        #expect(problem == nil, "\(kernels.name) \(c), \(fusion): \(problem ?? "")")
        // Twice, as a server runs it: the kernels keep no state from one batch to the next.
        #expect(conv.forward(input, training: false).scalars == actual.scalars)
    }

    /// A standalone 2×2 pool in inference runs the fused paths' kernel; training runs the general loop.
    @Test(arguments: [[2, 7, 5, 11], [3, 4, 4, 16], [1, 2, 2, 3]])
    func aPoolsInferenceKernelMatchesItsTrainingLoop(shape: [Int]) {
        var generator = SeededGenerator(seed: UInt64(shape.reduce(1, *)))
        let input = Tensor(
            shape: shape,
            scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &generator) })
        let pool = MaxPool2D()
        let expected = pool.forward(input, training: true)
        let actual = pool.forward(input, training: false)
        #expect(actual.shape == expected.shape)
        #expect(actual.scalars == expected.scalars)
    }

    @Test func anInferenceCopyFusesEachPoolIntoTheConvolutionBeforeIt() throws {
        var g = SeededGenerator(seed: 2)
        let net = try ArchitectureSpec.small.build(classes: 5, generator: &g)
        let copy = net.inferenceCopy()
        #expect(
            copy.layers.map { "\(type(of: $0))" } == [
                "Conv2D", "Conv2D", "Conv2D", "Flatten", "Linear", "ReLU", "Linear",
            ])
        #expect(copy.layers.compactMap { $0 as? Conv2D }.allSatisfy { $0.fusedMaxPool && $0.fusedReLU })
        // The original is untouched: it still trains with its own pools.
        #expect(net.layers.count { $0 is MaxPool2D } == 3)
        #expect(net.layers.compactMap { $0 as? Conv2D }.allSatisfy { !$0.fusedMaxPool })
        #expect(copy.outputShape(for: [4, 28, 28, 1]) == [4, 5])
    }
}
