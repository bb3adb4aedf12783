import DoodleKernels

/// This module's kernels, which the engine puts in the `KernelSet` of this instruction set.
///
/// The engine builds that table from references to these functions and calls none of them until it
/// has checked that the CPU can run the set: no code of this module may run before, since any of it
/// may use the module's instructions.
public enum ISAKernels {
    /// Floats per `Vector`, which the engine's table states and the tests check.
    public static func vectorWidth() -> Int { Vector.scalarCount }
    public static func multiply(_ p: MatrixProduct) { GEMM.multiply(p) }
    public static func packedCount(_ k: Int, _ n: Int) -> Int { GEMM.packedCount(k: k, n: n) }
    public static func packB(
        _ k: Int, _ n: Int, _ b: UnsafePointer<Float>, _ bRowStride: Int, _ bColStride: Int,
        _ packed: UnsafeMutablePointer<Float>
    ) {
        GEMM.pack(k: k, n: n, b: b, bRowStride: bRowStride, bColStride: bColStride, into: packed)
    }
    public static func multiplyPacked(_ p: MatrixProduct) { GEMM.multiplyPacked(p) }
    public static func panelConvolutionSuits(_ g: ConvGeometry, _ outChannels: Int) -> Bool {
        PanelConv.suits(g, outChannels: outChannels)
    }
    public static func panelConvolution(_ conv: Convolution) { PanelConv.forward(conv) }
    public static func directConvolutionSuits(_ g: ConvGeometry, _ outChannels: Int, _ pooled: Bool) -> Bool {
        DirectConv.suits(g, outChannels: outChannels) && (!pooled || DirectConv.canPool(g))
    }
    public static func directConvolution(_ conv: Convolution) { DirectConv.forward(conv) }
    public static func winogradSuits(_ channels: Int, _ outChannels: Int) -> Bool {
        WinogradConv.suits(channels: channels, outChannels: outChannels)
    }
    public static func winogradWorthwhile(_ g: ConvGeometry, _ outChannels: Int, _ pooled: Bool) -> Bool {
        WinogradConv.worthwhile(g, outChannels: outChannels, pooled: pooled)
    }
    public static func winogradWeightCount(_ channels: Int, _ outChannels: Int) -> Int {
        WinogradConv.weightCount(channels: channels, outChannels: outChannels)
    }
    public static func transformWinogradWeight(
        _ channels: Int, _ outChannels: Int, _ weight: UnsafePointer<Float>,
        _ into: UnsafeMutablePointer<Float>
    ) {
        WinogradConv.transformWeight(channels: channels, outChannels: outChannels, weight, into: into)
    }
    public static func winogradConvolution(_ conv: Convolution) { WinogradConv.forward(conv) }
    public static func winogradWeightGradient(_ p: ConvolutionGradient) { WinogradConv.weightGradient(p) }
    public static func im2col(
        _ g: ConvGeometry, _ input: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>
    ) {
        Im2col.forward(g, input: input, col: col)
    }
    public static func col2im(
        _ g: ConvGeometry, _ col: UnsafePointer<Float>, _ dInput: UnsafeMutablePointer<Float>
    ) {
        Im2col.backward(g, col: col, dInput: dInput)
    }
    public static func maxPool2x2(
        _ rows: UnsafePointer<Float>, _ rowStride: Int, _ width: Int, _ channels: Int,
        _ out: UnsafeMutablePointer<Float>
    ) {
        maxPoolRow2x2(rows, rowStride: rowStride, width: width, channels: channels, into: out)
    }
    public static func channelSums(_ s: ChannelSums) { BatchNorm.sums(s) }
    public static func batchNormForward(_ p: BatchNormForward) { BatchNorm.forward(p) }
    public static func batchNormBackward(_ p: BatchNormBackward) { BatchNorm.backward(p) }
    public static func multiplyAddLoop(_ iterations: Int) -> Float { multiplyAddPeak(iterations: iterations) }
}

/// `iterations` steps of 12 independent multiply-adds on `Vector`s: each accumulator is multiplied
/// by a constant just below 1 and added to, so it stays bounded and every step depends on the last
/// (no multiply can be hoisted out of the loop). 12 chains cover the multiply-add's latency on the
/// CPUs this runs on, so the loop runs at the instruction set's throughput.
@inline(never)
func multiplyAddPeak(iterations: Int) -> Float {
    let x = Vector(repeating: 0.999_999), y = Vector(repeating: 1e-6)
    var a0 = Vector(repeating: 0), a1 = Vector(repeating: 1), a2 = Vector(repeating: 2)
    var a3 = Vector(repeating: 3), a4 = Vector(repeating: 4), a5 = Vector(repeating: 5)
    var a6 = Vector(repeating: 6), a7 = Vector(repeating: 7), a8 = Vector(repeating: 8)
    var a9 = Vector(repeating: 9), a10 = Vector(repeating: 10), a11 = Vector(repeating: 11)
    for _ in 0..<iterations {
        a0 = multiplyAdd(a0, x, y)
        a1 = multiplyAdd(a1, x, y)
        a2 = multiplyAdd(a2, x, y)
        a3 = multiplyAdd(a3, x, y)
        a4 = multiplyAdd(a4, x, y)
        a5 = multiplyAdd(a5, x, y)
        a6 = multiplyAdd(a6, x, y)
        a7 = multiplyAdd(a7, x, y)
        a8 = multiplyAdd(a8, x, y)
        a9 = multiplyAdd(a9, x, y)
        a10 = multiplyAdd(a10, x, y)
        a11 = multiplyAdd(a11, x, y)
    }
    let sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11))
    return sum.sum()
}
