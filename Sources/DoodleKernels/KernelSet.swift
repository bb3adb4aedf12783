/// The operands of one matrix product, `C (m, n) = op(A) (m, k) · op(B) (k, n)`, plus `C` itself when
/// `accumulate`, plus `bias[j]` on every row when given, then ReLU when asked.
///
/// Element (i, p) of A is at `a[i * aRowStride + p * aColStride]`, element (p, j) of B at
/// `b[p * bRowStride + j * bColStride]`; C is row-major with leading dimension `ldc`. For a product
/// with a prepacked B, `b` is the packed storage and its strides are unused.
public struct MatrixProduct {
    public var m, n, k: Int
    public var a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int
    public var b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int
    public var c: UnsafeMutablePointer<Float>, ldc: Int
    public var accumulate: Bool, bias: UnsafePointer<Float>?, relu: Bool

    public init(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
        b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool, bias: UnsafePointer<Float>?, relu: Bool
    ) {
        (self.m, self.n, self.k) = (m, n, k)
        (self.a, self.aRowStride, self.aColStride) = (a, aRowStride, aColStride)
        (self.b, self.bRowStride, self.bColStride) = (b, bRowStride, bColStride)
        (self.c, self.ldc) = (c, ldc)
        (self.accumulate, self.bias, self.relu) = (accumulate, bias, relu)
    }
}

/// The operands of one inference convolution: input (N, H, W, C) · weight + bias -> output
/// (N, OH, OW, K), then ReLU when `relu`, then a 2×2 max pool with stride 2 when `pooled`.
///
/// `weight` is (KH, KW, C, K) as the layer holds it for the direct kernel, and the packed storage of
/// the set's `packB` for the panel kernel.
public struct Convolution {
    public var geometry: ConvGeometry
    public var input: UnsafePointer<Float>
    public var weight: UnsafePointer<Float>
    public var bias: UnsafePointer<Float>
    public var outChannels: Int
    public var relu, pooled: Bool
    public var output: UnsafeMutablePointer<Float>

    public init(
        _ geometry: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, outChannels: Int, relu: Bool, pooled: Bool,
        output: UnsafeMutablePointer<Float>
    ) {
        (self.geometry, self.input, self.weight, self.bias) = (geometry, input, weight, bias)
        (self.outChannels, self.relu, self.pooled, self.output) = (outChannels, relu, pooled, output)
    }
}

/// The operands of a convolution's weight gradient: dWeight (KH, KW, C, K) += the sum over the batch
/// of input (N, H, W, C) windows times dOutput (N, OH, OW, K).
public struct ConvolutionGradient {
    public var geometry: ConvGeometry
    public var input: UnsafePointer<Float>
    public var dOutput: UnsafePointer<Float>
    public var outChannels: Int
    public var dWeight: UnsafeMutablePointer<Float>

    public init(
        _ geometry: ConvGeometry, input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
        outChannels: Int,
        dWeight: UnsafeMutablePointer<Float>
    ) {
        (self.geometry, self.input, self.dOutput) = (geometry, input, dOutput)
        (self.outChannels, self.dWeight) = (outChannels, dWeight)
    }
}

/// One instruction set's kernels, behind one table: the engine picks a set once at start-up
/// (`KernelSet.current`, in DoodleEngine) and calls through it.
///
/// Every set is the same source (`Sources/DoodleKernelSource`) compiled in its own module with its
/// own vector type and `-target-cpu`, so its hot loops are compiled for that instruction set and no
/// other. A set runs only on a CPU that has its `requirements`.
public struct KernelSet: Sendable, CustomStringConvertible {
    /// `avx512`, `avx2` or `baseline`: what `DOODLE_ISA` names it by.
    public let name: String
    /// Floats per SIMD vector of the micro-kernels.
    public let vectorWidth: Int
    /// What the CPU must have to run the set.
    public let requirements: CPUFeatures
    /// Rows and columns of the GEMM micro-kernel's tile; a packed B is made of `tileColumns`-wide panels.
    public let tileRows, tileColumns: Int

