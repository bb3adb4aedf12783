import Foundation

/// Made-up but repeatable classifier outputs, drawings and logs for the metrics and report tests.
enum Fake {
    /// A small seeded generator (SplitMix64), so every fake is the same on every run.
    struct Generator: RandomNumberGenerator {
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

    /// Rows that put 0.8 on each given prediction and share the rest equally.
    static func confident(_ predictions: [Int], classes: Int) -> [Float] {
        predictions.flatMap { predicted in
            (0..<classes).map { $0 == predicted ? 0.8 : 0.2 / Float(max(classes - 1, 1)) }
        }
    }

    /// Softmax rows of random logits, with labels that the logits favour about two times in three.
    static func softmaxRows(count: Int, classes: Int, seed: UInt64) -> (probabilities: [Float], labels: [Int])
    {
        var generator = Generator(seed: seed)
        var probabilities: [Float] = []
        var labels: [Int] = []
        for _ in 0..<count {
            let label = Int.random(in: 0..<classes, using: &generator)
            var logits = (0..<classes).map { _ in Float.random(in: -2...2, using: &generator) }
            if Float.random(in: 0..<1, using: &generator) < 0.66 { logits[label] += 3 }
            probabilities += softmax(logits)
            labels.append(label)
        }
        return (probabilities, labels)
    }

    static func softmax(_ logits: [Float]) -> [Float] {
        let largest = logits.max() ?? 0
        let exps = logits.map { Foundation.exp($0 - largest) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }

    /// A 28 × 28 drawing (ink 255 on 0) of a few random strokes, roughly what a rasterized doodle is.
    static func drawing(seed: UInt64) -> [UInt8] {
        var generator = Generator(seed: seed)
        var pixels = [UInt8](repeating: 0, count: 28 * 28)
        var point = (
            x: Double.random(in: 6...22, using: &generator), y: Double.random(in: 6...22, using: &generator)
        )
        for _ in 0..<Int.random(in: 3...6, using: &generator) {
            let next = (
                x: Double.random(in: 3...25, using: &generator),
                y: Double.random(in: 3...25, using: &generator)
            )
            for step in 0...40 {
                let t = Double(step) / 40
                let (x, y) = (point.x + (next.x - point.x) * t, point.y + (next.y - point.y) * t)
                for dy in -1...1 {
                    for dx in -1...1 {
                        let (px, py) = (Int(x) + dx, Int(y) + dy)
                        guard (0..<28).contains(px), (0..<28).contains(py) else { continue }
                        let ink: UInt8 = dx == 0 && dy == 0 ? 255 : 150
                        pixels[py * 28 + px] = max(pixels[py * 28 + px], ink)
                    }
                }
            }
            point = next
        }
        return pixels
    }
}
