import Dispatch
import Foundation
import Synchronization

/// How many threads the kernels spread work over. Defaults to the number of active cores.
///
/// Set it once at start-up (the benchmark sets it to match its peer); kernels read it per call.
public nonisolated(unsafe) var doodleThreadCount: Int = ProcessInfo.processInfo.activeProcessorCount

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

/// Runs `body(i)` for every `i` in `0..<count`, spread over up to `doodleThreadCount` threads.
///
/// With one thread, or one iteration, the loop runs inline with no dispatch overhead. Otherwise the
/// calling thread and up to `doodleThreadCount - 1` persistent workers of `WorkerPool` claim
/// iterations one at a time, which costs about a microsecond when the workers are spinning. Pass
/// more iterations than threads to balance load when the cores are shared. When the pool is busy
/// (a nested or concurrent call) the loop falls back to `DispatchQueue.concurrentPerform`.
public func parallelFor(_ count: Int, _ body: @Sendable (Int) -> Void) {
    let threads = min(doodleThreadCount, count)
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
