extension Dataset {
    /// The sizes of one class's parts: `count × fraction` rounded down for test and validation (with
    /// the default 0.1, `count / 10` each, as `torch_train.py` does), the rest for training.
    static func splitSizes(
        _ count: Int, options: DatasetOptions
    ) -> (train: Int, validation: Int, test: Int) {
        // The tiny nudge keeps 0.1 × 30 at 3 whatever the rounding of the product.
        let test = Int((Double(count) * options.testFraction + 1e-9).rounded(.down))
        let validation = Int((Double(count) * options.validationFraction + 1e-9).rounded(.down))
        return (count - test - validation, validation, test)
    }

    /// Splits each class after a seeded shuffle: its first `test` shuffled images go to the test
    /// part, the next `validation` to validation, the rest to training; the parts hold class after
    /// class in label order.
    ///
    /// Each class is shuffled by its own generator, seeded from the seed and the class name, so adding
    /// a class or changing the class order leaves the other classes' splits as they were.
    static func split(_ perClass: [ClassImages], classes: [String], options: DatasetOptions) -> Dataset {
        let side = 28
        let size = side * side
        var parts = [PartBuilder](repeating: PartBuilder(), count: 3)
        for (label, images) in perClass.enumerated() {
            var generator = SplitMix64(seed: options.seed ^ fnv1a(classes[label]))
            let order = shuffledIndices(images.count, using: &generator)
            let sizes = splitSizes(images.count, options: options)
            let ranges = [
                (sizes.test + sizes.validation)..<images.count, sizes.test..<(sizes.test + sizes.validation),
                0..<sizes.test,
            ]
            for (part, range) in ranges.enumerated() {
                for i in order[range] {
                    parts[part].pixels.append(contentsOf: images.pixels[(i * size)..<((i + 1) * size)])
                    parts[part].labels.append(label)
                    parts[part].origins.append(images.origins[i])
                    parts[part].drawings.append(images.drawings[i])
                }
            }
        }
        let images = parts.map {
            LabeledImages(
                classes: classes, side: side, pixels: $0.pixels, labels: $0.labels, origins: $0.origins)
        }
        let drawings = parts.map { part in
            part.drawings.contains { $0 != nil } ? part.drawings : []
        }
        return Dataset(
            splits: DatasetSplits(train: images[0], validation: images[1], test: images[2]),
            drawings: DatasetDrawings(train: drawings[0], validation: drawings[1], test: drawings[2]))
    }

    /// `0..<count` in a Fisher–Yates order drawn from `generator`.
    ///
    /// Written out rather than `shuffle(using:)`, whose algorithm the standard library does not
    /// promise to keep, so a seed gives the same split with every toolchain.
    static func shuffledIndices(_ count: Int, using generator: inout SplitMix64) -> [Int] {
        var order = Array(0..<count)
        var i = count - 1
        while i > 0 {
            // Lemire's multiply-shift: an index in 0...i; the bias (below 2^-32 here) does not matter.
            let j = Int(generator.next().multipliedFullWidth(by: UInt64(i + 1)).high)
            order.swapAt(i, j)
            i -= 1
        }
        return order
    }
}

/// One part of a split as it is gathered.
private struct PartBuilder {
    var pixels: [UInt8] = []
    var labels: [Int] = []
    var origins: [String] = []
    var drawings: [Drawing?] = []
}

/// SplitMix64 (Steele, Lea and Flood): a small, fast, seedable generator whose output is fixed by
/// its published definition, so datasets split the same way everywhere.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose stream is determined by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The 64-bit FNV-1a hash of `text`'s UTF-8 bytes: stable across runs, unlike `hashValue`.
func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x100_0000_01B3
    }
    return hash
}
