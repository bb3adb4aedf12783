import DoodleData
import Foundation
import Testing

@Suite struct AugmenterTests {
    /// Two classes: a bitmap (a bright square left of centre) and a drawing.
    static let drawing = Drawing(strokes: [
        Stroke(x: [0, 255, 255, 0, 0], y: [0, 0, 128, 128, 0]), Stroke(x: [40, 200], y: [100, 60]),
    ])
    static let images: LabeledImages = {
        var square = [UInt8](repeating: 0, count: 784)
        for y in 10..<16 { for x in 6..<12 { square[y * 28 + x] = 255 } }
        let strokes = try! Rasterizer().render(drawing)
        return LabeledImages(classes: ["a", "b"], pixels: square + strokes, labels: [0, 1])
    }()
    /// Varies every image (the default leaves half untouched; see the last test).
    let augmenter = Augmenter(drawings: [nil, AugmenterTests.drawing], probability: 1)

    func apply(_ augmentation: Augmentation, to index: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 784) { buffer, count in
            augmenter.apply(augmentation, to: index, of: Self.images, into: buffer)
            count = 784
        }
    }

    func augment(_ index: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return [UInt8](unsafeUninitializedCapacity: 784) { buffer, count in
            augmenter.augment(index, of: Self.images, into: buffer, generator: &generator)
            count = 784
        }
    }

    /// The ink-weighted centre of an image, (x, y) in pixels.
    func centroid(_ image: [UInt8]) -> (Double, Double) {
        var (sx, sy, total) = (0.0, 0.0, 0.0)
        for (i, value) in image.enumerated() {
            sx += Double(i % 28) * Double(value)
            sy += Double(i / 28) * Double(value)
            total += Double(value)
        }
        return (sx / total, sy / total)
    }

    @Test(arguments: [0, 1]) func theIdentityIsTheIdentity(index: Int) {
        #expect(apply(.identity, to: index) == Array(Self.images.image(index)))
        #expect(Augmenter.transform(Self.drawing, by: .identity) == Drawing(strokes: Self.drawing.strokes))
    }

    @Test(arguments: [0, 1]) func sameGeneratorSameImageOtherGeneratorOtherImage(index: Int) {
        let a = augment(index, seed: 42)
        #expect(a.count == 784)
        #expect(a == augment(index, seed: 42))
        #expect(a != augment(index, seed: 43))
        #expect(a != Array(Self.images.image(index)))
    }

    /// Shifts, on a half-size image so that no ink leaves the frame.
    @Test(arguments: [0, 1]) func shiftsMoveTheInk(index: Int) {
        let (x0, y0) = centroid(apply(Augmentation(scale: 0.5), to: index))
        let (x1, y1) = centroid(apply(Augmentation(shiftX: 3, shiftY: -2, scale: 0.5), to: index))
        #expect(abs(x1 - x0 - 3) < 0.3, "x moved \(x1 - x0)")
        #expect(abs(y1 - y0 + 2) < 0.3, "y moved \(y1 - y0)")
    }

    @Test func wholePixelShiftsOfABitmapAreExact() {
        let shifted = apply(Augmentation(shiftX: 2, shiftY: 1), to: 0)
        for y in 0..<28 {
            for x in 0..<28 {
                let source = x >= 2 && y >= 1 ? Self.images.image(0)[(y - 1) * 28 + x - 2] : 0
                #expect(shifted[y * 28 + x] == source, "pixel (\(x), \(y))")
            }
        }
    }

    @Test func scalingGrowsAndRotationTurns() {
        let ink = { (image: [UInt8]) in image.reduce(0) { $0 + Int($1) } }
        let bigger = apply(Augmentation(scale: 1.15), to: 0)
        #expect(Double(ink(bigger)) > 1.2 * Double(ink(Array(Self.images.image(0)))))
        // A quarter turn of the drawing's wide rectangle makes it tall.
        let turned = Augmenter.transform(Self.drawing, by: Augmentation(degrees: 90))
        let xs = turned.strokes.flatMap(\.x)
        let ys = turned.strokes.flatMap(\.y)
        #expect(xs.max()! - xs.min()! < ys.max()! - ys.min()!)
        #expect(abs(ys.max()! - ys.min()! - 255) < 1e-9 && abs(ys.min()!) < 1e-9)
    }

    @Test func strokeImagesAreRedrawnFromTheirStrokes() throws {
        let variation = Augmentation(shiftX: 1, shiftY: -1, degrees: 10, scale: 0.9)
        let redrawn = try Rasterizer().render(Augmenter.transform(Self.drawing, by: variation))
        #expect(apply(variation, to: 1) == redrawn)
        let warped = [UInt8](unsafeUninitializedCapacity: 784) { buffer, count in
            Self.images.pixels.withUnsafeBufferPointer { pixels in
                Augmenter.warp(
                    UnsafeBufferPointer(rebasing: pixels[784..<1568]), side: 28, by: variation, into: buffer)
            }
            count = 784
        }
        #expect(warped != redrawn)
    }

    @Test func theDrawnParametersStayInRange() {
        var generator = SplitMix64(seed: 1)
        for _ in 0..<1000 {
            let a = augmenter.draw(using: &generator)
            #expect(abs(a.shiftX) <= 2.5 && abs(a.shiftY) <= 2.5 && abs(a.degrees) <= 15)
            #expect((0.85...1.15).contains(a.scale))
        }
    }

    @Test func concurrentCallsGiveTheSerialResults() async {
        let serial = (0..<64).map { augment($0 % 2, seed: UInt64($0)) }
        let augmenter = self.augmenter
        let parallel = await withTaskGroup(of: (Int, [UInt8]).self) { group in
            for i in 0..<64 {
                group.addTask {
                    var generator = SplitMix64(seed: UInt64(i))
                    let image = [UInt8](unsafeUninitializedCapacity: 784) { buffer, count in
                        augmenter.augment(i % 2, of: Self.images, into: buffer, generator: &generator)
                        count = 784
                    }
                    return (i, image)
                }
            }
            var results = [[UInt8]](repeating: [], count: 64)
            for await (i, image) in group { results[i] = image }
            return results
        }
        #expect(parallel == serial)
    }

    /// A share of images passes through untouched, so the model also learns crisp, unresampled strokes.
    @Test func aboutHalfTheImagesAreLeftUntouched() {
        let original = Array(Self.images.image(0))
        func untouched(_ augmenter: Augmenter, _ trials: Int) -> Int {
            var generator = SplitMix64(seed: 1)
            return (0..<trials).filter { _ in
                [UInt8](unsafeUninitializedCapacity: 784) { buffer, count in
                    augmenter.augment(0, of: Self.images, into: buffer, generator: &generator)
                    count = 784
                } == original
            }.count
        }
        let half = untouched(Augmenter(drawings: [nil, Self.drawing]), 400)
        #expect(half > 140 && half < 260, "\(half) of 400 untouched")
        #expect(untouched(augmenter, 50) < 5)
    }
}
