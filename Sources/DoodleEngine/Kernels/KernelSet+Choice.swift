internal import DoodleKernelsBaseline
import Foundation

#if arch(x86_64)
    internal import DoodleKernelsX86v3
    internal import DoodleKernelsX86v4

    private typealias X86v4 = DoodleKernelsX86v4.ISAKernels
    private typealias X86v3 = DoodleKernelsX86v3.ISAKernels
#endif
private typealias Baseline = DoodleKernelsBaseline.ISAKernels

/// The kernel sets, and the choice of one, made once (XNNPACK's gemm-config): the best set this CPU
/// runs, or the one `DOODLE_ISA` names.
///
/// Each table is built here, in a module compiled for any CPU, from references to its module's
/// functions: no code of a kernel module runs before the CPU is known to run it.
extension KernelSet {
    /// Every set this build has, best first.
    public static let all: [KernelSet] = {
        #if arch(x86_64)
            [
                KernelSet(
                    name: "avx512", vectorWidth: 16, requirements: .x86_64_v4, tileRows: 6, tileColumns: 32,
                    moduleVectorWidth: X86v4.vectorWidth, multiply: X86v4.multiply,
                    packedCount: X86v4.packedCount,
                    packB: X86v4.packB, multiplyPacked: X86v4.multiplyPacked,
                    panelConvolutionSuits: X86v4.panelConvolutionSuits,
                    panelConvolution: X86v4.panelConvolution,
                    directConvolutionSuits: X86v4.directConvolutionSuits,
                    directConvolution: X86v4.directConvolution, winogradSuits: X86v4.winogradSuits,
                    winogradWorthwhile: X86v4.winogradWorthwhile,
                    winogradWeightCount: X86v4.winogradWeightCount,
                    transformWinogradWeight: X86v4.transformWinogradWeight,
                    winogradConvolution: X86v4.winogradConvolution,
                    winogradWeightGradient: X86v4.winogradWeightGradient, im2col: X86v4.im2col,
                    col2im: X86v4.col2im,
                    maxPool2x2: X86v4.maxPool2x2, channelSums: X86v4.channelSums,
                    batchNormForward: X86v4.batchNormForward, batchNormBackward: X86v4.batchNormBackward,
                    multiplyAddLoop: X86v4.multiplyAddLoop),
                KernelSet(
                    name: "avx2", vectorWidth: 8, requirements: .x86_64_v3, tileRows: 6, tileColumns: 16,
                    moduleVectorWidth: X86v3.vectorWidth, multiply: X86v3.multiply,
                    packedCount: X86v3.packedCount,
                    packB: X86v3.packB, multiplyPacked: X86v3.multiplyPacked,
                    panelConvolutionSuits: X86v3.panelConvolutionSuits,
                    panelConvolution: X86v3.panelConvolution,
                    directConvolutionSuits: X86v3.directConvolutionSuits,
                    directConvolution: X86v3.directConvolution, winogradSuits: X86v3.winogradSuits,
                    winogradWorthwhile: X86v3.winogradWorthwhile,
                    winogradWeightCount: X86v3.winogradWeightCount,
                    transformWinogradWeight: X86v3.transformWinogradWeight,
                    winogradConvolution: X86v3.winogradConvolution,
                    winogradWeightGradient: X86v3.winogradWeightGradient, im2col: X86v3.im2col,
                    col2im: X86v3.col2im,
                    maxPool2x2: X86v3.maxPool2x2, channelSums: X86v3.channelSums,
                    batchNormForward: X86v3.batchNormForward, batchNormBackward: X86v3.batchNormBackward,
                    multiplyAddLoop: X86v3.multiplyAddLoop),
                baseline,
            ]
        #else
            [baseline]
        #endif
    }()

    /// Plain Swift SIMD, 4 wide: any CPU.
    private static let baseline = KernelSet(
        name: "baseline", vectorWidth: 4, requirements: [], tileRows: 6, tileColumns: 8,
        moduleVectorWidth: Baseline.vectorWidth, multiply: Baseline.multiply,
        packedCount: Baseline.packedCount,
        packB: Baseline.packB, multiplyPacked: Baseline.multiplyPacked,
        panelConvolutionSuits: Baseline.panelConvolutionSuits, panelConvolution: Baseline.panelConvolution,
        directConvolutionSuits: Baseline.directConvolutionSuits,
        directConvolution: Baseline.directConvolution, winogradSuits: Baseline.winogradSuits,
        winogradWorthwhile: Baseline.winogradWorthwhile,
        winogradWeightCount: Baseline.winogradWeightCount,
        transformWinogradWeight: Baseline.transformWinogradWeight,
        winogradConvolution: Baseline.winogradConvolution,
        winogradWeightGradient: Baseline.winogradWeightGradient, im2col: Baseline.im2col,
        col2im: Baseline.col2im,
        maxPool2x2: Baseline.maxPool2x2,
        channelSums: Baseline.channelSums, batchNormForward: Baseline.batchNormForward,
        batchNormBackward: Baseline.batchNormBackward, multiplyAddLoop: Baseline.multiplyAddLoop)

    /// The sets this machine can run, best first; the baseline always.
    public static var runnable: [KernelSet] { all.filter(\.runsHere) }

    /// The set the engine runs: `DOODLE_ISA`'s, or else the best one this CPU runs.
    ///
    /// A `DOODLE_ISA` that names no set, or one this CPU cannot run, stops the program with a
    /// message saying so; `choose` is the same choice as an error, for a command line to check first.
    public static let current: KernelSet = {
        do {
            return try choose(ProcessInfo.processInfo.environment["DOODLE_ISA"])
        } catch {
            fatalError("\(error)")
        }
    }()

    /// The set named `request` (`avx512`, `avx2` or `baseline`), or the best this CPU runs when
    /// `request` is nil or empty.
    /// - Throws: `KernelSetError` when `request` names no set of this build, or one this CPU cannot run.
    public static func choose(_ request: String?) throws(KernelSetError) -> KernelSet {
        guard let request, !request.isEmpty else { return runnable[0] }
        guard let set = all.first(where: { $0.name == request }) else {
            throw KernelSetError(
                message:
                    "DOODLE_ISA=\(request) names no kernel set; this build has \(all.map(\.name).joined(separator: ", "))"
            )
        }
        guard set.runsHere else {
            let missing = set.requirements.subtracting(CPUFeatures.host)
            throw KernelSetError(
                message:
                    "DOODLE_ISA=\(request): this CPU cannot run the \(request) kernels (it lacks \(missing)); "
                    + "it can run \(runnable.map(\.name).joined(separator: ", "))")
        }
        return set
    }
}

/// A `DOODLE_ISA` that cannot be honoured.
public struct KernelSetError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
