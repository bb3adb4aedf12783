import DoodleNN
import Foundation

/// One timing, with the same fields as torch_peer.py's JSON lines plus `engine`.
struct Measurement: Codable {
    var engine: String
    var what: String
    var arch: String
    var classes: Int
    var batch: Int
    var median_s: Double
    var images_per_s: Double?
    var threads: Int
    /// The architecture's nominal flops (`NetworkWork`) over the time, and that as a share of the
    /// kernel set's multiply-add peak on `threads` threads.
    var gflop_per_s: Double?
    var peak_percent: Double?
}

/// The median of `values` (the mean of the middle two of an even count); `values` is not empty.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

extension Measurement {
    /// One measurement per engine and `what`, whose time is the median of that measurement's times
    /// over `rounds`.
    static func medians(of rounds: [[Measurement]]) -> [Measurement] {
        guard let first = rounds.first else { return [] }
        return first.map { row in
            let times = rounds.joined().filter { $0.engine == row.engine && $0.what == row.what }
            var result = row
            result.median_s = median(times.map(\.median_s))
            if row.images_per_s != nil { result.images_per_s = Double(row.batch) / result.median_s }
            return result
        }
    }

    /// The time `engine` took in `round` for `row`'s architecture and measurement, if it ran it.
    static func time(_ engine: String, like row: Measurement, in round: [Measurement]) -> Double? {
        round.first { $0.engine == engine && $0.arch == row.arch && $0.what == row.what }?.median_s
    }
}

/// Times one architecture the way torch_peer.py times its PyTorch twin: same batch, same optimizer
/// (SGD, lr 0.01, momentum 0.9), random inputs in [0, 1), warm-up runs first, medians reported.
struct Benchmark {
    var spec: ArchitectureSpec
    var classes: Int

    func run(steps: Int, iters: Int) throws -> [Measurement] {
        var g = SeededGenerator(seed: 0)
        let net = try spec.build(classes: classes, generator: &g)
        let batch = 256
        let x = Tensor(
            shape: [batch, 28, 28, 1], scalars: (0..<(batch * 784)).map { _ in g.nextUnitFloat() })
        let labels = (0..<batch).map { _ in Int(g.next() % UInt64(classes)) }
        let optimizer = SGD(net.trainableParameters, learningRate: 0.01, momentum: 0.9)
        let loss = SoftmaxCrossEntropy()
        let train = Self.median(warmup: 3, runs: steps) {
            net.trainStep(x, labels: labels, loss: loss, optimizer: optimizer)
        }

        // Inference runs what `doodle serve` runs: the copy with batch norm folded into convolutions.
        let inference = net.inferenceCopy()
        let x1 = Tensor(shape: [1, 28, 28, 1], scalars: Array(x.scalars.prefix(784)))
        let infer1 = Self.median(warmup: 5, runs: iters) { _ = inference.forward(x1) }
        let inferBatch = Self.median(warmup: 5, runs: max(5, iters / 20)) { _ = inference.forward(x) }
        let threads = doodleThreadCount
        return [
            Measurement(
                engine: "doodle", what: "train_step", arch: spec.name, classes: classes, batch: batch,
                median_s: train, images_per_s: Double(batch) / train, threads: threads),
            Measurement(
                engine: "doodle", what: "infer_batch1", arch: spec.name, classes: classes, batch: 1,
                median_s: infer1, images_per_s: 1 / infer1, threads: threads),
            Measurement(
                engine: "doodle", what: "infer_batch256", arch: spec.name, classes: classes, batch: batch,
                median_s: inferBatch, images_per_s: Double(batch) / inferBatch, threads: threads),
        ]
    }

    /// The median time of each layer of an inference pass, in the order the layers run.
    static func profile(_ net: Sequential, input: Tensor, runs: Int) -> [(Int, any Layer, Double)] {
        var inputs: [Tensor] = []
        var x = input
        var skipped: Set<Int> = []
        // Record each layer's input from one real pass, skipping the ReLUs the previous layer fused.
        for (index, layer) in net.layers.enumerated() {
            inputs.append(x)
            if net.skips(index, training: false) { skipped.insert(index); continue }
            x = layer.forward(x, training: false)
        }
        return net.layers.enumerated().compactMap { index, layer in
            if skipped.contains(index) { return nil }
            let seconds = median(warmup: 5, runs: runs) { _ = layer.forward(inputs[index], training: false) }
            return (index, layer, seconds)
        }
    }

    /// The median forward and backward time of each layer in a training step at `input`'s batch size.
    static func trainingProfile(_ net: Sequential, input: Tensor, runs: Int) -> [(
        Int, any Layer, Double, Double
    )] {
        // The ReLUs the layer before applies in training are skipped, as a training step skips them.
        let run = net.layers.indices.filter { !net.skips($0, training: true) }
        var inputs: [Int: Tensor] = [:]
        var x = input
        for index in run {
            inputs[index] = x
            x = net.layers[index].forward(x, training: true)
        }
        var g = SeededGenerator(seed: 1)
        var gradients: [Int: Tensor] = [:]
        var d = Tensor(shape: x.shape, scalars: (0..<x.count).map { _ in g.nextNormal() * 0.01 })
        for index in run.reversed() {
            gradients[index] = d
            _ = net.layers[index].forward(inputs[index]!, training: true)
            d = net.layers[index].backward(d)
        }
        return run.map { index in
            let layer = net.layers[index]
            let forward = median(warmup: 1, runs: runs) { _ = layer.forward(inputs[index]!, training: true) }
            // A layer may let go of what its backward pass reads (a Winograd layer's input), so each
            // timed backward pass follows a forward pass of its own, not timed.
            let backward = median(
                warmup: 1, runs: runs, before: { _ = layer.forward(inputs[index]!, training: true) }
            ) {
                _ = layer.backward(gradients[index]!)
            }
            return (index, layer, forward, backward)
        }
    }

    /// The median time of `runs` calls of `body`, after `warmup` calls; `before` runs ahead of each
    /// call, untimed.
    static func median(warmup: Int, runs: Int, before: () -> Void = {}, _ body: () -> Void) -> Double {
        for _ in 0..<warmup {
            before()
            body()
        }
        var times: [Double] = []
        times.reserveCapacity(runs)
        for _ in 0..<runs {
            before()
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return doodle.median(times)
    }
}
