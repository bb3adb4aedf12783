import DoodleData
import Foundation
import Testing

@Suite struct StrokeNormalizerTests {
    let normalizer = StrokeNormalizer()

    func render(_ drawing: Drawing) throws -> [UInt8] {
        try Rasterizer().render(normalizer.normalize(drawing))
    }

    @Test func alignsScalesAndRoundsToGooglesBox() throws {
        let raw = Drawing(strokes: [Stroke(x: [100, 600, 600], y: [50, 50, 300])])
        let strokes = try normalizer.normalize(raw).strokes
        #expect(strokes.count == 1)
        #expect(strokes[0].x == [0, 255, 255])
        #expect(strokes[0].y == [0, 0, 128])
    }

    @Test func keepsAspectRatioOfATallDrawing() throws {
        let raw = Drawing(strokes: [Stroke(x: [0, 10], y: [0, 1000])])
        let stroke = try normalizer.normalize(raw).strokes[0]
        #expect(stroke.y.max() == 255)
        #expect(stroke.x.max() == 3)
    }

    @Test func singleDotBecomesACentredDot() throws {
        let drawing = try normalizer.normalize(Drawing(strokes: [Stroke(x: [42.5], y: [17])]))
        #expect(drawing.strokes == [Stroke(x: [0], y: [0])])
        let bitmap = try Rasterizer().render(drawing)
        #expect(bitmap[14 * 28 + 14] > 0)
        #expect(bitmap.filter { $0 > 0 }.count < 10)
    }

    @Test func zeroSizeDrawingAndOnePointStrokesRenderDots() throws {
        let raw = Drawing(strokes: [Stroke(x: [5, 5, 5], y: [9, 9, 9]), Stroke(x: [5], y: [9])])
        let drawing = try normalizer.normalize(raw)
        #expect(drawing.strokes.allSatisfy { $0.x == [0] && $0.y == [0] })
        #expect(try render(raw).contains { $0 > 0 })
    }

    @Test func emptyStrokesAreDroppedAndEmptyDrawingsRenderBlack() throws {
        let raw = Drawing(strokes: [
            Stroke(x: [], y: []), Stroke(x: [0, 50], y: [0, 50]), Stroke(x: [], y: []),
        ])
        #expect(try normalizer.normalize(raw).strokes.count == 1)
        let empty = Drawing(strokes: [Stroke(x: [], y: [])])
        #expect(try normalizer.normalize(empty).strokes.isEmpty)
        #expect(try render(empty) == [UInt8](repeating: 0, count: 784))
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func rejectsNonFiniteCoordinates(_ bad: Double) {
        let raw = Drawing(strokes: [Stroke(x: [0, bad], y: [0, 1])])
        #expect(throws: DataError.self) { try normalizer.normalize(raw) }
        #expect(throws: DataError.self) { try Rasterizer().render(raw) }
    }

    @Test func hugeDrawingIsScaledIntoTheBox() throws {
        let xs = stride(from: 0.0, through: 8000, by: 250).map { $0 }
        let ys = xs.map { 3000 + 2000 * sin($0 / 700) }
        let drawing = try normalizer.normalize(Drawing(strokes: [Stroke(x: xs, y: ys)]))
        let all = drawing.strokes.flatMap { $0.x + $0.y }
        #expect(all.allSatisfy { $0 >= 0 && $0 <= 255 && $0 == $0.rounded() })
        #expect(drawing.strokes[0].x.max() == 255)
        #expect(try Rasterizer().render(drawing).contains { $0 == 255 })
    }

    @Test func simplificationKeepsCornersAndDropsCollinearPoints() throws {
        let xs = (0...100).map { Double($0) } + (1...100).map { _ in 100.0 }
        let ys = (0...100).map { _ in 0.0 } + (1...100).map { Double($0) }
        let stroke = try normalizer.normalize(Drawing(strokes: [Stroke(x: xs, y: ys)])).strokes[0]
        #expect(stroke.x == [0, 255, 255])
        #expect(stroke.y == [0, 0, 255])
    }

    @Test func isDeterministic() throws {
        var generator = SplitMix(seed: 7)
        let strokes = (0..<5).map { _ in
            let n = Int(generator.next() % 40) + 1
            return Stroke(
                x: (0..<n).map { _ in Double(generator.next() % 100_000) / 37 },
                y: (0..<n).map { _ in Double(generator.next() % 100_000) / 53 })
        }
        let raw = Drawing(strokes: strokes)
        let first = try normalizer.normalize(raw)
        #expect(try normalizer.normalize(raw) == first)
        #expect(try render(raw) == render(raw))
    }
}

/// A tiny seeded generator, so the determinism test's input is fixed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
