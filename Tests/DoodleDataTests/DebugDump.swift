import DoodleData
import Foundation
import Testing

@Test func debugDump() throws {
    guard let name = ProcessInfo.processInfo.environment["DUMP"] else { return }
    for c in RasterizerFixtureTests.cases where c.name == name && c.side == 28 {
        let b = try Rasterizer(side: 28).render(strokes: c.strokes.map { Stroke(x: $0[0], y: $0[1]) })
        let ex = c.expected
        for r in 0..<28 {
            print((0..<28).map { x in
                let v = b[r * 28 + x], w = ex[r * 28 + x]
                return v == w ? String(format: "%4d", v) : String(format: "%+4d", Int(v) - Int(w))
            }.joined())
        }
    }
}
