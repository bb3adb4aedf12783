import DoodleNN
import Testing

/// Finite-difference checks: for L = Σ output ⊙ R, the analytical gradients from `backward` must match
/// (L(x + h) − L(x − h)) / 2h for a sample of input and parameter elements.
@Suite struct GradientCheckTests {
    static func randomTensor(_ shape: [Int], _ g: inout SeededGenerator, scale: Float = 1) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in g.nextNormal() * scale })
    }

    /// Checks `layer`'s gradients at `input`, sampling up to `samples` elements of each tensor.
    static func check(
        _ layer: any Layer, input: Tensor, samples: Int = 24,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var g = SeededGenerator(seed: 7)
        let output = layer.forward(input, training: true)
        let r = randomTensor(output.shape, &g)
        for p in layer.parameters where p.isTrainable { p.grad.zero() }
        let dInput = layer.backward(r)
        let h: Float = 1e-2
        func numerical(_ perturb: (Float) -> Void) -> Double {
            perturb(h)
            let plus = lossWith(layer, input, 0, input[flat: 0], r)
            perturb(-2 * h)
            let minus = lossWith(layer, input, 0, input[flat: 0], r)
            perturb(h)
            return (plus - minus) / Double(2 * h)
        }
        func compare(_ analytic: Float, _ numeric: Double, _ what: String) {
            let tolerance = 2e-2 * max(1, abs(numeric))
            #expect(
                abs(Double(analytic) - numeric) <= tolerance,
                "\(what): analytic \(analytic) vs numeric \(numeric)", sourceLocation: sourceLocation)
        }
        if layer.needsInputGradient {
            for _ in 0..<min(samples, input.count) {
                let i = Int(g.next() % UInt64(input.count))
                let plus = lossWith(layer, input, i, input[flat: i] + h, r)
                let minus = lossWith(layer, input, i, input[flat: i] - h, r)
                compare(dInput[flat: i], (plus - minus) / Double(2 * h), "dInput[\(i)]")
            }
        }
        for p in layer.parameters where p.isTrainable {
            let grad = p.grad
            for _ in 0..<min(samples, p.value.count) {
                let i = Int(g.next() % UInt64(p.value.count))
                let numeric = numerical { p.value[flat: i] += $0 }
                compare(grad[flat: i], numeric, "d\(p.name)[\(i)]")
            }
        }
    }

    static func lossWith(_ layer: any Layer, _ x: Tensor, _ i: Int, _ value: Float, _ r: Tensor) -> Double {
        var x = x
        x[flat: i] = value
        let y = layer.forward(x, training: true)
        return zip(y.scalars, r.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    @Test(arguments: [
        (batch: 1, size: 1, channels: 1, filters: 2, kernel: 1, stride: 1, padding: Padding.valid),
        (3, 5, 1, 4, 3, 1, .same), (2, 6, 3, 5, 3, 1, .valid), (7, 4, 2, 3, 3, 2, .explicit(1)),
        (2, 7, 3, 2, 5, 1, .same), (1, 1, 3, 4, 3, 1, .same), (2, 5, 4, 3, 1, 1, .same),
    ])
    func conv2D(
        _ c: (batch: Int, size: Int, channels: Int, filters: Int, kernel: Int, stride: Int, padding: Padding)
    ) {
        var g = SeededGenerator(seed: 1)
        let conv = Conv2D(
            inChannels: c.channels, outChannels: c.filters, kernelSize: c.kernel, stride: c.stride,
            padding: c.padding, generator: &g)
        conv.bias.value = Self.randomTensor([c.filters], &g)
        Self.check(conv, input: Self.randomTensor([c.batch, c.size, c.size + 1, c.channels], &g))
    }

    @Test func linear() {
        var g = SeededGenerator(seed: 2)
        let layer = Linear(inFeatures: 13, outFeatures: 7, generator: &g)
        Self.check(layer, input: Self.randomTensor([5, 13], &g))
    }

    @Test func batchNorm() {
        var g = SeededGenerator(seed: 3)
        let layer = BatchNorm2D(channels: 3)
        layer.weight.value = Self.randomTensor([3], &g)
        layer.bias.value = Self.randomTensor([3], &g)
        Self.check(layer, input: Self.randomTensor([4, 3, 5, 3], &g, scale: 2))
    }

    @Test func pooling() {
        var g = SeededGenerator(seed: 4)
        // Distinct values keep max pooling away from ties, where it is not differentiable.
        let input = Self.randomTensor([2, 5, 7, 3], &g)
        Self.check(MaxPool2D(size: 2), input: input)
        Self.check(AvgPool2D(size: 2), input: input)
        Self.check(GlobalAvgPool2D(), input: input)
        Self.check(Flatten(), input: input)
    }

    @Test func relu() {
        var g = SeededGenerator(seed: 5)
        // Keep inputs away from the kink at 0, where the finite difference straddles it.
        let scalars = (0..<60).map { _ -> Float in
            let v = g.nextNormal()
            return v + (v < 0 ? -0.1 : 0.1)
        }
        Self.check(ReLU(), input: Tensor(shape: [3, 20], scalars: scalars))
    }

    @Test func crossEntropyGradient() {
        var g = SeededGenerator(seed: 6)
        for smoothing: Float in [0, 0.1] {
            let loss = SoftmaxCrossEntropy(labelSmoothing: smoothing)
            let logits = Self.randomTensor([4, 6], &g, scale: 3)
            let labels = [0, 5, 2, 2]
            let (_, d) = loss(logits, labels: labels)
            for i in 0..<logits.count {
                var plus = logits
                var minus = logits
                plus[flat: i] += 1e-2
                minus[flat: i] -= 1e-2
                let numeric = (loss(plus, labels: labels).loss - loss(minus, labels: labels).loss) / 2e-2
                #expect(abs(d[flat: i] - numeric) < 2e-3, "dLogits[\(i)]: \(d[flat: i]) vs \(numeric)")
            }
        }
    }
}
