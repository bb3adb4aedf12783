import DoodleNN
import Testing

/// The training passes of ReLU and max pooling, whose loops are vectorised and split across threads,
/// against plain loops over every element: activations as large as a real batch's (several chunks of
/// work, and a ragged end), channel counts that leave a tail after the 8-lane blocks, and many ties.
@Suite struct TrainingLoopTests {
    @Test func reluMatchesThePlainLoopOnEveryElement() {
        var g = SeededGenerator(seed: 11)
        let count = 3 * 16_384 + 13
        // Exact zeros too: the gradient there is 0, as PyTorch's.
        let x = Tensor(
            shape: [count], scalars: (0..<count).map { i in i % 17 == 0 ? 0 : g.nextNormal() })
        let dy = Tensor(shape: [count], scalars: (0..<count).map { _ in g.nextNormal() })
        let relu = ReLU()
        let y = relu.forward(x, training: true)
        let dx = relu.backward(dy)
        var wrongForward = 0
        var wrongBackward = 0
        for i in 0..<count {
            if y[flat: i] != max(x[flat: i], 0) { wrongForward += 1 }
            if dx[flat: i] != (x[flat: i] > 0 ? dy[flat: i] : 0) { wrongBackward += 1 }
        }
        #expect(wrongForward == 0)
        #expect(wrongBackward == 0)
    }

    @Test(arguments: [(2, 2, 19), (3, 2, 16), (2, 1, 5)])
    func maxPoolMatchesThePlainLoopWithTies(size: Int, stride: Int, channels: Int) {
        var g = SeededGenerator(seed: 12)
        let (n, h, w, c) = (3, 9, 11, channels)
        // Four values only, so most windows hold ties: the first of equal values takes the gradient.
        let input = Tensor(
            shape: [n, h, w, c], scalars: (0..<(n * h * w * c)).map { _ in Float(g.next() % 4) })
        let pool = MaxPool2D(size: size, stride: stride)
        let output = pool.forward(input, training: true)
        let (oh, ow) = (output.shape[1], output.shape[2])
        let dy = Tensor(shape: output.shape, scalars: (0..<output.count).map { _ in g.nextNormal() })
        let dx = pool.backward(dy)

        var expectedOutput = [Float](repeating: 0, count: output.count)
        var expectedDx = [Float](repeating: 0, count: input.count)
        for b in 0..<n {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    for ch in 0..<c {
                        var best = -Float.infinity
                        var winner = 0
                        for ky in 0..<size {
                            for kx in 0..<size {
                                let at = ((b * h + oy * stride + ky) * w + ox * stride + kx) * c + ch
                                if input[flat: at] > best {
                                    best = input[flat: at]
                                    winner = at
                                }
                            }
                        }
                        let o = ((b * oh + oy) * ow + ox) * c + ch
                        expectedOutput[o] = best
                        expectedDx[winner] += dy[flat: o]
                    }
                }
            }
        }
        #expect((0..<output.count).allSatisfy { output[flat: $0] == expectedOutput[$0] })
        #expect((0..<input.count).allSatisfy { dx[flat: $0] == expectedDx[$0] })
    }
}
