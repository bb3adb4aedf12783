/// How a convolution pads its input.
public enum Padding: Sendable, Equatable, Codable {
    /// No padding: the output shrinks by `kernel - 1`.
    case valid
    /// Output the size of the input (stride 1): `(k - 1) / 2` before, the rest after, as PyTorch does.
    case same
    /// `n` zeros on every side.
    case explicit(Int)
}

/// A 2-D convolution with bias: input (N, H, W, C), weight (KH, KW, C, K) -> output (N, OH, OW, K).
///
/// Computed as im2col followed by one matrix product `col (N·OH·OW, KH·KW·C) · weight (KH·KW·C, K)`,
/// with the bias (and, when `fusedReLU`, the ReLU) applied as the product is stored. Inference skips
/// the column matrix: a window of at most 32 taps × channels runs the direct kernel, others the panel one,
/// and either can max-pool as it stores (`fusedMaxPool`). A 3×3, stride-1 layer with enough channels and
/// tiles runs Winograd's F(2×2, 3×3) instead, in inference and in training, where it computes the output
/// and all three gradients with no column matrix. Model files hold the weight in PyTorch's
/// (K, C, KH, KW) layout; `ModelIO` converts.
public final class Conv2D: Layer {
    public let inChannels, outChannels, kernelSize, stride: Int
    public let padding: Padding
    /// The weight, (KH, KW, C, K): the matrix the im2col rows multiply.
    public let weight: Parameter
    /// One bias per output channel.
    public let bias: Parameter
    public var needsInputGradient = true
    /// Apply ReLU to the output in the same pass (inference fast path; set by the model builder).
    public var fusedReLU = false
    /// Apply that ReLU in training too: when a max pool follows it that gates its gradient by the
    /// ReLU's mask (`MaxPool2D.gatesReLU`). Set by `Sequential`.
    public var reluInTraining = false
    /// Max-pool the output 2×2 with stride 2 in the same pass, as a `MaxPool2D()` after this layer
    /// (and its ReLU) would: inference only, set by `Sequential.inferenceCopy()`.
    public var fusedMaxPool = false
    /// The kernel set that runs this layer: the engine's choice unless a test picks another. A
    /// weight packed for inference keeps the set that packed it.
    public var kernels = KernelSet.current

    /// The weight packed for the matrix product, made by `packForInference()`: inference then skips
    /// packing it on every call. Training drops it, since the weight changes.
    private var packedWeight: GEMM.PackedB?
    /// The weight transformed for Winograd's F(2×2, 3×3) by `packForInference()`, when the layer is
    /// 3×3 with stride 1 and its set takes the channel counts; dropped by training, as `packedWeight`.
    private var winogradWeight: (kernels: KernelSet, storage: AlignedFloats)?
    private var col = Tensor(shape: [0], scalars: [])
    /// Whether the last training forward pass ran Winograd, whose weight gradient reads the input.
    private var trainedByWinograd = false
    /// That pass's input, for the weight gradient; let go once `backward` has used it, so that the layer
    /// before can write its next output in place (not a copy, as it would while this one is held).
    private var winogradInput: Tensor?
    private var output = Tensor(shape: [0], scalars: [])
    private var dInput = Tensor(shape: [0], scalars: [])
    private var dCol = Tensor(shape: [0], scalars: [])
    private var geometry: ConvGeometry?
    /// The full-size output and the pool, for a fused pool the fast kernels cannot take.
    private var unpooled = Tensor(shape: [0], scalars: [])
    private lazy var pool = MaxPool2D()

