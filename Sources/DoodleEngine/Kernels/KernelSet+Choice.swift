internal import DoodleKernelsBaseline
import Foundation

#if arch(x86_64)
    internal import DoodleKernelsX86v3
    internal import DoodleKernelsX86v4
#endif

/// The choice of a kernel set, made once (XNNPACK's gemm-config): the best set this CPU runs, or
/// the one `DOODLE_ISA` names.
extension KernelSet {
    /// Every set this build has, best first.
    public static let all: [KernelSet] = {
        #if arch(x86_64)
            [
                DoodleKernelsX86v4.ISAKernels.set, DoodleKernelsX86v3.ISAKernels.set,
                DoodleKernelsBaseline.ISAKernels.set,
            ]
        #else
            [DoodleKernelsBaseline.ISAKernels.set]
        #endif
    }()

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
