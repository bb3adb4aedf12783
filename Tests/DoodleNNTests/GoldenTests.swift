import DoodleNN
import Foundation
import TestSupport
import Testing

/// Every layer, loss, optimizer and schedule against PyTorch's values for the same inputs
/// (fixtures from `Scripts/make_nn_fixtures.py`; layouts converted from NCHW to NHWC here).
@Suite struct GoldenTests {
    static func fixtureNames(_ prefix: String) -> [String] {
        let folder = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".safetensors") }
            .map { String($0.dropLast(".safetensors".count)) }.sorted()
    }

    struct Case: Decodable {
        var kernel_size: Int?
        var stride: Int?
        var padding: Int?
        var in_channels: Int?
        var out_channels: Int?
        var in_features: Int?
        var out_features: Int?
        var channels: Int?
        var label_smoothing: Float?
    }

    static func metadata(_ file: SafeTensors) throws -> Case {
        try JSONDecoder().decode(Case.self, from: Data(try #require(file.metadata["case"]).utf8))
    }

    /// (N, C, H, W) -> (N, H, W, C); other ranks unchanged.
    static func nhwc(_ t: Tensor) -> Tensor {
        guard t.shape.count == 4 else { return t }
        let (n, c, h, w) = (t.shape[0], t.shape[1], t.shape[2], t.shape[3])
        var out = [Float](repeating: 0, count: t.count)
        for i in 0..<n {
            for ch in 0..<c {
                for y in 0..<h {
                    for x in 0..<w {
                        out[((i * h + y) * w + x) * c + ch] = t[flat: ((i * c + ch) * h + y) * w + x]
                    }
                }
            }
        }
        return Tensor(shape: [n, h, w, c], scalars: out)
    }

    static func expectClose(
        _ actual: Tensor, _ expected: Tensor, _ what: String, rtol: Float = 1e-4, atol: Float = 1e-5,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(actual.shape == expected.shape, "\(what) shape", sourceLocation: sourceLocation)
        if let problem = mismatch(actual.scalars, expected.scalars, rtol: rtol, atol: atol) {
            Issue.record("\(what): \(problem)", sourceLocation: sourceLocation)
        }
    }

    /// Runs forward and backward in training mode and compares output, dInput and parameter gradients.
    static func checkLayer(_ layer: any Layer, _ file: SafeTensors, conv: Bool = false) throws {
        let output = layer.forward(nhwc(try file.tensor("input")), training: true)
        expectClose(output, nhwc(try file.tensor("output")), "\(file.source) output")
        let dInput = layer.backward(nhwc(try file.tensor("dOutput")))
        expectClose(dInput, nhwc(try file.tensor("dInput")), "\(file.source) dInput")
        if let weight = layer.parameters.first(where: { $0.name == "weight" }) {
            // The stateDict conversion gives PyTorch's layout for the conv weight gradient as well.
            let grad =
                conv
                ? Sequential([layerWithWeight(weight.grad, like: layer)]).stateDict()[0].tensor : weight.grad
            expectClose(grad, try file.tensor("dWeight"), "\(file.source) dWeight")
            expectClose(layer.parameters[1].grad, try file.tensor("dBias"), "\(file.source) dBias")
        }
    }

    /// A throwaway conv layer holding `value` as its weight, to reuse the layout conversion.
    static func layerWithWeight(_ value: Tensor, like layer: any Layer) -> any Layer {
        let conv = layer as! Conv2D
        var g = SeededGenerator(seed: 0)
        let copy = Conv2D(
            inChannels: conv.inChannels, outChannels: conv.outChannels, kernelSize: conv.kernelSize,
            stride: conv.stride, padding: conv.padding, generator: &g)
        copy.weight.value = value
        return copy
    }

    @Test(arguments: fixtureNames("conv2d_"))
    func conv2D(name: String) throws {
        let file = try fixture(name)
        let c = try Self.metadata(file)
        let (k, stride, pad) = (c.kernel_size!, c.stride!, c.padding!)
        let padding: Padding =
            pad == 0 ? .valid : (stride == 1 && pad == (k - 1) / 2 ? .same : .explicit(pad))
        var g = SeededGenerator(seed: 0)
        let conv = Conv2D(
            inChannels: c.in_channels!, outChannels: c.out_channels!, kernelSize: k, stride: stride,
            padding: padding, generator: &g)
        let net = Sequential([conv])
        conv.needsInputGradient = true
        try net.load(stateDict: ["0.weight": try file.tensor("weight"), "0.bias": try file.tensor("bias")])
        try Self.checkLayer(conv, file, conv: true)
    }

    @Test func linear() throws {
        let file = try fixture("linear_b7_in20_out5")
        var g = SeededGenerator(seed: 0)
        let layer = Linear(inFeatures: 20, outFeatures: 5, generator: &g)
        layer.weight.value = try file.tensor("weight")
        layer.bias.value = try file.tensor("bias")
        try Self.checkLayer(layer, file)
    }

    @Test(arguments: fixtureNames("maxpool2d_") + fixtureNames("avgpool2d_") + fixtureNames("global_avgpool"))
    func pooling(name: String) throws {
        let file = try fixture(name)
        let layer: any Layer
        if name.hasPrefix("max") {
            layer = MaxPool2D(size: 2)
        } else if name.hasPrefix("avg") {
            layer = AvgPool2D(size: 2)
        } else {
            layer = GlobalAvgPool2D()
        }
        if name.hasPrefix("global") {
            // PyTorch's AdaptiveAvgPool2d(1) keeps (N, C, 1, 1); ours gives (N, C).
            let out = layer.forward(Self.nhwc(try file.tensor("input")), training: true)
            let expected = try file.tensor("output")
            Self.expectClose(out, expected.reshaped([expected.shape[0], expected.shape[1]]), "output")
            let dOut = try file.tensor("dOutput")
            let dIn = layer.backward(dOut.reshaped([dOut.shape[0], dOut.shape[1]]))
            Self.expectClose(dIn, Self.nhwc(try file.tensor("dInput")), "dInput")
        } else {
            try Self.checkLayer(layer, file)
        }
    }

    @Test(arguments: ["relu_b4_c3_5x7", "dropout_eval_b4_c3_5x7", "flatten_b2_c3_4x5"])
    func parameterless(name: String) throws {
        let file = try fixture(name)
        if name.hasPrefix("dropout") {
            let layer = Dropout(rate: 0.5)
            let input = Self.nhwc(try file.tensor("input"))
            Self.expectClose(
                layer.forward(input, training: false), Self.nhwc(try file.tensor("output")), "output")
        } else if name.hasPrefix("relu") {
            try Self.checkLayer(ReLU(), file)
        } else {
            // Flatten's output is flat in NCHW order already: compare it as PyTorch gives it.
            let layer = Flatten()
            Self.expectClose(
                layer.forward(Self.nhwc(try file.tensor("input")), training: true), try file.tensor("output"),
                "output")
            Self.expectClose(
                layer.backward(try file.tensor("dOutput")), Self.nhwc(try file.tensor("dInput")), "dInput")
        }
    }

    @Test(arguments: ["train", "eval"])
    func batchNorm(mode: String) throws {
        let file = try fixture("batchnorm2d_\(mode)_b7_c3_5x7")
        let layer = BatchNorm2D(channels: 3)
        layer.weight.value = try file.tensor("weight")
        layer.bias.value = try file.tensor("bias")
        layer.runningMean.value = try file.tensor("running_mean")
        layer.runningVariance.value = try file.tensor("running_var")
        let training = mode == "train"
        Self.expectClose(
            layer.forward(Self.nhwc(try file.tensor("input")), training: training),
            Self.nhwc(try file.tensor("output")),
            "output")
        Self.expectClose(layer.runningMean.value, try file.tensor("running_mean_updated"), "running mean")
        Self.expectClose(
            layer.runningVariance.value, try file.tensor("running_var_updated"), "running variance")
        if training {
            Self.expectClose(
                layer.backward(Self.nhwc(try file.tensor("dOutput"))), Self.nhwc(try file.tensor("dInput")),
                "dInput")
            Self.expectClose(layer.weight.grad, try file.tensor("dWeight"), "dWeight")
            Self.expectClose(layer.bias.grad, try file.tensor("dBias"), "dBias")
        }
    }

    @Test(arguments: ["cross_entropy_b7_c5", "cross_entropy_b7_c5_smooth0.1"])
    func crossEntropy(name: String) throws {
        let file = try fixture(name)
        let loss = SoftmaxCrossEntropy(labelSmoothing: try Self.metadata(file).label_smoothing ?? 0)
        let labels = try file.tensor("targets").scalars.map { Int($0) }
        let (value, dLogits) = loss(try file.tensor("logits"), labels: labels)
        #expect(abs(value - (try file.tensor("loss"))[flat: 0]) < 1e-5)
        Self.expectClose(dLogits, try file.tensor("dLogits"), "dLogits")
    }

    @Test func softmaxMatches() throws {
        let file = try fixture("softmax_b7_c5")
        Self.expectClose(softmax(try file.tensor("input")), try file.tensor("output"), "softmax")
    }

    @Test(arguments: ["sgd_momentum", "sgd_nesterov", "adamw"])
    func optimizer(name: String) throws {
        let file = try fixture(name)
        let p = Parameter("weight", try file.tensor("param_0"))
        let optimizer: any Optimizer =
            name == "adamw"
            ? AdamW([p], learningRate: 1e-3, weightDecay: 1e-2)
            : SGD([p], learningRate: 0.01, momentum: 0.9, nesterov: name == "sgd_nesterov", weightDecay: 1e-4)
        for step in 1...3 {
            p.grad = try file.tensor("grad_\(step)")
            optimizer.step()
            Self.expectClose(
                p.value, try file.tensor("param_\(step)"), "\(name) step \(step)", rtol: 1e-5, atol: 1e-7)
        }
    }

    @Test func schedules() throws {
        let file = try fixture("lr_schedules")
        let oneCycle = OneCycleSchedule(maxRate: 0.003, totalSteps: 50)
        let cosine = CosineSchedule(baseRate: 0.1, totalSteps: 50)
        let step = StepSchedule(baseRate: 0.1, stepSize: 10, gamma: 0.5)
        let warmup = WarmupSchedule(warmupSteps: 10, startFactor: 0.1, then: ConstantSchedule(0.1))
        func series(_ f: (Int) -> Float) -> Tensor { Tensor(shape: [50], scalars: (0..<50).map(f)) }
        Self.expectClose(
            series { oneCycle.learningRate(at: $0) }, try file.tensor("one_cycle_lr"), "one-cycle lr")
        Self.expectClose(
            series { oneCycle.momentum(at: $0)! }, try file.tensor("one_cycle_momentum"), "one-cycle momentum"
        )
        Self.expectClose(series { cosine.learningRate(at: $0) }, try file.tensor("cosine"), "cosine")
        Self.expectClose(series { step.learningRate(at: $0) }, try file.tensor("step"), "step")
        Self.expectClose(series { warmup.learningRate(at: $0) }, try file.tensor("linear_warmup"), "warm-up")
    }

    /// A PyTorch `state_dict` of torch_peer.py's `mnist` model loads and gives PyTorch's logits.
    @Test func pytorchModelLoadsWithSameOutputs() throws {
        let model = try fixture("mnist_model")
        let io = try fixture("mnist_io")
        var g = SeededGenerator(seed: 0)
        let net = try ArchitectureSpec.mnist.build(classes: 10, generator: &g)
        try net.load(stateDict: Dictionary(uniqueKeysWithValues: model.entries.map { ($0.name, $0.tensor) }))
        let logits = net.forward(Self.nhwc(try io.tensor("input")))
        Self.expectClose(logits, try io.tensor("logits"), "mnist logits", rtol: 1e-4, atol: 1e-4)
    }
}

extension SafeTensors {
    /// A fixture tensor whatever its shape (the tests compare shapes themselves).
    fileprivate func tensor(_ name: String) throws -> Tensor {
        try #require(self[name], "\(source) has no tensor \(name)").tensor
    }
}
