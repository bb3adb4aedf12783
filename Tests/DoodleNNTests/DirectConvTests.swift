import DoodleNN
import TestSupport
import Testing

/// The direct convolution inference takes for shallow windows against im2col + GEMM, which training
/// runs: odd image sizes, padding that swallows whole windows, strides, channel counts, batches.
@Suite struct DirectConvTests {
    struct Case: CustomStringConvertible, Sendable {
        var batch, height, width, channels, filters, kernel, stride: Int
        var padding: Padding
        var description: String {
            "\(batch)×\(height)×\(width)×\(channels) → \(filters), \(kernel)×\(kernel)/\(stride) \(padding)"
        }
    }

    static let cases: [Case] = [
        Case(batch: 1, height: 28, width: 28, channels: 1, filters: 32, kernel: 3, stride: 1, padding: .same),
        Case(
            batch: 3, height: 28, width: 28, channels: 1, filters: 64, kernel: 3, stride: 1, padding: .valid),
        Case(
            batch: 7, height: 5, width: 7, channels: 3, filters: 40, kernel: 3, stride: 2,
            padding: .explicit(1)),
        Case(batch: 2, height: 1, width: 1, channels: 1, filters: 8, kernel: 3, stride: 1, padding: .same),
        Case(batch: 2, height: 6, width: 6, channels: 1, filters: 16, kernel: 5, stride: 1, padding: .same),
        Case(
            batch: 1, height: 4, width: 9, channels: 2, filters: 24, kernel: 3, stride: 1,
            padding: .explicit(3)),
        Case(
            batch: 40, height: 28, width: 28, channels: 1, filters: 32, kernel: 3, stride: 1, padding: .same),
    ]

    @Test(arguments: cases, [false, true])
    func matchesIm2colAndGEMM(_ c: Case, relu: Bool) throws {
        var generator = SeededGenerator(seed: UInt64(c.filters * 7 + c.channels))
        let conv = Conv2D(
            inChannels: c.channels, outChannels: c.filters, kernelSize: c.kernel, stride: c.stride,
            padding: c.padding, generator: &generator)
        conv.bias.value = Tensor(
            shape: [c.filters],
            scalars: (0..<c.filters).map { _ in Float.random(in: -1...1, using: &generator) })
        conv.fusedReLU = relu
        let count = c.batch * c.height * c.width * c.channels
        let input = Tensor(
            shape: [c.batch, c.height, c.width, c.channels],
            scalars: (0..<count).map { _ in Float.random(in: 0...1, using: &generator) })
        // Training runs im2col + GEMM and leaves the ReLU to the next layer.
        let expected = conv.forward(input, training: true).scalars.map { relu ? max(0, $0) : $0 }
        let direct = conv.forward(input, training: false)
        #expect(direct.shape == conv.outputShape(for: input.shape))
        let problem = mismatch(direct.scalars, expected, rtol: 1e-5, atol: 1e-5)
        #expect(problem == nil, "\(c): \(problem ?? "")")
    }
}
