import DoodleNN
import TestSupport
import Testing

/// The ReLUs a network applies inside the layer before them in training, against the same layers
/// run one by one with a separate ReLU: the same outputs and the same gradients.
@Suite struct FusedTrainingTests {
    /// A network's batch norm applies the ReLU after it in training: the same output, the same
    /// gradients, as batch norm then a separate ReLU.
    @Test func batchNormWithItsReLUFusedEqualsTheTwoLayers() {
        var g = SeededGenerator(seed: 11)
        let shape = [6, 5, 7, 19]
        let input = GradientCheckTests.randomTensor(shape, &g, scale: 2)
        let dOutput = GradientCheckTests.randomTensor(shape, &g)
        let (gamma, beta) = (
            GradientCheckTests.randomTensor([19], &g), GradientCheckTests.randomTensor([19], &g)
        )
        let fused = BatchNorm2D(channels: 19), separate = BatchNorm2D(channels: 19)
        for layer in [fused, separate] {
            layer.weight.value = gamma
            layer.bias.value = beta
        }
        let network = Sequential([fused, ReLU()])
        fused.needsInputGradient = true  // which a network's first layer is told it need not be
        #expect(fused.fusedReLU && network.skips(1, training: true) && network.skips(1, training: false))
        let relu = ReLU()
        let expected = relu.forward(separate.forward(input, training: true), training: true)
        let actual = network.forward(input, training: true)
        #expect(mismatch(actual.scalars, expected.scalars) == nil, "output")
        #expect(
            actual.scalars.contains(0) && actual.scalars.contains { $0 > 0 }, "the ReLU clips some, not all")
        let expectedDInput = separate.backward(relu.backward(dOutput))
        let dInput = fused.backward(dOutput)
        #expect(mismatch(dInput.scalars, expectedDInput.scalars, rtol: 1e-4, atol: 1e-5) == nil, "dInput")
        #expect(
            mismatch(fused.weight.grad.scalars, separate.weight.grad.scalars, rtol: 1e-4, atol: 1e-4) == nil)
        #expect(mismatch(fused.bias.grad.scalars, separate.bias.grad.scalars, rtol: 1e-4, atol: 1e-4) == nil)
        #expect(mismatch(fused.runningMean.value.scalars, separate.runningMean.value.scalars) == nil)
        #expect(mismatch(fused.runningVariance.value.scalars, separate.runningVariance.value.scalars) == nil)
        let inference = network.forward(input, training: false)
        let expectedInference = relu.forward(separate.forward(input, training: false), training: false)
        #expect(mismatch(inference.scalars, expectedInference.scalars) == nil, "inference")
    }

    /// A convolution, its ReLU and a max pool: the convolution stores through the ReLU and the pool
    /// passes the gradient only where the ReLU did.
    @Test func aConvolutionReLUAndPoolEqualTheThreeLayers() {
        var g = SeededGenerator(seed: 12)
        let input = GradientCheckTests.randomTensor([5, 9, 11, 3], &g)
        var weights = SeededGenerator(seed: 13)
        let make = { (generator: inout SeededGenerator) in
            Conv2D(
                inChannels: 3, outChannels: 17, kernelSize: 3, stride: 1, padding: .same,
                generator: &generator)
        }
        let fused = make(&weights)
        weights = SeededGenerator(seed: 13)
        let separate = make(&weights)
        let (pool, relu, separatePool) = (MaxPool2D(), ReLU(), MaxPool2D())
        let network = Sequential([fused, ReLU(), pool])
        #expect(fused.reluInTraining && pool.gatesReLU && network.skips(1, training: true))
        let expected = separatePool.forward(
            relu.forward(separate.forward(input, training: true), training: true), training: true)
        let actual = network.forward(input, training: true)
        #expect(actual.scalars == expected.scalars, "output")
        #expect(
            actual.scalars.contains(0) && actual.scalars.contains { $0 > 0 }, "the ReLU clips some, not all")
        let dOutput = GradientCheckTests.randomTensor(actual.shape, &g)
        let expectedDConv = relu.backward(separatePool.backward(dOutput))
        _ = separate.backward(expectedDConv)
        network.backward(dOutput)
        #expect(pool.backward(dOutput).scalars == expectedDConv.scalars, "the gradient into the convolution")
        #expect(fused.weight.grad.scalars == separate.weight.grad.scalars, "dWeight")
        #expect(fused.bias.grad.scalars == separate.bias.grad.scalars, "dBias")
    }
}
