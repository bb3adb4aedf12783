import DoodleNN
import Foundation
import Synchronization
import TestSupport
import Testing

/// `withKernelThreads`: how a server runs several small forward passes side by side, one core each.
@Suite(.serialized) struct KernelThreadsTests {
    /// The threads a 64-iteration parallel loop ran its iterations on, as pthread ids.
    static func threadsOfALoop() -> Set<UInt> {
        let seen = Mutex<Set<UInt>>([])
        parallelFor(64) { _ in
            // Long enough for a second thread to join in when it may.
            var sum = 0.0
            for i in 0..<20_000 { sum += Double(i).squareRoot() }
            let id = UInt(pthread_self()) &+ (sum < 0 ? 1 : 0)
            seen.withLock { _ = $0.insert(id) }
        }
        return seen.withLock { $0 }
    }

    @Test func oneThreadKeepsEveryIterationOnTheCallingThread() {
        let saved = doodleThreadCount
        doodleThreadCount = 2
        defer { doodleThreadCount = saved }
        let caller = UInt(pthread_self())
        for _ in 0..<20 {
            #expect(withKernelThreads(1) { Self.threadsOfALoop() } == [caller])
        }
    }

    @Test func theLimitNarrowsAndNeverWidensTheThreadCount() {
        let saved = doodleThreadCount
        doodleThreadCount = 2
        defer { doodleThreadCount = saved }
        // Other suites may set doodleThreadCount meanwhile (GEMMTests tries 1 and 2), so each check
        // compares with it as read alongside.
        #expect(kernelThreadCount == doodleThreadCount)
        withKernelThreads(1) {
            #expect(kernelThreadCount == 1)
            withKernelThreads(1_000) {
                #expect(kernelThreadCount == doodleThreadCount, "at most doodleThreadCount")
            }
            #expect(kernelThreadCount == 1, "the inner limit ends with its body")
        }
        #expect(kernelThreadCount == doodleThreadCount)
        // Another thread does not see this thread's limit.
        withKernelThreads(1) {
            let seen = SeenCount()
            let done = DispatchSemaphore(value: 0)
            Thread {
                seen.value.withLock { $0 = (kernelThreadCount, doodleThreadCount) }
                done.signal()
            }.start()
            done.wait()
            let (limited, global) = seen.value.withLock { $0 }
            #expect(limited == global)
        }
    }

    /// What another thread saw.
    final class SeenCount: Sendable {
        /// `kernelThreadCount` and `doodleThreadCount`.
        let value = Mutex((0, 0))
    }

    @Test func aNetworkOnOneThreadGivesWhatItGivesOnTwo() throws {
        let saved = doodleThreadCount
        doodleThreadCount = 2
        defer { doodleThreadCount = saved }
        var generator = SeededGenerator(seed: 7)
        let network = try ArchitectureSpec.medium.build(classes: 30, generator: &generator).inferenceCopy()
        let input = Tensor(
            shape: [16, 28, 28, 1],
            scalars: (0..<16 * 784).map { _ in Float.random(in: 0...1, using: &generator) })
        let shared = network.forwardWithFeatures(input).output.scalars
        let alone = withKernelThreads(1) { network.forwardWithFeatures(input).output.scalars }
        // The threads split a layer's outputs, never one output's sum, so the results are the same bits.
        #expect(alone == shared)
    }
}