    /// The vector width the set's module was compiled with, for the tests to check `vectorWidth`
    /// against; call it only where `runsHere`.
    public let moduleVectorWidth: @Sendable () -> Int
    /// The product `MatrixProduct` describes, packed, blocked and multithreaded.
    public let multiply: @Sendable (MatrixProduct) -> Void
    /// Floats a packed B (k, n) takes.
    public let packedCount: @Sendable (_ k: Int, _ n: Int) -> Int
    /// Packs B (k, n), element (p, j) at `b[p * bRowStride + j * bColStride]`, into `packedCount` floats.
    public let packB:
        @Sendable (
            _ k: Int, _ n: Int, _ b: UnsafePointer<Float>, _ bRowStride: Int, _ bColStride: Int,
            _ into: UnsafeMutablePointer<Float>
        ) -> Void
    /// The product with a B that `packB` packed (`b`; `accumulate` must be false).
    public let multiplyPacked: @Sendable (MatrixProduct) -> Void
    /// Whether `panelConvolution` takes a geometry with this many output channels.
    public let panelConvolutionSuits: @Sendable (ConvGeometry, _ outChannels: Int) -> Bool
    /// A convolution whose weight `packB` packed, gathering its windows a micro-kernel panel at a time.
    public let panelConvolution: @Sendable (Convolution) -> Void
    /// Whether `directConvolution` takes a geometry with this many output channels (and pools it).
    public let directConvolutionSuits: @Sendable (ConvGeometry, _ outChannels: Int, _ pooled: Bool) -> Bool
    /// A shallow convolution straight from the image: a first layer on a grey image.
    public let directConvolution: @Sendable (Convolution) -> Void
    /// Whether `winogradConvolution` takes a 3×3, stride-1 convolution of C channels and K filters.
    public let winogradSuits: @Sendable (_ channels: Int, _ outChannels: Int) -> Bool
    /// Whether `winogradConvolution` is the faster kernel for a geometry, K filters and pooling.
    public let winogradWorthwhile: @Sendable (ConvGeometry, _ outChannels: Int, _ pooled: Bool) -> Bool
    /// Floats `transformWinogradWeight` writes for C channels and K filters.
    public let winogradWeightCount: @Sendable (_ channels: Int, _ outChannels: Int) -> Int
    /// A 3×3 weight (3, 3, C, K) -> the sixteen packed C × K matrices of its Winograd transform.
    public let transformWinogradWeight:
        @Sendable (
            _ channels: Int, _ outChannels: Int, _ weight: UnsafePointer<Float>,
            _ into: UnsafeMutablePointer<Float>
        ) -> Void
    /// A 3×3, stride-1 convolution by Winograd's F(2×2, 3×3), its weight from `transformWinogradWeight`.
    public let winogradConvolution: @Sendable (Convolution) -> Void
    /// The weight gradient of `winogradConvolution`'s geometries (unpooled), added to `dWeight`, by
    /// Winograd's transforms: no column matrix.
    public let winogradWeightGradient: @Sendable (ConvolutionGradient) -> Void
    /// input (N, H, W, C) -> col (N·OH·OW, KH·KW·C).
    public let im2col:
        @Sendable (ConvGeometry, _ input: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) -> Void
    /// col (N·OH·OW, KH·KW·C) -> dInput (N, H, W, C), overwritten: im2col's adjoint.
    public let col2im:
        @Sendable (ConvGeometry, _ col: UnsafePointer<Float>, _ dInput: UnsafeMutablePointer<Float>) -> Void
    /// One output row of a 2×2, stride-2 max pool: out (width, C) from 2 rows `rowStride` apart.
    public let maxPool2x2:
        @Sendable (
            _ rows: UnsafePointer<Float>, _ rowStride: Int, _ width: Int, _ channels: Int,
            _ out: UnsafeMutablePointer<Float>
        ) -> Void
    /// Batch norm's per-channel sums (`ChannelSums`): the batch statistics, or the gradient's sums.
    public let channelSums: @Sendable (ChannelSums) -> Void
    /// Batch norm's forward pass in training or inference (`BatchNormForward`).
    public let batchNormForward: @Sendable (BatchNormForward) -> Void
    /// Batch norm's input gradient (`BatchNormBackward`).
    public let batchNormBackward: @Sendable (BatchNormBackward) -> Void
    /// Runs `iterations` steps of 12 independent vector multiply-adds, the set's peak: 24 ×
    /// `vectorWidth` flops a step. Returns a sum of the accumulators, so the loop cannot be dropped.
    public let multiplyAddLoop: @Sendable (_ iterations: Int) -> Float

