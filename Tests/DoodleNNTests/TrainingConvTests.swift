import DoodleNN
import TestSupport
import Testing

/// Training's convolution gradients (the input gradient by Winograd, the panel kernel, or col2im; the
/// weight gradient from the column matrix) against plain loops over the window, summed in Double, for
/// every shape the inference tests try.
@Suite struct TrainingConvTests {
    @Test(arguments: KernelSet.runnable, InferenceConvTests.cases)
    func gradientsMatchPlainLoops(kernels: KernelSet, _ c: InferenceConvTests.Case) {
        let (conv, input) = InferenceConvTests.convolution(c, kernels: kernels)
        let output = conv.forward(input, training: true)
        var generator = SeededGenerator(seed: UInt64(output.count))
        let dOutput = Tensor(
            shape: output.shape,
            scalars: (0..<output.count).map { _ in Float.random(in: -1...1, using: &generator) })
        let dInput = conv.backward(dOutput)

        let g = conv.geometry(for: input.shape)
        let (channels, filters, size) = (g.channels, c.filters, c.kernel)
        let (x, w, dy) = (input.scalars, conv.weight.value.scalars, dOutput.scalars)
        var expectedDInput = [Double](repeating: 0, count: input.count)
        var expectedDWeight = [Double](repeating: 0, count: w.count)
        var expectedDBias = [Double](repeating: 0, count: filters)
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let out = ((n * g.outHeight + oy) * g.outWidth + ox) * filters
                    for k in 0..<filters { expectedDBias[k] += Double(dy[out + k]) }
                    for ky in 0..<size {
                        for kx in 0..<size {
                            let (iy, ix) = (oy * g.stride + ky - g.padTop, ox * g.stride + kx - g.padLeft)
                            guard iy >= 0 && iy < g.height && ix >= 0 && ix < g.width else { continue }
                            let pixel = ((n * g.height + iy) * g.width + ix) * channels
                            for ch in 0..<channels {
                                let tap = ((ky * size + kx) * channels + ch) * filters
                                var sum = 0.0
                                for k in 0..<filters {
                                    sum += Double(dy[out + k]) * Double(w[tap + k])
                                    expectedDWeight[tap + k] += Double(dy[out + k]) * Double(x[pixel + ch])
                                }
                                expectedDInput[pixel + ch] += sum
                            }
                        }
                    }
                }
            }
        }
        let what = "\(kernels.name) \(c)"
        let dx = mismatch(dInput.scalars, expectedDInput.map { Float($0) }, rtol: 1e-4, atol: 1e-4)
        #expect(dx == nil, "\(what), dInput: \(dx ?? "")")
        let dw = mismatch(conv.weight.grad.scalars, expectedDWeight.map { Float($0) }, rtol: 1e-4, atol: 1e-3)
        #expect(dw == nil, "\(what), dWeight: \(dw ?? "")")
        let db = mismatch(conv.bias.grad.scalars, expectedDBias.map { Float($0) }, rtol: 1e-4, atol: 1e-3)
        #expect(db == nil, "\(what), dBias: \(db ?? "")")
    }
}
