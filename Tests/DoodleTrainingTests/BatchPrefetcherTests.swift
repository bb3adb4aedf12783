import DoodleData
import DoodleNN
import Foundation
import Synchronization
import Testing

@testable import DoodleTraining

@Suite struct BatchPrefetcherTests {
    let images = syntheticImages(count: 100, seed: 3)

    /// Augmented batches of 16 of `images` in a shuffled order, as the trainer makes them.
    func maker(parallel: Bool = true) -> @Sendable (Int) -> BatchPrefetcher.Batch {
        var g = SeededGenerator(seed: 11)
        let order = Array(0..<images.count).shuffled(using: &g)
        let images = images
        return { position in
            Batches.make(
                order[(position * 16)..<min(position * 16 + 16, order.count)], of: images,
                augmenter: Augmenter(probability: 0.7), seed: UInt64(position) &* 977, parallel: parallel)
        }
    }

    @Test func makingABatchOnOneThreadGivesTheParallelBatch() {
        let (parallel, serial) = (maker(parallel: true), maker(parallel: false))
        for position in 0..<3 {
            let (a, b) = (parallel(position), serial(position))
            #expect(a.input == b.input && a.labels == b.labels, "batch \(position)")
        }
    }

    @Test(arguments: [1, 2, 3])
    func handsOutTheSynchronousBatchesInOrder(depth: Int) {
        let make = maker()
        let prefetcher = BatchPrefetcher(2..<7, depth: depth, make: make)
        defer { prefetcher.cancel() }
        for position in 2..<7 {
            let (ahead, now) = (prefetcher.next(), make(position))
            #expect(ahead.input == now.input, "batch \(position) differs")
            #expect(ahead.labels == now.labels, "labels of batch \(position) differ")
        }
    }

    @Test(arguments: [1, 2])
    func makesNoMoreThanDepthAhead(depth: Int) throws {
        let made = Positions()
        let prefetcher = BatchPrefetcher(0..<10, depth: depth) { position in
            made.append(position)
            return (Tensor(shape: [1], scalars: [Float(position)]), [position])
        }
        defer { prefetcher.cancel() }
        for taken in 0..<10 {
            // The thread fills its places (waiting for it, however loaded the machine), then stops.
            let full = min(10, taken + depth)
            let deadline = Date().addingTimeInterval(5)
            while made.count < full && Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
            Thread.sleep(forTimeInterval: 0.01)
            #expect(made.count == full, "\(made.count) batches made with \(taken) taken, depth \(depth)")
            #expect(prefetcher.next().labels == [taken])
        }
        #expect(made.all == Array(0..<10))
    }

    @Test func cancellingStopsMakingBatches() {
        let made = Positions()
        let prefetcher = BatchPrefetcher(0..<1000, depth: 2) { position in
            made.append(position)
            return (Tensor(shape: [1], scalars: [0]), [position])
        }
        _ = prefetcher.next()
        prefetcher.cancel()
        let after = made.count
        Thread.sleep(forTimeInterval: 0.02)
        #expect(made.count == after, "a batch was made after cancel() returned")
        #expect(after <= 3)
        prefetcher.cancel()  // a second cancel is harmless
    }
}

/// The positions a prefetcher's thread asked for, in order.
private final class Positions: Sendable {
    private let positions = Mutex<[Int]>([])
    func append(_ position: Int) { positions.withLock { $0.append(position) } }
    var count: Int { positions.withLock { $0.count } }
    var all: [Int] { positions.withLock { $0 } }
}
