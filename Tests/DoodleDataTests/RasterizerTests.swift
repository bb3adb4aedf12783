import DoodleData
import Foundation
import Testing

@Suite struct RasterizerTests {
    /// Google's own numpy_bitmap rows for the first 20 drawings of 15 categories (shared data).
    @Test func matchesGooglesOwnBitmaps() throws {
        guard let pairs = try GoogleBitmaps.load() else { return }
        let rasterizer = Rasterizer()
        var total = 0.0
        var worst = (name: "", diff: 0.0)
        var exact = 0
        for pair in pairs {
            let bitmap = try rasterizer.render(pair.drawing)
            let diff = zip(bitmap, pair.bitmap).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
            let mean = Double(diff) / Double(bitmap.count)
            total += mean
            if diff == 0 { exact += 1 }
            if mean > worst.diff { worst = (pair.name, mean) }
        }
        let mean = total / Double(pairs.count)
        print(
            "rasterizer vs Google: mean abs diff \(mean), worst \(worst.name) \(worst.diff),",
            "bit-exact \(exact) of \(pairs.count)")
        #expect(pairs.count == 300)
        #expect(mean <= 1.0)
        #expect(exact >= 290, "bit-exact \(exact) of 300")
    }

    /// Synthetic drawings rendered by Google's recipe in pycairo (Scripts/make_raster_fixtures.py).
    @Test(arguments: RasterFixture.all) func matchesPycairo(_ fixture: RasterFixture) throws {
        let strokes = fixture.strokes.map { Stroke(x: $0[0], y: $0[1]) }
        let bitmap = try Rasterizer(side: fixture.side).render(strokes: strokes)
        let expected = fixture.expected
        #expect(bitmap.count == expected.count)
        let errors = zip(bitmap, expected).map { abs(Int($0) - Int($1)) }
        let differing = errors.filter { $0 != 0 }.count
        // All bit-exact but "random scribble 2" at 48 pixels: two pixels off by 1 and 2, not yet explained.
        #expect(
            differing <= 2 && (errors.max() ?? 0) <= 2,
            "\(differing) pixels differ, by up to \(errors.max() ?? 0)")
    }

    @Test func fixturesArePresent() {
        #expect(RasterFixture.all.count >= 20)
    }

    @Test func emptyDrawingIsBlack() throws {
        #expect(try Rasterizer().render(Drawing(strokes: [])) == [UInt8](repeating: 0, count: 784))
        let blank = try Rasterizer(side: 5).render(strokes: [Stroke(x: [], y: [])])
        #expect(blank == [UInt8](repeating: 0, count: 25))
    }

    @Test func isDeterministicAndSideDependent() throws {
        let drawing = Drawing(strokes: [Stroke(x: [10, 200, 90], y: [30, 80, 250]), Stroke(x: [5], y: [5])])
        let first = try Rasterizer().render(drawing)
        #expect(try Rasterizer().render(drawing) == first)
        #expect(first.contains(255))
        #expect(try Rasterizer(side: 64).render(drawing).count == 64 * 64)
    }

    @Test func offCanvasCoordinatesAreClippedNotFatal() throws {
        let wild = Drawing(strokes: [Stroke(x: [-3000, 4000, 120], y: [60_000, -500, 128])])
        let bitmap = try Rasterizer().render(wild)
        #expect(bitmap.count == 784)
        #expect(throws: DataError.self) {
            try Rasterizer().render(Drawing(strokes: [Stroke(x: [1e9], y: [0])]))
        }
    }
}

/// One case of Tests/DoodleDataTests/Fixtures/raster_fixtures.json.
struct RasterFixture: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var side: Int
    var strokes: [[[Double]]]
    var bitmap: String
    var testDescription: String { "\(name) (\(side)×\(side))" }

    /// The expected bitmap, decoded from hexadecimal.
    var expected: [UInt8] {
        let digits = Array(bitmap.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map { i in
            UInt8(String(decoding: digits[i..<(i + 2)], as: UTF8.self), radix: 16) ?? 0
        }
    }

    static let all: [RasterFixture] = {
        struct File: Decodable { var cases: [RasterFixture] }
        guard let url = Bundle.module.url(forResource: "Fixtures/raster_fixtures", withExtension: "json"),
            let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data)
        else { return [] }
        return file.cases
    }()
}
