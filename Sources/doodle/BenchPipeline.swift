import ArgumentParser
import DoodleData
import DoodleNN
import DoodleTraining
import Foundation

extension Doodle.Bench {
    /// `bench --pipeline`: the engine's raw training step against the whole training loop, in one run.
    ///
    /// Each round times `steps` raw steps (random inputs and labels, nothing else), the preparation of
    /// `steps` batches alone (shuffled gather plus augmentation, no step), and `steps` steps of a real
    /// `Trainer` on the data, in an order that alternates between rounds so that a change in the
    /// machine's load falls on all three alike. The raw network and the trainer's have the same
    /// architecture, batch (256), loss and optimizer (AdamW, as `doodle train` uses by default).
    func runPipeline() throws {
        let spec = ArchitectureSpec.named[architectures[0]]!
        let arguments = try DatasetArguments.parse(folders.flatMap { ["--data", $0] })
        let (dataset, _) = try arguments.load()
        let train = dataset.splits.train
        let batch = 256
        let configuration = TrainingConfiguration(
            spec: spec, epochs: 12, batchSize: batch, learningRate: 0.003, weightDecay: 0.0001,
            augment: augment)
        // No validation set: an epoch boundary inside a round then costs what the loop itself costs.
        let trainer = try Trainer(
            configuration: configuration, train: train,
            validation: LabeledImages(classes: train.classes, pixels: [], labels: []),
            augmenter: augment ? Augmenter(drawings: dataset.drawings.train) : nil)
        let augmenter = augment ? Augmenter(drawings: dataset.drawings.train) : nil

        var g = SeededGenerator(seed: 1)
        let net = try spec.build(classes: train.classes.count, generator: &g)
        if let from {
            let weights = Dictionary(
                uniqueKeysWithValues: try Model(contentsOf: URL(fileURLWithPath: from)).network.stateDict()
                    .map {
                        ($0.name, $0.tensor)
                    })
            try net.load(stateDict: weights)
            try trainer.network.load(stateDict: weights)
        }
        let optimizer = AdamW(net.trainableParameters, learningRate: 0.003, weightDecay: 0.0001)
        let loss = SoftmaxCrossEntropy()
        let x = Tensor(
            shape: [batch, 28, 28, 1], scalars: (0..<(batch * 784)).map { _ in g.nextUnitFloat() })
        let labels = (0..<batch).map { _ in Int(g.next() % UInt64(train.classes.count)) }
        let order = Array(0..<train.count).shuffled(using: &g)
        var dataBatches = 0

        func rawSteps(_ n: Int) {
            for _ in 0..<n { net.trainStep(x, labels: labels, loss: loss, optimizer: optimizer) }
        }
        func dataOnly(_ n: Int) {
            for _ in 0..<n {
                let start = dataBatches * batch % (train.count - batch)
                _ = Batches.make(
                    order[start..<(start + batch)], of: train, augmenter: augmenter, seed: UInt64(dataBatches)
                )
                dataBatches += 1
            }
        }
        func loopSteps(_ n: Int, prefetch: Bool) throws {
            var left = n
            trainer.prefetch = prefetch
            trainer.shouldStop = {
                left -= 1
                return left < 0
            }
            try trainer.run()
        }
        // Warm-up: first-touch allocations, the worker threads, the caches.
        rawSteps(2)
        dataOnly(2)
        try loopSteps(2, prefetch: false)
        try loopSteps(2, prefetch: true)

        print(
            "\(spec.name), batch \(batch), \(train.count) training images\(augment ? ", augmented" : ""), "
                + "\(threads) threads; \(pipelineRounds) rounds of \(steps) steps each")
        let kinds = ["raw", "data", "sync", "prefetch"]
        var seconds = Dictionary(uniqueKeysWithValues: kinds.map { ($0, 0.0) })
        // Each round's ratios too: their median shrugs off a round the machine's other work hit.
        var roundRatios: [String: [Double]] = ["sync": [], "prefetch": []]
        for round in 1...pipelineRounds {
            var line: [String: Double] = [:]
            for kind in round % 2 == 1 ? kinds : kinds.reversed() {
                let start = DispatchTime.now().uptimeNanoseconds
                switch kind {
                case "raw": rawSteps(steps)
                case "data": dataOnly(steps)
                default: try loopSteps(steps, prefetch: kind == "prefetch")
                }
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                seconds[kind]! += elapsed
                line[kind] = Double(steps * batch) / elapsed
            }
            for kind in ["sync", "prefetch"] { roundRatios[kind]!.append(line[kind]! / line["raw"]!) }
            if !json {
                print(
                    String(
                        format:
                            "  round %d: raw %4.0f, batches alone %6.0f, loop %4.0f (%.2fx), prefetching %4.0f "
                            + "(%.2fx) images/s; rss %.0f MB, load %@", round, line["raw"]!, line["data"]!,
                        line["sync"]!, line["sync"]! / line["raw"]!, line["prefetch"]!,
                        line["prefetch"]! / line["raw"]!, Self.residentMegabytes(), Self.loadAverage()))
            }
        }
        let images = Double(pipelineRounds * steps * batch)
        let rate = seconds.mapValues { images / $0 }
        if json {
            let rows = [
                ("train_step", "raw"), ("batches", "data"), ("train_loop", "sync"),
                ("train_loop_prefetch", "prefetch"),
            ]
            for (what, kind) in rows {
                let m = Measurement(
                    engine: "doodle", what: what, arch: spec.name, classes: train.classes.count, batch: batch,
                    median_s: Double(batch) / rate[kind]!, images_per_s: rate[kind]!, threads: threads)
                print(String(decoding: try JSONEncoder().encode(m), as: UTF8.self))
            }
            for (what, kind) in rows.suffix(2) {
                print(
                    #"{"ratio": \#(rate[kind]! / rate["raw"]!), "arch": "\#(spec.name)", "what": "\#(what)", "versus": "train_step"}"#
                )
            }
        } else {
            print(String(format: "raw training step:       %6.0f images/s", rate["raw"]!))
            print(
                String(
                    format: "batches alone:           %6.0f images/s (shuffled gather, augmentation)",
                    rate["data"]!))
            print(
                String(
                    format: "training loop:           %6.0f images/s, %.2fx raw, round median %.2fx "
                        + "(batches made between steps)", rate["sync"]!, rate["sync"]! / rate["raw"]!,
                    median(roundRatios["sync"]!)))
            print(
                String(
                    format: "training loop, prefetch: %6.0f images/s, %.2fx raw, round median %.2fx "
                        + "(as doodle train runs)", rate["prefetch"]!, rate["prefetch"]! / rate["raw"]!,
                    median(roundRatios["prefetch"]!)))
            print("load \(Self.loadAverage())")
        }
    }

    /// The process's resident memory in MB (from /proc/self/statm), or 0 where there is none: if it
    /// grows from round to round, something in the loop keeps what it should let go.
    static func residentMegabytes() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = Double(text.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1e6
    }

    /// The first three fields of /proc/loadavg, or "?" where there is none.
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
