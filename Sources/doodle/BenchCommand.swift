import ArgumentParser
import DoodleNN
import Foundation

extension Doodle {
    /// Measures the engine's training and inference speed, optionally beside PyTorch and ONNX Runtime.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure training and inference speed of the named architectures.",
            discussion: """
                For each architecture: training throughput (forward, backward and SGD step at batch 256),
                batch-1 inference latency (median) and batch-256 inference throughput. With --peer, runs
                ../shared/peers/torch_peer.py in the same run, alternating with Doodle, and prints the
                ratios (above 1: Doodle is faster). With --peer and --rounds N, each architecture is timed
                N times, Doodle then the peer, and the ratios compare each side's median over the rounds:
                on a shared machine one round can land in someone else's burst of load.

                With --pipeline and --data, instead compares in one run, in alternating rounds, the engine's
                raw training step (random tensors) with the real training loop on the data (shuffling,
                gathering, augmentation, the step and its bookkeeping), for the first architecture of
                --arch at batch 256 with the optimizer `doodle train` uses, and prints both images/s and
                their ratio.
                """)

        @Option(help: "Comma-separated architectures: small, medium, mnist, deep, compact.")
        var arch = "small,medium,mnist,deep"

        @Option(help: "Number of classes (mnist always uses 10).")
        var classes = 100

        @Option(help: "Threads for Doodle and the peer.")
        var threads = ProcessInfo.processInfo.activeProcessorCount

        @Option(help: "Training steps to time.")
        var steps = 20

        @Option(help: "Batch-1 inferences to time.")
        var iters = 300

        @Flag(help: "Print one JSON object per measurement, as torch_peer.py does.")
        var json = false

        @Flag(help: "Also print where batch-1 inference spends its time, layer by layer.")
        var profile = false

        @Option(help: "A Python with torch (and onnxruntime) to run the peer beside Doodle.")
        var peer: String?

        @Option(help: "The peer script.")
        var peerScript = "../shared/peers/torch_peer.py"

        @Flag(help: "Compare the raw training step with the whole training loop on --data (see above).")
        var pipeline = false

        @Option(
            name: .customLong("data"),
            help: ArgumentHelp(
                "--pipeline: a dataset folder, as for train; repeat for more.", valueName: "dir"))
        var folders: [String] = []

        @Flag(
            inversion: .prefixedNo,
            help: "--pipeline: augment the training images, as train --augment does.")
        var augment = true

        @Option(
            help: """
                --peer: rounds of Doodle then the peer per architecture (default 1); --pipeline: rounds \
                of --steps raw steps and --steps training-loop steps (default 5).
                """)
        var rounds: Int?

        /// Rounds of Doodle then the peer per architecture: 1 unless --rounds says.
        var peerRounds: Int { rounds ?? 1 }

        /// Rounds of the --pipeline comparison: 5 unless --rounds says.
        var pipelineRounds: Int { rounds ?? 5 }

        @Option(help: "--pipeline: start both networks from this model's weights (say, a trained one).")
        var from: String?

        func validate() throws {
            for name in architectures where ArchitectureSpec.named[name] == nil {
                throw ValidationError(
                    "unknown architecture '\(name)'; known: \(ArchitectureSpec.named.keys.sorted().joined(separator: ", "))"
                )
            }
            guard classes > 0, threads > 0, steps > 0, iters > 0 else {
                throw ValidationError("--classes, --threads, --steps and --iters must be positive")
            }
            if let rounds, rounds < 1 { throw ValidationError("--rounds must be positive") }
            if pipeline && folders.isEmpty {
                throw ValidationError("--pipeline needs at least one --data folder")
            }
            if peer != nil && !FileManager.default.fileExists(atPath: peerScript) {
                throw ValidationError("peer script not found at \(peerScript) (set --peer-script)")
            }
        }

        var architectures: [String] {
            arch.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }

        func run() async throws {
            doodleThreadCount = threads
            let kernels = try KernelSet.choose(ProcessInfo.processInfo.environment["DOODLE_ISA"])
            if pipeline { return try runPipeline() }
            let forced = ProcessInfo.processInfo.environment["DOODLE_ISA"].map { "DOODLE_ISA=\($0)" }
            print(
                "kernels: \(kernels) (\(forced ?? "the best this CPU runs"); it runs "
                    + "\(KernelSet.runnable.map(\.name).joined(separator: ", ")))")
            let peak = MultiplyAddPeak.measure(kernels, threads: threads)
            print(
                String(
                    format:
                        "multiply-add peak of %@ (12 independent accumulators): 1 thread %.0f GFLOP/s, %d threads %.0f GFLOP/s",
                    kernels.name, peak.oneThread, threads, peak.allThreads))
            var rows: [Measurement] = []
            // Every round's measurements, Doodle's and the peer's of that round side by side.
            var allRounds: [[Measurement]] = []
            var works: [String: NetworkWork] = [:]
            for name in architectures {
                let n = name == "mnist" ? 10 : classes
                var g = SeededGenerator(seed: 0)
                let work = NetworkWork(try ArchitectureSpec.named[name]!.build(classes: n, generator: &g))
                works[name] = work
                let report = { (m: Measurement) in self.report(m, work: work, peak: peak) }
                var rounds: [[Measurement]] = []
                for _ in 0..<(peer == nil ? 1 : peerRounds) {
                    var round = try Benchmark(spec: ArchitectureSpec.named[name]!, classes: n).run(
                        steps: steps, iters: iters)
                    round.forEach(report)
                    // The peer has only the seed architectures: small, medium and mnist.
                    if let peer, ["small", "medium", "mnist"].contains(name) {
                        let theirs = try runPeer(python: peer, arch: name, classes: n)
                        theirs.forEach(report)
                        round += theirs
                    }
                    rounds.append(round)
                }
                rows += Measurement.medians(of: rounds)
                allRounds += rounds
                if profile { try printProfile(ArchitectureSpec.named[name]!, classes: n) }
            }
            if peer != nil {
                if peerRounds > 1 {
                    print("\nmedians of \(peerRounds) rounds:")
                    for row in rows { report(row, work: works[row.arch]!, peak: peak) }
                }
                printRatios(rows, rounds: allRounds)
            }
        }

        func printProfile(_ spec: ArchitectureSpec, classes: Int) throws {
            var g = SeededGenerator(seed: 0)
            let net = try spec.build(classes: classes, generator: &g).inferenceCopy()
            let x = Tensor(shape: [1, 28, 28, 1], scalars: (0..<784).map { _ in g.nextUnitFloat() })
            print("  batch-1 inference, per layer:")
            for (index, layer, seconds) in Benchmark.profile(net, input: x, runs: iters) {
                print(String(format: "    %2d %-16@ %8.2f µs", index, "\(type(of: layer))", seconds * 1e6))
            }
            var g2 = SeededGenerator(seed: 0)
            let training = try spec.build(classes: classes, generator: &g2)
            let batch = Tensor(
                shape: [256, 28, 28, 1], scalars: (0..<(256 * 784)).map { _ in g2.nextUnitFloat() })
            print("  batch-256 inference, per layer:")
            for (index, layer, seconds) in Benchmark.profile(net, input: batch, runs: max(5, steps)) {
                print(String(format: "    %2d %-16@ %8.2f ms", index, "\(type(of: layer))", seconds * 1e3))
            }
            print("  training at batch 256, per layer (forward, backward):")
            for (index, layer, forward, backward) in Benchmark.trainingProfile(
                training, input: batch, runs: max(3, steps / 2))
            {
                print(
                    String(
                        format: "    %2d %-16@ %8.2f ms %8.2f ms", index, "\(type(of: layer))", forward * 1e3,
                        backward * 1e3))
            }
        }

        /// Prints one measurement, with its work's rate in GFLOP/s and as a share of `peak` on the
        /// bench's threads (the same nominal work for Doodle and the peer).
        func report(_ m: Measurement, work: NetworkWork, peak: MultiplyAddPeak) {
            var m = m
            let gflops = work.flops(m.what, batch: m.batch) / m.median_s / 1e9
            (m.gflop_per_s, m.peak_percent) = (gflops, 100 * gflops / peak.allThreads)
            if json {
                let data = try! JSONEncoder().encode(m)
                print(String(decoding: data, as: UTF8.self))
            } else {
                let rate =
                    m.images_per_s.map { String(format: "%10.0f images/s", $0) }
                    ?? String(repeating: " ", count: 19)
                print(
                    "\(m.engine.padding(toLength: 12, withPad: " ", startingAt: 0)) \(m.arch.padding(toLength: 7, withPad: " ", startingAt: 0)) "
                        + "\(m.what.padding(toLength: 15, withPad: " ", startingAt: 0)) \(String(format: "%9.3f ms", m.median_s * 1000))  \(rate)"
                        + String(
                            format: "  %6.1f GFLOP/s %5.1f%% of peak", gflops, 100 * gflops / peak.allThreads)
                )
            }
        }

        func runPeer(python: String, arch: String, classes: Int) throws -> [Measurement] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [
                peerScript, "--arch", arch, "--classes", "\(classes)", "--threads", "\(threads)",
                "--steps", "\(steps)", "--iters", "\(iters)",
            ]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.standardError
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ValidationError("the peer exited with status \(process.terminationStatus)")
            }
            return String(decoding: output, as: UTF8.self).split(separator: "\n").compactMap { line in
                guard let peerRow = try? JSONDecoder().decode(PeerRow.self, from: Data(line.utf8)) else {
                    return nil
                }
                return Measurement(
                    engine: peerRow.peer, what: peerRow.what, arch: peerRow.arch, classes: peerRow.classes,
                    batch: peerRow.batch ?? (peerRow.what == "infer_batch1" ? 1 : 256),
                    median_s: peerRow.median_s,
                    images_per_s: peerRow.images_per_s, threads: threads)
            }
        }

        /// Peer time ÷ Doodle time for each measurement: above 1, Doodle is faster. With several rounds,
        /// also the lowest and highest ratio of one round, Doodle's time against the peer's right after
        /// it: how far the machine moved while they ran.
        func printRatios(_ rows: [Measurement], rounds: [[Measurement]]) {
            let over = peerRounds > 1 ? ", medians of \(peerRounds) rounds" : ""
            print("\nratios (peer time / Doodle time; above 1 means Doodle is faster\(over)):")
            for ours in rows where ours.engine == "doodle" {
                for theirs in rows
                where theirs.engine != "doodle" && theirs.arch == ours.arch && theirs.what == ours.what {
                    let ratio = theirs.median_s / ours.median_s
                    let perRound = rounds.compactMap { round -> Double? in
                        guard let peer = Measurement.time(theirs.engine, like: ours, in: round),
                            let mine = Measurement.time("doodle", like: ours, in: round)
                        else { return nil }
                        return peer / mine
                    }
                    if json {
                        print(
                            #"{"ratio": \#(ratio), "arch": "\#(ours.arch)", "what": "\#(ours.what)", "versus": "\#(theirs.engine)", "round_ratios": \#(perRound)}"#
                        )
                    } else {
                        let spread =
                            perRound.count > 1
                            ? String(format: " (rounds %.2f-%.2fx)", perRound.min()!, perRound.max()!) : ""
                        print(
                            "  \(ours.arch.padding(toLength: 7, withPad: " ", startingAt: 0)) \(ours.what.padding(toLength: 15, withPad: " ", startingAt: 0)) vs \(theirs.engine.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(format: "%.2f", ratio))x\(spread)"
                        )
                    }
                }
            }
        }
    }
}

/// One line of torch_peer.py's output.
private struct PeerRow: Decodable {
    var peer: String
    var what: String
    var arch: String
    var classes: Int
    var batch: Int?
    var median_s: Double
    var images_per_s: Double?
}