    /// A convolution with He-initialised weights and zero bias.
    public init(
        inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Padding = .same,
        generator: inout some RandomNumberGenerator
    ) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0)
        precondition(padding != .same || stride == 1, "'same' padding needs stride 1, as in PyTorch")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        let fanIn = inChannels * kernelSize * kernelSize
        weight = Parameter(
            "weight",
            .heNormal(
                shape: [kernelSize, kernelSize, inChannels, outChannels], fanIn: fanIn, using: &generator))
        bias = Parameter("bias", Tensor(repeating: 0, shape: [outChannels]))
    }

    public var parameters: [Parameter] { [weight, bias] }

    /// The convolution's geometry over an input of `shape` (N, H, W, C).
    public func geometry(for shape: [Int]) -> ConvGeometry {
        precondition(
            shape.count == 4 && shape[3] == inChannels,
            "Conv2D expects (N, H, W, \(inChannels)), got \(shape)")
        let (padBefore, padTotal): (Int, Int)
        switch padding {
        case .valid: (padBefore, padTotal) = (0, 0)
        case .same: (padBefore, padTotal) = ((kernelSize - 1) / 2, kernelSize - 1)
        case .explicit(let p): (padBefore, padTotal) = (p, 2 * p)
        }
        let outHeight = (shape[1] + padTotal - kernelSize) / stride + 1
        let outWidth = (shape[2] + padTotal - kernelSize) / stride + 1
        precondition(outHeight > 0 && outWidth > 0, "Conv2D: input \(shape) is smaller than the kernel")
        return ConvGeometry(
            batch: shape[0], height: shape[1], width: shape[2], channels: inChannels,
            kernelHeight: kernelSize, kernelWidth: kernelSize, stride: stride,
            padTop: padBefore, padLeft: padBefore, outHeight: outHeight, outWidth: outWidth)
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        let g = geometry(for: inputShape)
        let shape = [g.batch, g.outHeight, g.outWidth, outChannels]
        return fusedMaxPool ? pooledShape(shape, size: 2, stride: 2, layer: "MaxPool2D") : shape
    }

    /// A 1×1 convolution with stride 1 and no padding multiplies the input directly: no im2col.
    private var isPointwise: Bool {
        kernelSize == 1 && stride == 1 && (padding == .valid || padding == .same || padding == .explicit(0))
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let g = geometry(for: input.shape)
        geometry = g
        let relu = fusedReLU && (!training || reluInTraining)
        precondition(!training || !fusedMaxPool, "Conv2D: a fused max pool is for inference only")
        if training { (packedWeight, winogradWeight) = (nil, nil) }
        (trainedByWinograd, winogradInput) = (false, nil)
        if fusedMaxPool {
            output.resize(to: outputShape(for: input.shape))
            if forwardWithoutColumns(input, g, relu: relu, pooled: true) { return output }
            // No kernel pools this shape as it goes: the full output, then the pool.
            swap(&output, &unpooled)
            forwardUnpooled(input, g, relu: relu, training: false)
            swap(&output, &unpooled)
            return pool.forward(unpooled, training: false)
        }
        forwardUnpooled(input, g, relu: relu, training: training)
        if training && isPointwise { col = input }
        return output
    }

    private func forwardUnpooled(_ input: Tensor, _ g: ConvGeometry, relu: Bool, training: Bool) {
        output.resize(to: [g.batch, g.outHeight, g.outWidth, outChannels])
        if isPointwise {
            multiplyWeight(input, g, relu: relu)
        } else if training && kernels.winogradWorthwhile(g, outChannels, false) {
            // The weight changes every step, so it is transformed every step: C·K·16 values, against the
            // batch's N·OH·OW·C·K·9 multiply-adds. The weight gradient needs only the input: no columns.
            let transformed = weight.value.withUnsafeBufferPointer {
                Self.winogradTransformed($0.baseAddress!, inChannels, outChannels, kernels)
            }
            bias.value.withUnsafeBufferPointer { b in
                Self.winograd(
                    input, g, transformed, kernels, bias: b.baseAddress!, outChannels: outChannels,
                    relu: relu, pooled: false, into: &output)
            }
            (trainedByWinograd, winogradInput) = (true, input)
        } else if training || !forwardWithoutColumns(input, g, relu: relu, pooled: false) {
            col.resize(to: [g.colRows, g.colColumns])
            input.withUnsafeBufferPointer { x in
                col.withUnsafeMutableBufferPointer { kernels.im2col(g, x.baseAddress!, $0.baseAddress!) }
            }
            multiplyWeight(col, g, relu: relu)
        }
    }

    /// A (3, 3, C, K) weight transformed for Winograd by `kernels`.
    private static func winogradTransformed(
        _ weight: UnsafePointer<Float>, _ c: Int, _ k: Int, _ kernels: KernelSet
    ) -> AlignedFloats {
        let storage = AlignedFloats(count: kernels.winogradWeightCount(c, k))
        kernels.transformWinogradWeight(c, k, weight, storage.base)
        return storage
    }

    /// `result` (sized) = input convolved by Winograd with the `transformed` weight, plus `bias`, then
    /// ReLU and the 2×2 max pool as asked.
    private static func winograd(
        _ input: Tensor, _ g: ConvGeometry, _ transformed: AlignedFloats, _ kernels: KernelSet,
        bias: UnsafePointer<Float>, outChannels: Int, relu: Bool, pooled: Bool, into result: inout Tensor
    ) {
        input.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { y in
                withExtendedLifetime(transformed) {
                    kernels.winogradConvolution(
                        Convolution(
                            g, input: x.baseAddress!, weight: transformed.base, bias: bias,
                            outChannels: outChannels, relu: relu, pooled: pooled, output: y.baseAddress!))
                }
            }
        }
    }

    /// Inference without a column matrix into `output`, already sized: `DirectConv` for a shallow
    /// window, else `PanelConv` with the packed weight, each max-pooling as it stores when `pooled`.
    /// - Returns: `false`, having done nothing, when neither takes `g`.
    private func forwardWithoutColumns(_ input: Tensor, _ g: ConvGeometry, relu: Bool, pooled: Bool) -> Bool {
        if kernels.directConvolutionSuits(g, outChannels, pooled) {
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    bias.value.withUnsafeBufferPointer { b in
                        output.withUnsafeMutableBufferPointer { y in
                            kernels.directConvolution(
                                Convolution(
                                    g, input: x.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!,
                                    outChannels: outChannels, relu: relu, pooled: pooled,
                                    output: y.baseAddress!))
                        }
                    }
                }
            }
            return true
        }
        if let winogradWeight, winogradWeight.kernels.winogradWorthwhile(g, outChannels, pooled) {
            bias.value.withUnsafeBufferPointer { b in
                Self.winograd(
                    input, g, winogradWeight.storage, winogradWeight.kernels, bias: b.baseAddress!,
                    outChannels: outChannels, relu: relu, pooled: pooled, into: &output)
            }
            return true
        }
        guard let packedWeight, packedWeight.kernels.panelConvolutionSuits(g, outChannels) else {
            return false
        }
        input.withUnsafeBufferPointer { x in
            bias.value.withUnsafeBufferPointer { b in
                output.withUnsafeMutableBufferPointer { y in
                    withExtendedLifetime(packedWeight) {
                        packedWeight.kernels.panelConvolution(
                            Convolution(
                                g, input: x.baseAddress!, weight: packedWeight.base, bias: b.baseAddress!,
                                outChannels: outChannels, relu: relu, pooled: pooled, output: y.baseAddress!))
                    }
                }
            }
        }
        return true
    }

    /// Packs the weight once for the matrix product, for a network that only infers from now on: an
    /// inference copy. A training forward pass drops the packed copy.
    public func packForInference() {
        packedWeight = weight.value.withUnsafeBufferPointer {
            GEMM.PackedB(
                k: kernelSize * kernelSize * inChannels, n: outChannels, b: $0.baseAddress!,
                bRowStride: outChannels, bColStride: 1, kernels: kernels)
        }
        winogradWeight = nil
        if kernelSize == 3 && stride == 1 && kernels.winogradSuits(inChannels, outChannels) {
            winogradWeight = weight.value.withUnsafeBufferPointer {
                (kernels, Self.winogradTransformed($0.baseAddress!, inChannels, outChannels, kernels))
            }
        }
    }

    private func multiplyWeight(_ rows: Tensor, _ g: ConvGeometry, relu: Bool) {
        if let packedWeight {
            rows.withUnsafeBufferPointer { a in
                bias.value.withUnsafeBufferPointer { b in
                    output.withUnsafeMutableBufferPointer { y in
                        GEMM.multiply(
                            m: g.colRows, a: a.baseAddress!, aRowStride: g.colColumns, aColStride: 1,
                            packedB: packedWeight, c: y.baseAddress!, ldc: outChannels, bias: b.baseAddress!,
                            relu: relu)
                    }
                }
            }
            return
        }
        rows.withUnsafeBufferPointer { a in
            weight.value.withUnsafeBufferPointer { w in
                bias.value.withUnsafeBufferPointer { b in
                    output.withUnsafeMutableBufferPointer { y in
                        GEMM.multiply(
                            m: g.colRows, n: outChannels, k: g.colColumns,
                            a: a.baseAddress!, aRowStride: g.colColumns, aColStride: 1,
                            b: w.baseAddress!, bRowStride: outChannels, bColStride: 1,
                            c: y.baseAddress!, ldc: outChannels, bias: b.baseAddress!, relu: relu,
                            kernels: kernels)
                    }
                }
            }
        }
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let g = geometry else { fatalError("Conv2D.backward before forward") }
        precondition(dOutput.shape == [g.batch, g.outHeight, g.outWidth, outChannels])
        let k = outChannels
        dOutput.withUnsafeBufferPointer { dy in
            if trainedByWinograd {
                // fatalError, not a precondition: the engine is built -Ounchecked, which drops those.
                guard let input = winogradInput else {
                    fatalError("Conv2D.backward: one backward pass per forward pass")
                }
                input.withUnsafeBufferPointer { x in
                    weight.grad.withUnsafeMutableBufferPointer { dw in
                        kernels.winogradWeightGradient(
                            ConvolutionGradient(
                                g, input: x.baseAddress!, dOutput: dy.baseAddress!, outChannels: k,
                                dWeight: dw.baseAddress!))
                    }
                }
            } else {
                // dWeight (KH·KW·C, K) += colᵀ · dOutput
                col.withUnsafeBufferPointer { cols in
                    weight.grad.withUnsafeMutableBufferPointer { dw in
                        GEMM.multiply(
                            m: g.colColumns, n: k, k: g.colRows,
                            a: cols.baseAddress!, aRowStride: 1, aColStride: g.colColumns,
                            b: dy.baseAddress!, bRowStride: k, bColStride: 1,
                            c: dw.baseAddress!, ldc: k, accumulate: true, kernels: kernels)
                    }
                }
            }
            bias.grad.withUnsafeMutableBufferPointer { db in
                addColumnSums(dy.baseAddress!, rows: g.colRows, columns: k, into: db.baseAddress!)
            }
        }
        winogradInput = nil
        guard needsInputGradient else { return Tensor(shape: [0], scalars: []) }
        dInput.resize(to: [g.batch, g.height, g.width, g.channels])
        if isPointwise {
            dInput.withUnsafeMutableBufferPointer {
                multiplyWeightTransposed(dOutput, g, into: $0.baseAddress!)
            }
        } else if !convolveWithFlippedWeight(dOutput, g) {
            dCol.resize(to: [g.colRows, g.colColumns])
            dCol.withUnsafeMutableBufferPointer {
                multiplyWeightTransposed(dOutput, g, into: $0.baseAddress!)
            }
            dCol.withUnsafeBufferPointer { dc in
                dInput.withUnsafeMutableBufferPointer { kernels.col2im(g, dc.baseAddress!, $0.baseAddress!) }
            }
        }
        return dInput
    }

    /// The input gradient of a stride-1 convolution as a convolution itself: of dOutput (N, OH, OW, K)
    /// with the weight turned 180° and its channels swapped, padded by KH − 1 − padTop before, into
    /// (N, H, W, C). Nil for a stride above 1, or padding wider than the kernel, which take col2im.
    static func inputGradientGeometry(_ g: ConvGeometry, outChannels: Int) -> ConvGeometry? {
        let (top, left) = (g.kernelHeight - 1 - g.padTop, g.kernelWidth - 1 - g.padLeft)
        guard g.stride == 1, top >= 0, left >= 0 else { return nil }
        return ConvGeometry(
            batch: g.batch, height: g.outHeight, width: g.outWidth, channels: outChannels,
            kernelHeight: g.kernelHeight,
            kernelWidth: g.kernelWidth, stride: 1, padTop: top, padLeft: left, outHeight: g.height,
            outWidth: g.width)
    }

    /// dInput (N, H, W, C) = dOutput convolved with the flipped weight (`inputGradientGeometry`), by
    /// Winograd when it takes the shape, else by the panel kernel, which gathers its windows in cache:
    /// either way no column matrix of N·OH·OW × KH·KW·C written and read back through col2im, the
    /// largest traffic of a training step.
    /// - Returns: `false`, having done nothing, when there is no such convolution for the layer's
    ///   geometry `layer`, or neither kernel takes it.
    private func convolveWithFlippedWeight(_ dOutput: Tensor, _ layer: ConvGeometry) -> Bool {
        guard let g = Self.inputGradientGeometry(layer, outChannels: outChannels) else { return false }
        let (kh, kw, c, k) = (kernelSize, kernelSize, inChannels, outChannels)
        let byWinograd = kernels.winogradWorthwhile(g, c, false)
        guard byWinograd || kernels.panelConvolutionSuits(g, c) else { return false }
        // flipped[ky, kx, k, c] = weight[KH − 1 − ky, KW − 1 − kx, c, k]
        let flipped = weight.value.withUnsafeBufferPointer { w in
            [Float](unsafeUninitializedCapacity: w.count) { out, count in
                for tap in 0..<(kh * kw) {
                    let from = w.baseAddress! + (kh * kw - 1 - tap) * c * k
                    let to = out.baseAddress! + tap * k * c
                    for ch in 0..<c {
                        for o in 0..<k { to[o * c + ch] = from[ch * k + o] }
                    }
                }
                count = w.count
            }
        }
        let zeros = [Float](repeating: 0, count: c)
        if byWinograd {
            let transformed = flipped.withUnsafeBufferPointer {
                Self.winogradTransformed($0.baseAddress!, k, c, kernels)
            }
            zeros.withUnsafeBufferPointer {
                Self.winograd(
                    dOutput, g, transformed, kernels, bias: $0.baseAddress!, outChannels: c, relu: false,
                    pooled: false, into: &dInput)
            }
            return true
        }
        let packed = flipped.withUnsafeBufferPointer {
            GEMM.PackedB(
                k: kh * kw * k, n: c, b: $0.baseAddress!, bRowStride: c, bColStride: 1, kernels: kernels)
        }
        dOutput.withUnsafeBufferPointer { dy in
            zeros.withUnsafeBufferPointer { zeros in
                dInput.withUnsafeMutableBufferPointer { dx in
                    withExtendedLifetime(packed) {
                        kernels.panelConvolution(
                            Convolution(
                                g, input: dy.baseAddress!, weight: packed.base, bias: zeros.baseAddress!,
                                outChannels: c, relu: false, pooled: false, output: dx.baseAddress!))
                    }
                }
            }
        }
        return true
    }

    /// dCol (N·OH·OW, KH·KW·C) = dOutput (N·OH·OW, K) · weightᵀ (K, KH·KW·C)
    private func multiplyWeightTransposed(
        _ dOutput: Tensor, _ g: ConvGeometry, into dCol: UnsafeMutablePointer<Float>
    ) {
        dOutput.withUnsafeBufferPointer { dy in
            weight.value.withUnsafeBufferPointer { w in
                GEMM.multiply(
                    m: g.colRows, n: g.colColumns, k: outChannels,
                    a: dy.baseAddress!, aRowStride: outChannels, aColStride: 1,
                    b: w.baseAddress!, bRowStride: 1, bColStride: outChannels,
                    c: dCol, ldc: g.colColumns, kernels: kernels)
            }
        }
    }
}

/// sums[j] += Σᵢ matrix[i, j] for a row-major (rows, columns) matrix: the bias gradient.
func addColumnSums(
    _ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>
) {
    for i in 0..<rows {
        let row = matrix + i * columns
        for j in 0..<columns { sums[j] += row[j] }
    }
}
