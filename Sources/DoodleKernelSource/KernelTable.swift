import DoodleKernels

/// This module's kernels as the engine sees them: one `KernelSet`, its vector type and `-target-cpu`
/// set by the module (`Config.swift` and Package.swift).
public enum ISAKernels {
    public static let set = KernelSet(
        name: isaName, vectorWidth: Vector.scalarCount, requirements: isaRequirements,
        tileRows: GEMM.mr, tileColumns: GEMM.nr,
        multiply: { GEMM.multiply($0) },
        packedCount: { GEMM.packedCount(k: $0, n: $1) },
        packB: { GEMM.pack(k: $0, n: $1, b: $2, bRowStride: $3, bColStride: $4, into: $5) },
        multiplyPacked: { GEMM.multiplyPacked($0) },
        panelConvolutionSuits: { PanelConv.suits($0, outChannels: $1) },
        panelConvolution: { PanelConv.forward($0) },
        directConvolutionSuits: { DirectConv.suits($0, outChannels: $1) && (!$2 || DirectConv.canPool($0)) },
        directConvolution: { DirectConv.forward($0) },
        im2col: { Im2col.forward($0, input: $1, col: $2) },
        col2im: { Im2col.backward($0, col: $1, dInput: $2) },
        maxPool2x2: { maxPool2x2($0, rowStride: $1, width: $2, channels: $3, into: $4) },
        multiplyAddLoop: { multiplyAddPeak(iterations: $0) })
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
