import Dispatch
import DoodleNN
import Foundation
import Metrics
import Synchronization

/// Runs a network on one thread of its own, over every request waiting, as one batch.
///
/// Requests that arrive while a batch runs wait and go together in the next one, so under load a
/// forward pass serves many drawings at the GEMM efficiency of a batch, and the engine's worker
/// threads serve one pass at a time instead of being fought over by concurrent requests. An idle
/// server runs each request alone, as soon as it arrives.
public final class InferenceBatcher: Sendable {
    /// A request waiting for its answer.
    struct Job: Sendable {
        let pixels: [UInt8]
        /// Resumed with the answer and when its forward pass began.
        let continuation: CheckedContinuation<(InferenceOutput, ContinuousClock.Instant), Never>
    }

    /// What the inference thread and the requests share. The network is only touched by that thread.
    final class Core: @unchecked Sendable {
        let network: Sequential
        let side: Int
        let maxBatch: Int
        let queue = Mutex<(jobs: [Job], stopped: Bool)>(([], false))
        let wakeUp = DispatchSemaphore(value: 0)

        /// How many drawings each forward pass takes, and how long each waited for its pass.
        let batchSize: Recorder
        let queueWait: Metrics.Timer

        init(network: Sequential, side: Int, maxBatch: Int, model: String) {
            self.network = network
            self.side = side
            self.maxBatch = maxBatch
            _ = ServerMetrics.registry
            batchSize = Recorder(label: "doodle_inference_batch_size", dimensions: [("model", model)])
            queueWait = Metrics.Timer(label: "doodle_inference_queue_wait", dimensions: [("model", model)])
        }

        /// The inference thread: sleeps until jobs arrive, then runs them in batches until none wait.
        func loop() {
            while true {
                wakeUp.wait()
                while true {
                    let (jobs, stopped) = queue.withLock { queue in
                        let batch = Array(queue.jobs.prefix(maxBatch))
                        queue.jobs.removeFirst(batch.count)
                        return (batch, queue.stopped)
                    }
                    if jobs.isEmpty {
                        if stopped { return }
                        break
                    }
                    run(jobs)
                }
            }
        }

        func run(_ jobs: [Job]) {
            // The one thread every request waits on records one figure a pass; each request records its
            // own wait (`infer`) on its own task.
            let started = ContinuousClock.now
            batchSize.record(jobs.count)
            let pixels = side * side
            var scalars = [Float]()
            scalars.reserveCapacity(jobs.count * pixels)
            for job in jobs { scalars.append(contentsOf: job.pixels.lazy.map { Float($0) / 255 }) }
            let input = Tensor(shape: [jobs.count, side, side, 1], scalars: scalars)
            let (features, logits) = network.forwardWithFeatures(input)
            for (index, job) in jobs.enumerated() {
                job.continuation.resume(
                    returning: (
                        InferenceOutput(logits: logits.row(index), features: features.row(index)), started
                    ))
            }
        }
    }

    private let core: Core

    /// A batcher running an inference copy of `network` on its own thread.
    ///
    /// - Parameters:
    ///   - network: the trained network; it is copied, never used by the batcher.
    ///   - side: the side of the square input image.
    ///   - maxBatch: the most requests one forward pass serves.
    public init(network: Sequential, side: Int, maxBatch: Int = 64, model: String = "model") {
        precondition(maxBatch > 0, "a batch holds at least one request")
        let core = Core(network: network.inferenceCopy(), side: side, maxBatch: maxBatch, model: model)
        self.core = core
        let thread = Thread { core.loop() }
        thread.name = "doodle-inference"
        thread.start()
    }

    deinit {
        core.queue.withLock { $0.stopped = true }
        core.wakeUp.signal()
    }

    /// The network's logits and penultimate features for one `side × side` input of bytes, 0 black
    /// to 255 white.
    public func infer(_ pixels: [UInt8]) async -> InferenceOutput {
        precondition(
            pixels.count == core.side * core.side, "an input of \(pixels.count) pixels is not square")
        let queued = ContinuousClock.now
        let (output, started) = await withCheckedContinuation { continuation in
            core.queue.withLock { $0.jobs.append(Job(pixels: pixels, continuation: continuation)) }
            core.wakeUp.signal()
        }
        core.queueWait.recordInterval(since: queued, now: started)
        return output
    }
}

/// What the network makes of one drawing: its logits, and the features its last layer reads (on which
/// taught words are scored).
public struct InferenceOutput: Sendable {
    /// One logit per trained class.
    public var logits: [Float]
    /// The last layer's input.
    public var features: [Float]
}

extension Metrics.Timer {
    /// Records the time from `start` to `now`.
    func recordInterval(since start: ContinuousClock.Instant, now: ContinuousClock.Instant) {
        let elapsed = now - start
        recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
