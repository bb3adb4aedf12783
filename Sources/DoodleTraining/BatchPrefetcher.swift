import DoodleNN
import Foundation

/// Makes the batches of a run of steps on one background thread, ahead of the step that needs them,
/// and hands them out in order.
///
/// The batches are exactly the synchronous ones: batch `i` is `make(i)`, a function of its position
/// only, so prefetching changes when a batch is made, never what it holds, and a resumed run stays
/// bit-identical to an unbroken one. At most `depth` batches are made ahead (waiting or being made),
/// so memory stays bounded; the thread ends when the last batch is made or on `cancel()`.
final class BatchPrefetcher: @unchecked Sendable {
    typealias Batch = (input: Tensor, labels: [Int])

    // Everything below is read and written only with `condition` locked, which is what makes the
    // unchecked `Sendable` safe: the producer thread and the trainer share nothing else.
    private let condition = NSCondition()
    private var ready: [Batch] = []
    private var nextToMake: Int
    private var nextToTake: Int
    private let end: Int
    private let depth: Int
    private var cancelled = false
    private var producerDone = false

    /// Starts making batches `positions`, in order, at most `depth` ahead of `next()`.
    ///
    /// - Parameters:
    ///   - positions: the batch positions to make, in the order `next()` hands them out.
    ///   - depth: how many batches may be made ahead, at least 1 (1 overlaps each batch with the
    ///     step before it).
    ///   - make: makes the batch at a position; called on the background thread.
    init(_ positions: Range<Int>, depth: Int = 2, make: @escaping @Sendable (Int) -> Batch) {
        precondition(depth >= 1, "a prefetcher must make at least one batch ahead")
        nextToMake = positions.lowerBound
        nextToTake = positions.lowerBound
        end = positions.upperBound
        self.depth = depth
        let thread = Thread { [self] in produce(make) }
        thread.name = "doodle-batches"
        thread.start()
    }

    /// The next batch, waiting for it if it is not made yet.
    func next() -> Batch {
        condition.lock()
        defer { condition.unlock() }
        precondition(nextToTake < end && !cancelled, "no batch left to take")
        while ready.isEmpty { condition.wait() }
        nextToTake += 1
        condition.broadcast()
        return ready.removeFirst()
    }

    /// Stops making batches and waits until the background thread has finished with the one it is
    /// making, so that nothing runs after the caller moves on.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !producerDone { condition.wait() }
        condition.unlock()
    }

    private func produce(_ make: (Int) -> Batch) {
        condition.lock()
        while true {
            while !cancelled && nextToMake < end && nextToMake - nextToTake >= depth { condition.wait() }
            if cancelled || nextToMake >= end { break }
            let position = nextToMake
            condition.unlock()
            let batch = make(position)
            condition.lock()
            ready.append(batch)
            nextToMake += 1
            condition.broadcast()
        }
        producerDone = true
        condition.broadcast()
        condition.unlock()
    }
}