    public init(
        name: String, vectorWidth: Int, requirements: CPUFeatures, tileRows: Int, tileColumns: Int,
        moduleVectorWidth: @escaping @Sendable () -> Int,
        multiply: @escaping @Sendable (MatrixProduct) -> Void,
        packedCount: @escaping @Sendable (Int, Int) -> Int,
        packB:
            @escaping @Sendable (Int, Int, UnsafePointer<Float>, Int, Int, UnsafeMutablePointer<Float>) ->
            Void,
        multiplyPacked: @escaping @Sendable (MatrixProduct) -> Void,
        panelConvolutionSuits: @escaping @Sendable (ConvGeometry, Int) -> Bool,
        panelConvolution: @escaping @Sendable (Convolution) -> Void,
        directConvolutionSuits: @escaping @Sendable (ConvGeometry, Int, Bool) -> Bool,
        directConvolution: @escaping @Sendable (Convolution) -> Void,
        winogradSuits: @escaping @Sendable (Int, Int) -> Bool,
        winogradWorthwhile: @escaping @Sendable (ConvGeometry, Int, Bool) -> Bool,
        winogradWeightCount: @escaping @Sendable (Int, Int) -> Int,
        transformWinogradWeight:
            @escaping @Sendable (Int, Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void,
        winogradConvolution: @escaping @Sendable (Convolution) -> Void,
        winogradWeightGradient: @escaping @Sendable (ConvolutionGradient) -> Void,
        im2col: @escaping @Sendable (ConvGeometry, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void,
        col2im: @escaping @Sendable (ConvGeometry, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void,
        maxPool2x2:
            @escaping @Sendable (UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>) -> Void,
        channelSums: @escaping @Sendable (ChannelSums) -> Void,
        batchNormForward: @escaping @Sendable (BatchNormForward) -> Void,
        batchNormBackward: @escaping @Sendable (BatchNormBackward) -> Void,
        multiplyAddLoop: @escaping @Sendable (Int) -> Float
    ) {
        (self.name, self.vectorWidth, self.requirements) = (name, vectorWidth, requirements)
        (self.tileRows, self.tileColumns, self.moduleVectorWidth) = (tileRows, tileColumns, moduleVectorWidth)
        (self.multiply, self.packedCount, self.packB, self.multiplyPacked) = (
            multiply, packedCount, packB, multiplyPacked
        )
        (self.panelConvolutionSuits, self.panelConvolution) = (panelConvolutionSuits, panelConvolution)
        (self.directConvolutionSuits, self.directConvolution) = (directConvolutionSuits, directConvolution)
        (self.winogradSuits, self.winogradWorthwhile) = (winogradSuits, winogradWorthwhile)
        self.winogradWeightCount = winogradWeightCount
        (self.transformWinogradWeight, self.winogradConvolution, self.winogradWeightGradient) = (
            transformWinogradWeight, winogradConvolution, winogradWeightGradient
        )
        (self.im2col, self.col2im, self.maxPool2x2) = (im2col, col2im, maxPool2x2)
        (self.channelSums, self.batchNormForward, self.batchNormBackward) = (
            channelSums, batchNormForward, batchNormBackward
        )
        self.multiplyAddLoop = multiplyAddLoop
    }

    /// Whether this machine can run the set.
    public var runsHere: Bool { CPUFeatures.host.isSuperset(of: requirements) }

    public var description: String { "\(name) (\(vectorWidth)-wide, \(tileRows)×\(tileColumns) GEMM tile)" }
}
