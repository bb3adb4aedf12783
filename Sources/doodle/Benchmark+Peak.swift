import DoodleNN
import Foundation

/// How fast the chosen kernel set can multiply-add at all on this machine: its limit, which every
/// kernel figure is printed against.
struct MultiplyAddPeak {
    /// The set measured.
    var kernels: String
    /// GFLOP/s on one thread, and on `threads` threads at once.
    var oneThread, allThreads: Double
    var threads: Int

    /// Times the set's loop of 12 independent vector multiply-adds (`KernelSet.multiplyAddLoop`),
    /// about 50 ms a run, on one thread and then on `threads` threads at once; medians of 5 runs.
    static func measure(_ kernels: KernelSet, threads: Int) -> MultiplyAddPeak {
        let iterations = 10_000_000
        let flops = Double(iterations * 24 * kernels.vectorWidth)
        let loop = kernels.multiplyAddLoop
        var sink: Float = 0
        let one = Benchmark.median(warmup: 1, runs: 5) { sink += loop(iterations) }
        let sums = UnsafeMutableBufferPointer<Float>.allocate(capacity: threads)
        defer { sums.deallocate() }
        let out = SendablePointer(sums.baseAddress!)
        let all = Benchmark.median(warmup: 1, runs: 5) {
            parallelFor(threads) { t in out.base[t] = loop(iterations) }
        }
        sink += sums.reduce(0, +)
        // The loop's values stay bounded and finite; checking them keeps the work observable.
        precondition(sink.isFinite, "the multiply-add loop overflowed")
        return MultiplyAddPeak(
            kernels: kernels.name, oneThread: flops / one / 1e9,
            allThreads: Double(threads) * flops / all / 1e9,
            threads: threads)
    }
}

/// The work of a network: the multiply-adds of its convolutions and linear layers (the rest is
/// memory traffic), counted as 2 flops each.
struct NetworkWork {
    /// Flops of one image's inference, and of one image's training step: the forward pass, dWeight
    /// and, for every layer but the first, dInput, each as much as the forward product.
    var inference, training: Double

    /// The nominal work of `net` (built for training, so with its pools as layers) on one 28×28 image.
    init(_ net: Sequential, input: [Int] = [1, 28, 28, 1]) {
        var shape = input
        var (inference, training) = (0.0, 0.0)
        for layer in net.layers {
            let output = layer.outputShape(for: shape)
            var multiplyAdds = 0
            if let conv = layer as? Conv2D {
                multiplyAdds =
                    output.dropFirst().reduce(1, *) * conv.kernelSize * conv.kernelSize * conv.inChannels
            } else if let linear = layer as? Linear {
                multiplyAdds = linear.inFeatures * linear.outFeatures
            }
            inference += 2 * Double(multiplyAdds)
            training += 2 * Double(multiplyAdds) * (layer.needsInputGradient ? 3 : 2)
            shape = output
        }
        (self.inference, self.training) = (inference, training)
    }

    /// The flops of `what` (`train_step`, `infer_batch1`, `infer_batch256`) for `batch` images.
    func flops(_ what: String, batch: Int) -> Double {
        Double(batch) * (what == "train_step" ? training : inference)
    }
}
