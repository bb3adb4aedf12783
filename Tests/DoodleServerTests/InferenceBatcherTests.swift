import DoodleNN
import DoodleServer
import Foundation
import TestSupport
import Testing

/// The batcher's lanes: every request gets its own drawing's answer, however the requests were batched
/// and whichever lane ran them.
@Suite struct InferenceBatcherTests {
    static let side = 28

    /// `count` random images, each `side × side` bytes.
    static func images(_ count: Int, seed: UInt64) -> [[UInt8]] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            (0..<side * side).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
    }

    @Test(arguments: [1, 2, 3])
    func concurrentRequestsGetTheirOwnAnswers(lanes: Int) async throws {
        var generator = SeededGenerator(seed: 11)
        let network = try ArchitectureSpec.small.build(classes: 9, generator: &generator)
        let reference = network.inferenceCopy()
        let batcher = InferenceBatcher(network: network, side: Self.side, maxBatch: 8, lanes: lanes)
        let images = Self.images(120, seed: 5)
        // One at a time, on the calling thread with every kernel thread: what each answer must be.
        let expected = images.map { image in
            reference.forwardWithFeatures(
                Tensor(shape: [1, Self.side, Self.side, 1], scalars: image.map { Float($0) / 255 })
            ).output.scalars
        }
        let answers = await withTaskGroup(of: (Int, [Float]).self) { group in
            for (index, image) in images.enumerated() {
                group.addTask { (index, await batcher.infer(image).logits) }
            }
            var answers = [[Float]](repeating: [], count: images.count)
            for await (index, logits) in group { answers[index] = logits }
            return answers
        }
        for (index, (answer, wanted)) in zip(answers, expected).enumerated() {
            // A batch may take another algorithm (Winograd) than one image does, so allow its rounding.
            let problem = mismatch(answer, wanted, rtol: 1e-4, atol: 1e-5)
            #expect(problem == nil, "request \(index) with \(lanes) lanes: \(problem ?? "")")
        }
    }
}
