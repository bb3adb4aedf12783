import Dispatch
import DoodleNN
import Foundation
import Metrics
import Synchronization

/// Runs a network on threads of its own (lanes), each taking every request waiting, up to a batch, as
/// one forward pass.
///
/// Requests that arrive while the lanes are busy wait and go together in the next free lane's pass, so
/// under load a forward pass serves many drawings at the GEMM efficiency of a batch, and an idle server
/// runs each request alone, as soon as it arrives.
///
/// One lane (the default) spreads each pass over the engine's threads. Several lanes each run their
/// passes on one thread (`withKernelThreads(1)`), side by side, instead of splitting every small pass
/// across the cores with a hand-off at each layer. On a 2-core machine with the HTTP work on the same
/// cores, one lane measured faster (`Scripts/bench_serve.sh --lanes`); more cores may differ.
public final class InferenceBatcher: Sendable {
    /// A request waiting for its answer.
    struct Job: Sendable {
        let pixels: [UInt8]
        /// Resumed with the answer and when its forward pass began.
        let continuation: CheckedContinuation<(InferenceOutput, ContinuousClock.Instant), Never>
    }

    /// The requests waiting, shared by the lanes.
    final class Queue: Sendable {
        let side: Int
        let maxBatch: Int
        let waiting = Mutex<(jobs: [Job], stopped: Bool)>(([], false))
        /// Signalled once per request (and once per lane to stop).
        let wakeUp = DispatchSemaphore(value: 0)

        /// How many drawings each forward pass takes, and how long each waited for its pass.
        let batchSize: Recorder
        let queueWait: Metrics.Timer

        init(side: Int, maxBatch: Int, model: String) {
            self.side = side
            self.maxBatch = maxBatch
            _ = ServerMetrics.registry
            batchSize = Recorder(label: "doodle_inference_batch_size", dimensions: [("model", model)])
            queueWait = Metrics.Timer(label: "doodle_inference_queue_wait", dimensions: [("model", model)])
        }

        /// The next batch, and whether the batcher has stopped.
        func take() -> (jobs: [Job], stopped: Bool) {
            waiting.withLock { waiting in
                let batch = Array(waiting.jobs.prefix(maxBatch))
                waiting.jobs.removeFirst(batch.count)
                return (batch, waiting.stopped)
            }
        }
    }

    /// One lane: a thread and the inference copy of the network only it touches.
    final class Lane: @unchecked Sendable {
        let network: Sequential
        let queue: Queue

        init(network: Sequential, queue: Queue) {
            self.network = network
            self.queue = queue
        }

        /// Sleeps until jobs arrive, then runs them in batches until none wait; returns once stopped.
        func loop() {
            while true {
                queue.wakeUp.wait()
                while true {
                    let (jobs, stopped) = queue.take()
                    if jobs.isEmpty {
                        if stopped { return }
                        break
                    }
                    run(jobs)
                }
            }
        }

        func run(_ jobs: [Job]) {
            // The lane every request of the pass waits on records one figure a pass; each request
            // records its own wait (`infer`) on its own task.
            let started = ContinuousClock.now
            queue.batchSize.record(jobs.count)
            let pixels = queue.side * queue.side
            var scalars = [Float]()
            scalars.reserveCapacity(jobs.count * pixels)
            for job in jobs { scalars.append(contentsOf: job.pixels.lazy.map { Float($0) / 255 }) }
            let input = Tensor(shape: [jobs.count, queue.side, queue.side, 1], scalars: scalars)
            let (features, logits) = network.forwardWithFeatures(input)
            for (index, job) in jobs.enumerated() {
                job.continuation.resume(
                    returning: (
                        InferenceOutput(logits: logits.row(index), features: features.row(index)), started
                    ))
            }
        }
    }

    private let queue: Queue
    /// How many passes run at once, each on one thread.
    public let lanes: Int

    /// A batcher running inference copies of `network` on `lanes` threads of its own.
    ///
    /// - Parameters:
    ///   - network: the trained network; it is copied, never used by the batcher.
    ///   - side: the side of the square input image.
    ///   - maxBatch: the most requests one forward pass serves.
    ///   - lanes: how many passes may run at once: one spreads each over the engine's threads, more
    ///     run each on one thread.
    public init(
        network: Sequential, side: Int, maxBatch: Int = 64, lanes: Int = 1, model: String = "model"
    ) {
        precondition(maxBatch > 0, "a batch holds at least one request")
        precondition(lanes > 0, "a batcher needs at least one lane")
        let queue = Queue(side: side, maxBatch: maxBatch, model: model)
        self.queue = queue
        self.lanes = lanes
        for index in 0..<lanes {
            let lane = Lane(network: network.inferenceCopy(), queue: queue)
            let thread = Thread { lanes == 1 ? lane.loop() : withKernelThreads(1) { lane.loop() } }
            thread.name = "doodle-inference-\(index + 1)"
            thread.start()
        }
    }

    deinit {
        queue.waiting.withLock { $0.stopped = true }
        for _ in 0..<lanes { queue.wakeUp.signal() }
    }

    /// The network's logits and penultimate features for one `side × side` input of bytes, 0 black
    /// to 255 white.
    public func infer(_ pixels: [UInt8]) async -> InferenceOutput {
        precondition(
            pixels.count == queue.side * queue.side, "an input of \(pixels.count) pixels is not square")
        let queued = ContinuousClock.now
        let (output, started) = await withCheckedContinuation { continuation in
            queue.waiting.withLock { $0.jobs.append(Job(pixels: pixels, continuation: continuation)) }
            queue.wakeUp.signal()
        }
        queue.queueWait.recordInterval(since: queued, now: started)
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
