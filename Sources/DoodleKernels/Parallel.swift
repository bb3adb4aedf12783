import Dispatch
import Foundation
import Synchronization

/// How many threads the kernels spread work over. Defaults to the number of active cores.
///
/// Set it once at start-up (the benchmark sets it to match its peer); kernels read it per call.
public nonisolated(unsafe) var doodleThreadCount: Int = ProcessInfo.processInfo.activeProcessorCount

/// How many threads the kernels called from this thread spread work over: `doodleThreadCount`, or
/// fewer inside `withKernelThreads(_:_:)`.
public var kernelThreadCount: Int {
    KernelThreads.limit.map { min($0, doodleThreadCount) } ?? doodleThreadCount
}

/// Runs `body` with the kernels it calls spread over at most `limit` threads (1: all of them on the
/// calling thread, with no hand-off to the worker pool).
///
/// A server that runs several small forward passes at once gives each its own core this way, instead
/// of splitting every pass across all of them and making the passes take turns.
public func withKernelThreads<Result>(_ limit: Int, _ body: () throws -> Result) rethrows -> Result {
    precondition(limit > 0, "kernels need at least one thread")
    return try KernelThreads.$limit.withValue(limit, operation: body)
}

/// The limit `withKernelThreads` binds, for the thread (or task) inside it.
private enum KernelThreads {
    @TaskLocal static var limit: Int?
}

/// A base address handed to a `@Sendable` parallel loop body.
///
/// Safe because every parallel loop in the engine gives each iteration a disjoint range of the
/// output to write, and the caller keeps the buffer alive (inside its `withUnsafe...` scope) until
/// `parallelFor` returns, which is after every iteration has finished.
public struct SendablePointer<Pointee>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Pointee>
    @inlinable public init(_ base: UnsafeMutablePointer<Pointee>) { self.base = base }
    @inlinable public init(_ base: UnsafePointer<Pointee>) {
        self.base = UnsafeMutablePointer(mutating: base)
    }
}

/// Runs `body(i)` for every `i` in `0..<count`, spread over up to `kernelThreadCount` threads.
///
/// With one thread, or one iteration, the loop runs inline with no dispatch overhead. Otherwise the
/// calling thread and up to `kernelThreadCount - 1` persistent workers of `WorkerPool` claim
/// iterations one at a time, which costs about a microsecond when the workers are spinning. Pass
/// more iterations than threads to balance load when the cores are shared. When the pool is busy
/// (a nested or concurrent call) the loop falls back to `DispatchQueue.concurrentPerform`.
public func parallelFor(_ count: Int, _ body: @Sendable (Int) -> Void) {
    let threads = min(kernelThreadCount, count)
    if threads <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        if !WorkerPool.shared.run(count: count, helpers: threads - 1, body) {
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                for i in (count * t / threads)..<(count * (t + 1) / threads) { body(i) }
            }
        }
    }
}
