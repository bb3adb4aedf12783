import DoodleData
import Foundation
import Testing

@Suite struct RasterizerGoogleTests {
    @Test func matchesGooglesOwnBitmaps() throws {
        guard let pairs = try GoogleBitmaps.load() else { return }
        let rasterizer = Rasterizer()
        var total = 0.0
        var worst = (name: "", diff: 0.0)
        var exact = 0
        for pair in pairs {
            let bitmap = try rasterizer.render(pair.drawing)
            let diff =
                zip(bitmap, pair.bitmap).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
            let mean = Double(diff) / Double(bitmap.count)
            total += mean
            if diff == 0 { exact += 1 }
            if mean > worst.diff { worst = (pair.name, mean) }
        }
        let mean = total / Double(pairs.count)
        print("rasterizer vs Google: mean abs diff \(mean), worst \(worst.name) \(worst.diff), bit-exact \(exact) of \(pairs.count)")
        #expect(pairs.count == 300)
        #expect(mean <= 1.0)
    }
}
