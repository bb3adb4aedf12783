import DoodleData
import DoodleNN
import Foundation

/// The drawings that real stroke files do not hold: degenerate, extreme and canvas-like ones.
extension SketchScriptTests {
    struct EdgeCase {
        var name: String
        var strokes: [Stroke]
    }

    struct RenderCase {
        var name: String
        var side: Int
        var strokes: [Stroke]
    }

    /// Drawings for `modelInput`, including some that both implementations must refuse.
    static func edgeCases() -> [EdgeCase] {
        var generator = SeededGenerator(seed: 7)
        let scribble = (0..<5000).reduce(into: (x: [0.0], y: [0.0])) { walk, _ in
            walk.x.append(walk.x.last! + Double.random(in: -9...9, using: &generator))
            walk.y.append(walk.y.last! + Double.random(in: -9...9, using: &generator))
        }
        var cases = [
            EdgeCase(name: "a single dot", strokes: [Stroke(x: [10], y: [20])]),
            EdgeCase(
                name: "one-point strokes beside a line",
                strokes: [
                    Stroke(x: [10], y: [10]), Stroke(x: [50, 60], y: [50, 80]), Stroke(x: [200], y: [100]),
                ]),
            EdgeCase(
                name: "zero size: every point the same",
                strokes: [Stroke(x: [5, 5, 5], y: [7, 7, 7]), Stroke(x: [5], y: [7])]),
            EdgeCase(name: "no strokes", strokes: []),
            EdgeCase(name: "only empty strokes", strokes: [Stroke(x: [], y: []), Stroke(x: [], y: [])]),
            EdgeCase(
                name: "an empty stroke between two",
                strokes: [
                    Stroke(x: [0, 40], y: [0, 40]), Stroke(x: [], y: []), Stroke(x: [40, 80], y: [0, 10]),
                ]),
            EdgeCase(name: "a horizontal line", strokes: [Stroke(x: [0, 100], y: [3, 3])]),
            EdgeCase(name: "a vertical line", strokes: [Stroke(x: [3, 3], y: [0, 100])]),
            EdgeCase(
                name: "a line retraced", strokes: [Stroke(x: [0, 100, 0, 100, 50], y: [0, 0, 0, 0, 0])]),
            EdgeCase(
                name: "huge coordinates",
                strokes: [
                    Stroke(x: [0, 1e6, 3e5], y: [0, 5e5, 1e6]), Stroke(x: [1e15, -1e15], y: [2e14, 0]),
                ]),
            EdgeCase(name: "a tiny extent", strokes: [Stroke(x: [0, 1e-9, 5e-10], y: [0, 3e-10, 1e-9])]),
            EdgeCase(
                name: "negative coordinates",
                strokes: [
                    Stroke(x: [-100, -50, -300], y: [-20, -400, -10]), Stroke(x: [-5, -6], y: [-7, -700]),
                ]),
            EdgeCase(
                name: "times are ignored",
                strokes: [Stroke(x: [10, 200, 90], y: [30, 40, 250], t: [0, 16, 33])]),
            EdgeCase(name: "a 5,000-point scribble", strokes: [Stroke(x: scribble.x, y: scribble.y)]),
            EdgeCase(name: "a NaN coordinate", strokes: [Stroke(x: [1, .nan], y: [3, 4])]),
            EdgeCase(name: "an infinite coordinate", strokes: [Stroke(x: [1, 2], y: [.infinity, 4])]),
            EdgeCase(name: "a -infinite coordinate", strokes: [Stroke(x: [-.infinity], y: [3])]),
            EdgeCase(name: "a size beyond Double", strokes: [Stroke(x: [-1e308, 1e308], y: [0, 0])]),
            EdgeCase(
                name: "the largest Doubles, zero size",
                strokes: [Stroke(x: [.greatestFiniteMagnitude], y: [-.greatestFiniteMagnitude])]),
        ]
        // Canvas-like input: the pad's 0–1000 square, two decimals, as canvas.js records points.
        func canvas(_ value: Double) -> Double { (value * 100).rounded() / 100 }
        for n in 0..<300 {
            let strokes = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                var (x, y) = (
                    Double.random(in: 0...1000, using: &generator),
                    Double.random(in: 0...1000, using: &generator)
                )
                var (xs, ys) = ([canvas(x)], [canvas(y)])
                for _ in 0..<Int.random(in: 0...80, using: &generator) {
                    x = min(1000, max(0, x + Double.random(in: -40...40, using: &generator)))
                    y = min(1000, max(0, y + Double.random(in: -40...40, using: &generator)))
                    xs.append(canvas(x))
                    ys.append(canvas(y))
                }
                return Stroke(x: xs, y: ys)
            }
            cases.append(EdgeCase(name: "canvas scribble \(n)", strokes: strokes))
        }
        return cases
    }

    /// Drawings for `render` directly: every pen size, and coordinates at the rasterizer's limits.
    static func renderCases() -> [RenderCase] {
        let dot = [Stroke(x: [100], y: [100])]
        let shape = [
            Stroke(x: [0, 255, 128, 0], y: [0, 40, 255, 0]), Stroke(x: [60], y: [200]),
            Stroke(x: [30, 220, 30, 220], y: [120, 120, 121, 119]),
        ]
        let limit = Rasterizer.coordinateLimit
        // Centred on the maximum (65536, 65536), the bitmap shows 32616...32920: the first three cross it.
        let huge = [
            Stroke(x: [-limit, limit], y: [-limit, limit]), Stroke(x: [-limit, limit], y: [32700, 32800]),
            Stroke(x: [32700, 32800], y: [-limit, limit]),
            Stroke(x: [-limit, limit, 0, 17.5], y: [limit, -limit, 100, -limit]),
            Stroke(x: [limit - 1, -limit + 0.5], y: [-3, 250]),
        ]
        var cases: [RenderCase] = []
        for side in Array(1...128) + [224, 256, 304, 1000] {
            cases.append(RenderCase(name: "a dot", side: side, strokes: dot))
            cases.append(RenderCase(name: "a triangle, a dot and a zigzag", side: side, strokes: shape))
        }
        for side in [28, 112, 256] {
            cases.append(RenderCase(name: "coordinates at ±65536", side: side, strokes: huge))
            cases.append(
                RenderCase(
                    name: "negative coordinates", side: side,
                    strokes: [Stroke(x: [-50, 300], y: [-20, 400])]))
        }
        // Long diagonals at 4096 pixels: products of slopes past 2^53, where sketch.js turns to BigInt.
        let diagonals = [Stroke(x: [32700, 65536, 0], y: [32700, 49000, 65536])]
        cases.append(RenderCase(name: "long diagonals", side: 4096, strokes: diagonals))
        cases.append(
            RenderCase(name: "beyond ±65536", side: 28, strokes: [Stroke(x: [0, limit + 0.5], y: [0, 0])]))
        cases.append(RenderCase(name: "a NaN", side: 28, strokes: [Stroke(x: [.nan], y: [0])]))
        return cases
    }
}
