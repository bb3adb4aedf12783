import DoodleData
import Foundation
import Testing

/// Synthetic drawings rendered by Google's recipe in pycairo (Scripts/make_raster_fixtures.py).
@Suite struct RasterizerFixtureTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var side: Int
        var strokes: [[[Double]]]
        var bitmap: String
        var testDescription: String { "\(name) (\(side)×\(side))" }

        var expected: [UInt8] {
            var bytes: [UInt8] = []
            var index = bitmap.startIndex
            while index < bitmap.endIndex {
                let next = bitmap.index(index, offsetBy: 2)
                bytes.append(UInt8(bitmap[index..<next], radix: 16)!)
                index = next
            }
            return bytes
        }
    }

    struct File: Decodable { var cases: [Case] }

    static let cases: [Case] = {
        guard let url = Bundle.module.url(forResource: "Fixtures/raster_fixtures", withExtension: "json"),
            let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data)
        else { return [] }
        return file.cases
    }()

    @Test func fixturesArePresent() {
        #expect(Self.cases.count >= 20)
    }

    @Test(arguments: cases) func matchesPycairo(_ fixture: Case) throws {
        let strokes = fixture.strokes.map { Stroke(x: $0[0], y: $0[1]) }
        let bitmap = try Rasterizer(side: fixture.side).render(strokes: strokes)
        let expected = fixture.expected
        let differing = zip(bitmap, expected).filter { $0 != $1 }.count
        let worst = zip(bitmap, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(differing == 0, "\(differing) pixels differ, by up to \(worst)")
    }
}
