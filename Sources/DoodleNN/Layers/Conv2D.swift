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
/// with the bias (and, when `fusedReLU`, the ReLU) applied as the product is stored; in inference, a
/// window of at most 32 taps × channels runs `DirectConv` instead. Model files hold the weight in
/// PyTorch's (K, C, KH, KW) layout; `ModelIO` converts.
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

    /// The weight packed for the matrix product, made by `packForInference()`: inference then skips
    /// packing it on every call. Training drops it, since the weight changes.
    private var packedWeight: GEMM.PackedB?
    private var col = Tensor(shape: [0], scalars: [])
    private var output = Tensor(shape: [0], scalars: [])
    private var dInput = Tensor(shape: [0], scalars: [])
    private var dCol = Tensor(shape: [0], scalars: [])
    private var geometry: ConvGeometry?

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

    func geometry(for shape: [Int]) -> ConvGeometry {
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
        return [g.batch, g.outHeight, g.outWidth, outChannels]
    }

    /// A 1×1 convolution with stride 1 and no padding multiplies the input directly: no im2col.
    private var isPointwise: Bool {
        kernelSize == 1 && stride == 1 && (padding == .valid || padding == .same || padding == .explicit(0))
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let g = geometry(for: input.shape)
        geometry = g
        output.resize(to: [g.batch, g.outHeight, g.outWidth, outChannels])
        let relu = fusedReLU && !training
        if training { packedWeight = nil }
        if isPointwise {
            multiplyWeight(input, g, relu: relu)
        } else if !training && DirectConv.suits(g, outChannels: outChannels) {
            input.withUnsafeBufferPointer { x in
                weight.value.withUnsafeBufferPointer { w in
                    bias.value.withUnsafeBufferPointer { b in
                        output.withUnsafeMutableBufferPointer { y in
                            DirectConv.forward(
                                g, input: x.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!,
                                outChannels: outChannels, relu: relu, output: y.baseAddress!)
                        }
                    }
                }
            }
        } else if !training, let packedWeight {
            forwardInGroups(input, g, packedWeight, relu: relu)
        } else {
            col.resize(to: [g.colRows, g.colColumns])
            input.withUnsafeBufferPointer { x in
                col.withUnsafeMutableBufferPointer {
                    Im2col.forward(g, input: x.baseAddress!, col: $0.baseAddress!)
                }
            }
            multiplyWeight(col, g, relu: relu)
        }
        if training && isPointwise { col = input }
        return output
    }

    /// The most im2col floats an inference pass builds at once: 2 MB, which stays in cache for the
    /// product that reads it straight after. A whole batch's columns (58 MB for `small`'s second
    /// layer at batch 256) would go out to memory and back.
    static let groupColumns = 1 << 19

    /// Inference over groups of images whose im2col rows fit in `groupColumns`: im2col, then the
    /// product with the packed weight, one group at a time.
    private func forwardInGroups(_ input: Tensor, _ g: ConvGeometry, _ packed: GEMM.PackedB, relu: Bool) {
        let pixels = g.outHeight * g.outWidth
        let group = max(1, min(g.batch, Self.groupColumns / (pixels * g.colColumns)))
        let imageSize = g.height * g.width * g.channels
        col.resize(to: [group * pixels, g.colColumns])
        input.withUnsafeBufferPointer { x in
            col.withUnsafeMutableBufferPointer { c in
                bias.value.withUnsafeBufferPointer { b in
                    output.withUnsafeMutableBufferPointer { y in
                        var start = 0
                        while start < g.batch {
                            var part = g
                            part.batch = min(group, g.batch - start)
                            Im2col.forward(
                                part, input: x.baseAddress! + start * imageSize, col: c.baseAddress!)
                            multiplyPacked(
                                c.baseAddress!, rows: part.colRows, columns: g.colColumns, packed,
                                bias: b.baseAddress!, relu: relu,
                                into: y.baseAddress! + start * pixels * outChannels)
                            start += part.batch
                        }
                    }
                }
            }
        }
    }

    /// Packs the weight once for the matrix product, for a network that only infers from now on: an
    /// inference copy. A training forward pass drops the packed copy.
    public func packForInference() {
        packedWeight = weight.value.withUnsafeBufferPointer {
            GEMM.PackedB(
                k: kernelSize * kernelSize * inChannels, n: outChannels, b: $0.baseAddress!,
                bRowStride: outChannels, bColStride: 1)
        }
    }

    /// y (rows, K) = a (rows, columns) · the packed weight, plus bias, then ReLU when `relu`.
    private func multiplyPacked(
        _ a: UnsafePointer<Float>, rows: Int, columns: Int, _ packed: GEMM.PackedB,
        bias: UnsafePointer<Float>, relu: Bool, into y: UnsafeMutablePointer<Float>
    ) {
        GEMM.multiply(
            m: rows, a: a, aRowStride: columns, aColStride: 1, packedB: packed, c: y, ldc: outChannels,
            bias: bias, relu: relu)
    }

    private func multiplyWeight(_ rows: Tensor, _ g: ConvGeometry, relu: Bool) {
        if let packedWeight {
            rows.withUnsafeBufferPointer { a in
                bias.value.withUnsafeBufferPointer { b in
                    output.withUnsafeMutableBufferPointer { y in
                        multiplyPacked(
                            a.baseAddress!, rows: g.colRows, columns: g.colColumns, packedWeight,
                            bias: b.baseAddress!, relu: relu, into: y.baseAddress!)
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
                            c: y.baseAddress!, ldc: outChannels, bias: b.baseAddress!, relu: relu)
                    }
                }
            }
        }
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let g = geometry else { preconditionFailure("Conv2D.backward before forward") }
        precondition(dOutput.shape == [g.batch, g.outHeight, g.outWidth, outChannels])
        let k = outChannels
        dOutput.withUnsafeBufferPointer { dy in
            // dWeight (KH·KW·C, K) += colᵀ · dOutput
            col.withUnsafeBufferPointer { cols in
                weight.grad.withUnsafeMutableBufferPointer { dw in
                    GEMM.multiply(
                        m: g.colColumns, n: k, k: g.colRows,
                        a: cols.baseAddress!, aRowStride: 1, aColStride: g.colColumns,
                        b: dy.baseAddress!, bRowStride: k, bColStride: 1,
                        c: dw.baseAddress!, ldc: k, accumulate: true)
                }
            }
            bias.grad.withUnsafeMutableBufferPointer { db in
                addColumnSums(dy.baseAddress!, rows: g.colRows, columns: k, into: db.baseAddress!)
            }
        }
        guard needsInputGradient else { return Tensor(shape: [0], scalars: []) }
        dInput.resize(to: [g.batch, g.height, g.width, g.channels])
        if isPointwise {
            dInput.withUnsafeMutableBufferPointer {
                multiplyWeightTransposed(dOutput, g, into: $0.baseAddress!)
            }
        } else {
            dCol.resize(to: [g.colRows, g.colColumns])
            dCol.withUnsafeMutableBufferPointer {
                multiplyWeightTransposed(dOutput, g, into: $0.baseAddress!)
            }
            dCol.withUnsafeBufferPointer { dc in
                dInput.withUnsafeMutableBufferPointer {
                    Im2col.backward(g, col: dc.baseAddress!, dInput: $0.baseAddress!)
                }
            }
        }
        return dInput
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
                    c: dCol, ldc: g.colColumns)
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
