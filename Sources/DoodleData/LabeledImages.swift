/// Labelled square greyscale images in memory: what a dataset hands to training and evaluation.
///
/// Pixels are `UInt8`, 0 (background) to 255 (ink), as Google's numpy_bitmap files and MNIST store them,
/// one image after another, row-major.
public struct LabeledImages: Sendable, Equatable {
    /// The class names; labels index into them.
    public var classes: [String]
    /// The side of each image in pixels (28).
    public var side: Int
    /// `count × side × side` pixels.
    public var pixels: [UInt8]
    /// One class index per image.
    public var labels: [Int]
    /// Where each image came from (a file and a row or line), for reports; empty when unknown.
    public var origins: [String]

    /// The number of images.
    public var count: Int { labels.count }

    /// Images with their labels; `pixels` must hold `labels.count` images of `side × side`.
    public init(classes: [String], side: Int = 28, pixels: [UInt8], labels: [Int], origins: [String] = []) {
        precondition(pixels.count == labels.count * side * side, "pixels do not match \(labels.count) images")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classes.count }, "a label is out of range")
        precondition(origins.isEmpty || origins.count == labels.count, "need one origin per image")
        self.classes = classes
        self.side = side
        self.pixels = pixels
        self.labels = labels
        self.origins = origins
    }

    /// The pixels of image `index`.
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        let size = side * side
        return pixels[(index * size)..<((index + 1) * size)]
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledImages {
        LabeledImages(
            classes: classes, side: side, pixels: indices.flatMap { image($0) },
            labels: indices.map { labels[$0] }, origins: origins.isEmpty ? [] : indices.map { origins[$0] })
    }

    /// How many images each class has.
    public var countsPerClass: [Int] {
        var counts = [Int](repeating: 0, count: classes.count)
        for label in labels { counts[label] += 1 }
        return counts
    }
}

/// A dataset split three ways, each class split in the same proportions.
public struct DatasetSplits: Sendable, Equatable {
    public var train: LabeledImages
    public var validation: LabeledImages
    public var test: LabeledImages

    /// The three parts of a split.
    public init(train: LabeledImages, validation: LabeledImages, test: LabeledImages) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}

/// Makes a randomly varied copy of a training image (shifts, rotations, scaling), for augmentation.
///
/// Implementations draw every random number from `generator`, so a seeded run repeats exactly, and
/// must be safe to call from several threads with different generators.
public protocol ImageAugmenter: Sendable {
    /// Writes a varied version of image `index` of `images` into `output` (`side × side` pixels).
    func augment(
        _ index: Int, of images: LabeledImages, into output: UnsafeMutableBufferPointer<UInt8>,
        generator: inout some RandomNumberGenerator)
}
