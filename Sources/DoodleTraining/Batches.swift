import DoodleData
import DoodleNN

/// Turns images into the engine's input: (N, side, side, 1) floats in [0, 1].
public enum Batches {
    /// Images `indices` of `images` as one batch, augmented when an augmenter is given.
    ///
    /// - Parameters:
    ///   - indices: which images, in batch order.
    ///   - images: where they come from.
    ///   - augmenter: varies each image; nil for the images as they are.
    ///   - seed: the augmentation stream of this batch; image `i` of the batch uses its own derived
    ///     generator, so the batch is the same whatever the thread count.
    ///   - parallel: spread the images over the engine's threads; false to make the batch on the
    ///     calling thread alone (a background thread working beside the engine's).
    /// - Returns: the batch and its labels.
    public static func make(
        _ indices: ArraySlice<Int>, of images: LabeledImages, augmenter: (any ImageAugmenter)? = nil,
        seed: UInt64 = 0, parallel: Bool = true
    ) -> (input: Tensor, labels: [Int]) {
        let side = images.side
        let size = side * side
        let count = indices.count
        let labels = indices.map { images.labels[$0] }
        let positions = Array(indices)
        let input = Tensor(shape: [count, side, side, 1]) { out in
            let outBase = SendableFloats(out.baseAddress!)
            images.pixels.withUnsafeBufferPointer { pixels in
                let pixelBase = SendableBytes(pixels.baseAddress!)
                let body: @Sendable (Int) -> Void = { b in
                    let destination = outBase.pointer + b * size
                    if let augmenter {
                        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { scratch in
                            var generator = SeededGenerator(seed: derivedSeed(seed, 3, b))
                            augmenter.augment(positions[b], of: images, into: scratch, generator: &generator)
                            for i in 0..<size { destination[i] = Float(scratch[i]) * (1 / 255) }
                        }
                    } else {
                        let source = pixelBase.pointer + positions[b] * size
                        for i in 0..<size { destination[i] = Float(source[i]) * (1 / 255) }
                    }
                }
                if parallel { parallelFor(count, body) } else { (0..<count).forEach(body) }
            }
        }
        return (input, labels)
    }
}

/// Base addresses for the batch loop's `@Sendable` body. Safe: each iteration writes only its own
/// image's slice of the output, reads the (immutable) pixels, and both buffers outlive `parallelFor`.
private struct SendableFloats: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}

private struct SendableBytes: @unchecked Sendable {
    let pointer: UnsafePointer<UInt8>
    init(_ pointer: UnsafePointer<UInt8>) { self.pointer = pointer }
}
