import ArgumentParser
import DoodleData
import Foundation

extension Doodle {
    /// Builds (or loads from the cache) a dataset and describes it.
    struct DatasetInfo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dataset",
            abstract: "Build or load a dataset and show its classes, splits and load time.",
            discussion: """
                Uses the same options as train and eval, so running it first fills the cache they
                read. --augment-speed also times the augmenter on one thread.
                """)

        @OptionGroup var dataset: DatasetArguments

        @Flag(help: "Time augmentation (images per second on one thread) of bitmap and stroke images.")
        var augmentSpeed = false

        func run() async throws {
            let start = Date()
            let (data, fromCache) = try dataset.load()
            let seconds = Date().timeIntervalSince(start)
            let splits = [
                ("train", data.splits.train), ("validation", data.splits.validation),
                ("test", data.splits.test),
            ]
            let classes = data.classes
            print(
                "\(classes.count) classes: \(classes.prefix(8).joined(separator: ", "))\(classes.count > 8 ? ", ..." : "")"
            )
            for (name, images) in splits {
                let counts = images.countsPerClass
                print("\(name): \(images.count) images, \(counts.min() ?? 0)-\(counts.max() ?? 0) per class")
            }
            let strokes = data.drawings.train.count { $0 != nil }
            print("training images from strokes: \(strokes) of \(data.splits.train.count)")
            print(String(format: "loaded in %.3f s (%@)", seconds, fromCache ? "from the cache" : "built"))
            if augmentSpeed { measureAugmentation(data) }
        }

        /// Prints augmentation throughput on one thread for bitmap-sourced and stroke-sourced images.
        func measureAugmentation(_ data: Dataset) {
            let train = data.splits.train
            let augmenter = Augmenter(drawings: data.drawings.train)
            let kinds = [
                (
                    "bitmap",
                    (0..<train.count).filter { data.drawings.train.isEmpty || data.drawings.train[$0] == nil }
                ),
                (
                    "strokes",
                    (0..<train.count).filter {
                        !data.drawings.train.isEmpty && data.drawings.train[$0] != nil
                    }
                ),
            ]
            var output = [UInt8](repeating: 0, count: train.side * train.side)
            for (kind, indices) in kinds where !indices.isEmpty {
                var generator = SplitMix64(seed: 1)
                let count = min(indices.count, kind == "bitmap" ? 100_000 : 20_000)
                let start = Date()
                output.withUnsafeMutableBufferPointer { buffer in
                    for i in 0..<count {
                        augmenter.augment(
                            indices[i % indices.count], of: train, into: buffer, generator: &generator)
                    }
                }
                let rate = Double(count) / Date().timeIntervalSince(start)
                print(String(format: "augmentation, %@ images: %.0f images/s on one thread", kind, rate))
            }
        }
    }
}
