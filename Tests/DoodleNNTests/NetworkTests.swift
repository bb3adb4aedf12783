import DoodleNN
import Foundation
import TestSupport
import Testing

@Suite struct NetworkTests {
    @Test(arguments: ["small", "medium", "mnist", "deep", "compact"])
    func namedArchitecturesBuildWithPeerShapes(name: String) throws {
        var g = SeededGenerator(seed: 0)
        let spec = try #require(ArchitectureSpec.named[name])
        let net = try spec.build(classes: 10, generator: &g)
        #expect(net.outputShape(for: [3, 28, 28, 1]) == [3, 10])
        let expected: [String: Int] = [
            // Counted from torch_peer.py's nn.Sequential with 10 classes.
            "small": 320 + 18_496 + 73_856 + 295_168 + 2_570,
            "medium": 640 + 73_856 + 295_168 + 1_180_160 + 5_130,
            "mnist": 320 + 18_496 + 16_010,
            // small's, plus two batch-norm parameters per channel.
            "compact": 320 + 18_496 + 73_856 + 295_168 + 2_570 + 2 * (32 + 64 + 128),
        ]
        if let count = expected[name] { #expect(net.parameterCount == count) }
    }

    @Test func stateDictKeysFollowPyTorchIndices() throws {
        var g = SeededGenerator(seed: 0)
        let net = try ArchitectureSpec.small.build(classes: 5, generator: &g)
        #expect(
            net.namedParameters.map(\.name) == [
                "0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias", "10.weight", "10.bias",
                "12.weight", "12.bias",
            ])
    }

    @Test func specRoundTripsThroughJSON() throws {
        let data = try JSONEncoder().encode(ArchitectureSpec.deep)
        #expect(try JSONDecoder().decode(ArchitectureSpec.self, from: data) == ArchitectureSpec.deep)
    }

    @Test func aSpecWithoutInputIsFor28By28GreyImages() throws {
        let json = #"{"name": "tiny", "layers": [{"type": "flatten"}, {"type": "linear", "units": 4}]}"#
        let spec = try JSONDecoder().decode(ArchitectureSpec.self, from: Data(json.utf8))
        #expect(spec.input == [28, 28, 1])
        var g = SeededGenerator(seed: 0)
        #expect(try spec.build(classes: 4, generator: &g).outputShape(for: [2, 28, 28, 1]) == [2, 4])
    }

    @Test func badSpecsAreNamedErrors() {
        var g = SeededGenerator(seed: 0)
        let unknown = ArchitectureSpec(name: "x", layers: [.init("wobble")])
        #expect(throws: ArchitectureError.self) { try unknown.build(classes: 3, generator: &g) }
        let noFlatten = ArchitectureSpec(
            name: "x", layers: [.init("conv", filters: 4), .init("linear", units: .classes)])
        do {
            _ = try noFlatten.build(classes: 3, generator: &g)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("layer 1 (linear)"))
        }
    }

    @Test func sameSeedSameWeights() throws {
        var g1 = SeededGenerator(seed: 42)
        var g2 = SeededGenerator(seed: 42)
        let a = try ArchitectureSpec.mnist.build(classes: 10, generator: &g1)
        let b = try ArchitectureSpec.mnist.build(classes: 10, generator: &g2)
        #expect(a.namedParameters.map(\.parameter.value) == b.namedParameters.map(\.parameter.value))
    }

    /// A small net must drive the loss on one fixed batch to zero and classify it perfectly.
    @Test(arguments: ["sgd", "adamw"])
    func overfitsASmallBatch(optimizerName: String) throws {
        var g = SeededGenerator(seed: 3)
        let spec = ArchitectureSpec(
            name: "tiny",
            layers: [
                .init("conv", filters: 8, kernel: 3), .init("batchnorm"), .init("relu"), .init("maxpool"),
                .init("conv", filters: 8, kernel: 3, stride: 2, padding: "1"), .init("relu"),
                .init("globalavgpool"), .init("linear", units: .classes),
            ])
        let net = try spec.build(classes: 4, generator: &g)
        let batch = 16
        let input = Tensor(
            shape: [batch, 28, 28, 1], scalars: (0..<(batch * 784)).map { _ in g.nextUnitFloat() })
        let labels = (0..<batch).map { $0 % 4 }
        let optimizer: any Optimizer =
            optimizerName == "sgd"
            ? SGD(net.trainableParameters, learningRate: 0.05, momentum: 0.9)
            : AdamW(net.trainableParameters, learningRate: 0.01, weightDecay: 0)
        let loss = SoftmaxCrossEntropy()
        var last: Float = .infinity
        for _ in 0..<300 {
            let (value, dLogits) = loss(net.forward(input, training: true), labels: labels)
            net.backward(dLogits)
            optimizer.step()
            last = value
        }
        #expect(last < 0.05)
        // Batch norm in inference mode uses running statistics: train mode is what was fitted.
        let logits = net.forward(input, training: true)
        let predicted = (0..<batch).map { i in
            (0..<4).max { logits[flat: i * 4 + $0] < logits[flat: i * 4 + $1] }!
        }
        #expect(predicted == labels)
    }

    @Test func inferenceFusesReLUWithoutChangingResults() throws {
        var g = SeededGenerator(seed: 9)
        let net = try ArchitectureSpec.small.build(classes: 7, generator: &g)
        let input = Tensor(shape: [2, 28, 28, 1], scalars: (0..<(2 * 784)).map { _ in g.nextUnitFloat() })
        let fused = net.forward(input, training: false)
        let unfused = net.forward(input, training: true)
        #expect(fused.shape == [2, 7])
        for i in 0..<fused.count { #expect(abs(fused[flat: i] - unfused[flat: i]) < 1e-4) }
    }
}

@Suite struct InferenceCopyTests {
    /// Batch 37 spreads over several tasks per thread, and leaves each kernel a short last panel.
    @Test(arguments: ["deep", "small", "mnist", "compact"], [5, 37])
    func foldedCopyGivesTheSameLogits(arch: String, batch: Int) throws {
        var g = SeededGenerator(seed: 4)
        let net = try ArchitectureSpec.named[arch]!.build(classes: 9, generator: &g)
        let x = Tensor(
            shape: [batch, 28, 28, 1], scalars: (0..<(batch * 784)).map { _ in g.nextUnitFloat() })
        // Train-mode passes give batch norm non-trivial running statistics to fold.
        for _ in 0..<3 { _ = net.forward(x, training: true) }
        let copy = net.inferenceCopy()
        if arch == "deep" || arch == "compact" {
            #expect(!copy.layers.contains { $0 is BatchNorm2D || $0 is Dropout })
        }
        let expected = net.forward(x).scalars
        let actual = copy.forward(x).scalars
        #expect(mismatch(actual, expected, rtol: 1e-4, atol: 1e-4) == nil)
        // A server copies its inference copy for each thread: a copy of a copy is the same network.
        #expect(mismatch(copy.inferenceCopy().forward(x).scalars, expected, rtol: 1e-4, atol: 1e-4) == nil)
    }
}
