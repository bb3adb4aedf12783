import DoodleNN
import Synchronization

/// One inference copy of a network, used by one request at a time.
///
/// `Sequential` keeps per-call buffers, so it is not safe to run from two threads at once. A worker is
/// `@unchecked Sendable` because `InferencePool` hands it to a single request, which returns it when
/// done: no two tasks ever hold the same worker.
final class InferenceWorker: @unchecked Sendable {
    let network: Sequential

    init(_ network: Sequential) {
        self.network = network
    }

    /// The logits and penultimate features of each `side × side` image of `images`.
    func infer(_ images: [[UInt8]], side: Int) -> [InferenceOutput] {
        let input = Tensor(
            shape: [images.count, side, side, 1], scalars: images.flatMap { $0.map { Float($0) / 255 } })
        let (features, logits) = network.forwardWithFeatures(input)
        return images.indices.map { InferenceOutput(logits: logits.row($0), features: features.row($0)) }
    }
}

/// A small pool of inference copies of one network, checked out per request.
///
/// The pool starts with `capacity` copies. When every copy is busy, a new one is made from the
/// template (under the lock, so the template is only ever read by one thread); copies beyond
/// `capacity` are dropped when they come back.
public final class InferencePool: Sendable {
    private struct State {
        var idle: [InferenceWorker]
        let template: InferenceWorker
    }

    private let state: Mutex<State>
    /// The most idle copies kept.
    public let capacity: Int

    /// A pool of `capacity` inference copies of `network`.
    ///
    /// - Parameters:
    ///   - network: the trained network; it is copied, never used by the pool.
    ///   - capacity: how many idle copies to keep, at least one.
    public init(network: Sequential, capacity: Int) {
        precondition(capacity > 0, "an inference pool needs room for at least one copy")
        let template = InferenceWorker(network.inferenceCopy())
        let idle = (0..<capacity).map { _ in InferenceWorker(template.network.inferenceCopy()) }
        self.capacity = capacity
        self.state = Mutex(State(idle: idle, template: template))
    }

    /// Runs `body` with a copy of the network no other task is using.
    func withWorker<Result>(_ body: (InferenceWorker) throws -> Result) rethrows -> Result {
        let worker = state.withLock { state in
            state.idle.popLast() ?? InferenceWorker(state.template.network.inferenceCopy())
        }
        defer {
            state.withLock { state in
                if state.idle.count < capacity { state.idle.append(worker) }
            }
        }
        return try body(worker)
    }
}
