import Foundation

/// One random variation of an image: a shift, a rotation and a scaling about the image's centre.
public struct Augmentation: Sendable, Equatable {
    /// Rightward shift in pixels.
    public var shiftX: Double
    /// Downward shift in pixels.
    public var shiftY: Double
    /// Rotation in degrees, clockwise on the screen (y points down).
    public var degrees: Double
    /// Scale factor, 1 for none.
    public var scale: Double

    /// A variation; all zeros and a scale of 1 leave the image as it is.
    public init(shiftX: Double = 0, shiftY: Double = 0, degrees: Double = 0, scale: Double = 1) {
        precondition(scale > 0, "an augmentation scale must be positive")
        self.shiftX = shiftX
        self.shiftY = shiftY
        self.degrees = degrees
        self.scale = scale
    }

    /// The variation that changes nothing.
    public static let identity = Augmentation()
}

/// Training-time augmentation: each call varies an image by a random shift (±`maxShift` pixels in
/// each direction), rotation (±`maxDegrees`) and scaling (`scales`), all drawn uniformly.
///
/// Images that came from strokes (those with a drawing in `drawings`) are varied before they are
/// drawn: the strokes are transformed and rasterised again, so lines keep Google's width and
/// smoothness (see `transform(_:by:side:)`). Other images are warped as bitmaps (see
/// `warp(_:side:by:into:)`).
///
/// Deterministic: the result depends only on the image and the generator's numbers (four per call:
/// shift x, shift y, angle, scale). Immutable and `Sendable`, so threads can share one augmenter,
/// each with its own generator.
public struct Augmenter: ImageAugmenter {
    /// The largest shift, in pixels, in each direction.
    public var maxShift: Double
    /// The largest rotation, in degrees, either way.
    public var maxDegrees: Double
    /// The range of scale factors.
    public var scales: ClosedRange<Double>
    /// The share of images that are varied; the rest are passed through untouched. Every warp
    /// resamples and so softens Quick, Draw!'s thin anti-aliased strokes: a model that never sees an
    /// untouched image scores far worse on real, untouched ones (measured: 0.40 against 0.91 top-1).
    public var probability: Double
    /// The drawing behind each image of the images to augment (the training split), or empty to
    /// warp every image as a bitmap; `Dataset.drawings.train` for a dataset's training images.
    public var drawings: [Drawing?]

    private let rasterizer = Rasterizer(side: Rasterizer.googleSide)

    /// An augmenter; the defaults are ±2.5 px, ±15° and 0.85–1.15.
    ///
    /// - Parameters:
    ///   - drawings: one entry (nil for a bitmap) per image of the images it will augment, or empty.
    ///   - maxShift: the largest shift in pixels, at least 0.
    ///   - maxDegrees: the largest rotation in degrees, at least 0.
    ///   - scales: the scale factors, all positive.
    public init(
        drawings: [Drawing?] = [], maxShift: Double = 2.5, maxDegrees: Double = 15,
        scales: ClosedRange<Double> = 0.85...1.15, probability: Double = 0.5
    ) {
        precondition(maxShift >= 0 && maxDegrees >= 0, "augmentation ranges cannot be negative")
        precondition(scales.lowerBound > 0, "augmentation scales must be positive")
        precondition(probability >= 0 && probability <= 1, "augmentation probability must be in 0...1")
        self.drawings = drawings
        self.maxShift = maxShift
        self.maxDegrees = maxDegrees
        self.scales = scales
        self.probability = probability
    }

    /// Draws a variation from `generator`: four numbers, in the order shift x, shift y, angle, scale.
    public func draw(using generator: inout some RandomNumberGenerator) -> Augmentation {
        func uniform(_ low: Double, _ high: Double) -> Double {
            // 53 random bits, spelled out so the numbers do not depend on the standard library's method.
            low + (high - low) * Double(generator.next() >> 11) * 0x1p-53
        }
        let shiftX = uniform(-maxShift, maxShift)
        let shiftY = uniform(-maxShift, maxShift)
        let degrees = uniform(-maxDegrees, maxDegrees)
        let scale = uniform(scales.lowerBound, scales.upperBound)
        return Augmentation(shiftX: shiftX, shiftY: shiftY, degrees: degrees, scale: scale)
    }

    /// Writes a random variation of image `index` of `images` into `output`.
    public func augment(
        _ index: Int, of images: LabeledImages, into output: UnsafeMutableBufferPointer<UInt8>,
        generator: inout some RandomNumberGenerator
    ) {
        // One number decides whether to vary the image; four more how.
        let varied = Double(generator.next() >> 11) * 0x1p-53 < probability
        let augmentation = draw(using: &generator)
        apply(varied ? augmentation : .identity, to: index, of: images, into: output)
    }

    /// Writes image `index` of `images`, varied by `augmentation`, into `output` (`side × side`).
    public func apply(
        _ augmentation: Augmentation, to index: Int, of images: LabeledImages,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) {
        precondition(output.count == images.side * images.side, "the output must hold one image")
        precondition(
            drawings.isEmpty || drawings.count == images.count,
            "the augmenter has \(drawings.count) drawings for \(images.count) images")
        if !drawings.isEmpty, let drawing = drawings[index], images.side == rasterizer.side,
            let bitmap = try? rasterizer.render(Self.transform(drawing, by: augmentation, side: images.side))
        {
            _ = output.update(fromContentsOf: bitmap)
            return
        }
        images.pixels.withUnsafeBufferPointer { pixels in
            let size = images.side * images.side
            let image = UnsafeBufferPointer(rebasing: pixels[(index * size)..<((index + 1) * size)])
            Self.warp(image, side: images.side, by: augmentation, into: output)
        }
    }
}
