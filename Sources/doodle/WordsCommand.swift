import ArgumentParser
import DoodleData
import DoodleNN
import DoodleStore
import DoodleTraining
import Foundation

extension Doodle {
    /// Words taught from a few drawings: how well teaching works.
    struct Words: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Words taught to a model from a few drawings: list, forget, and measure teaching.",
            subcommands: [List.self, Forget.self, Eval.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List the words players taught, by model, with how many drawings each.")

            @OptionGroup var options: DrawingStoreOptions

            @Option(help: "Only the words of this model.")
            var model: String?

            func run() async throws {
                let words = try await options.open().taughtWords(model: model)
                guard !words.isEmpty else {
                    print("no taught words in \(options.path)")
                    return
                }
                let formatter = ISO8601DateFormatter()
                for word in words {
                    print(
                        "\(word.model)\t\(word.label)\t\(word.drawings.count) drawings\ttaught \(formatter.string(from: word.createdAt))"
                    )
                }
            }
        }

        struct Forget: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Forget a taught word (its drawings stay in the store).",
                discussion:
                    "A running server forgets it at its next start, or at once with DELETE /api/words/MODEL/WORD."
            )

            @OptionGroup var options: DrawingStoreOptions

            @Option(help: "The model the word was taught to.")
            var model = "doodles"

            @Argument(help: "The word.")
            var word: String

            func run() async throws {
                let label = try DrawingLabel.normalize(word)
                guard try await options.open().forget(label: label, model: model) else {
                    throw ValidationError("\(model) was taught no word '\(label)' in \(options.path)")
                }
                print("\(model) forgot '\(label)'")
            }
        }

        struct Eval: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Teach a model categories it does not know, from a few drawings each, and score it.",
                discussion: """
                    The categories of --data that the model does not know, with at least --min-drawings
                    drawings, ranked by how many they have (most first, then by name): --words of them,
                    after skipping --skip, are taught from --shots drawings each, picked at random by
                    --seed. Every further drawing of them (at most --per-word) is then guessed among the
                    model's classes and the taught words, and so is the model's own test split, before
                    and after teaching.
                    """)

            @Option(help: "A model file, or the name of a shipped model.")
            var model = "doodles"

            @Option(
                name: .customLong("data"),
                help: "A folder of category files; repeat for several (default: the model's training data).")
            var folders: [String] = []

            @Option(help: "How many categories to teach.")
            var words = 10

            @Option(help: "Skip this many categories of the ranking first (to tune on other categories).")
            var skip = 0

            @Option(help: "Drawings each word is taught from.")
            var shots = 5

            @Option(
                name: .customLong("min-drawings"), help: "Only categories with at least this many drawings.")
            var minDrawings = 100

            @Option(
                name: .customLong("per-word"), help: "Score at most this many further drawings of each word.")
            var perWord = 500

            @Option(help: "The seed that picks the teaching drawings.")
            var seed: UInt64 = 0

            @Option(help: "A taught row's length, as a multiple of the trained rows' mean length.")
            var scale: Float = WordImprinter.defaultScale

            @Option(
                name: .customLong("bias-offset"), help: "A taught word's bias minus the trained biases' mean."
            )
            var biasOffset: Float = WordImprinter.defaultBiasOffset

            @Flag(help: "Print one JSON object (fractions, not percentages).")
            var json = false

            @Option(help: "Threads for the engine.")
            var threads = ProcessInfo.processInfo.activeProcessorCount

            func validate() throws {
                guard words > 0, shots > 0, skip >= 0, perWord > 0 else {
                    throw ValidationError(
                        "--words, --shots and --per-word must be positive, --skip not negative")
                }
                guard minDrawings > shots else { throw ValidationError("--min-drawings must exceed --shots") }
                guard scale > 0, scale.isFinite, biasOffset.isFinite else {
                    throw ValidationError("--scale must be positive, --bias-offset a number")
                }
            }

            func run() async throws {
                doodleThreadCount = threads
                let model = try Model(contentsOf: ModelLocator.url(for: model))
                let folders = try self.folders.isEmpty ? Doodle.Eval.trainingFolders(of: model) : self.folders
                let urls = folders.map { URL(fileURLWithPath: $0) }
                let (teach, test) = try heldBackWords(of: model, in: urls)
                let original = try model.evaluationImages(
                    from: urls, split: .test,
                    perClass: model.training["per_class"].flatMap { Int($0) },
                    seed: model.training["split_seed"].flatMap { UInt64($0) } ?? 0,
                    duplicates: model.training["duplicates"].flatMap { .init(rawValue: $0) } ?? .merge)
                let result = try model.evaluateTeaching(
                    teach: teach, test: test, original: original, scale: scale, biasOffset: biasOffset)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    print(String(decoding: try encoder.encode(result), as: UTF8.self))
                    return
                }
                print("taught \(result.words.count) words from \(shots) drawings each:")
                for word in result.words {
                    print(
                        String(
                            format: "  %-22@ top-1 %5.1f%%  top-5 %5.1f%%  (%d drawings)", word.word,
                            100 * word.top1, 100 * word.top5, word.count))
                }
                print(
                    String(
                        format: "taught words: top-1 %.1f%%  top-5 %.1f%%  (%d drawings)",
                        100 * result.taughtTop1,
                        100 * result.taughtTop5, result.words.reduce(0) { $0 + $1.count }))
                print(
                    String(
                        format:
                            "the model's %d classes (%d test drawings): top-1 %.2f%% → %.2f%%, top-5 %.2f%% → %.2f%%",
                        model.labels.count, result.originalCount, 100 * result.originalTop1Before,
                        100 * result.originalTop1After, 100 * result.originalTop5Before,
                        100 * result.originalTop5After))
            }

            /// The categories to teach, their teaching drawings and their further drawings.
            func heldBackWords(of model: Model, in folders: [URL]) throws -> (
                teach: LabeledImages, test: LabeledImages
            ) {
                let known = Set(model.labels)
                let unknown = Set(try DatasetFolder.categoryFiles(in: folders).map(\.category)).subtracting(
                    known)
                guard !unknown.isEmpty else {
                    throw ValidationError("the data has no category the model lacks")
                }
                let dataset = try Dataset.build(
                    from: folders,
                    options: DatasetOptions(classes: .named(unknown.sorted()), minDrawings: minDrawings))
                let s = dataset.splits
                let all = LabeledImages(
                    classes: dataset.classes, pixels: s.train.pixels + s.validation.pixels + s.test.pixels,
                    labels: s.train.labels + s.validation.labels + s.test.labels)
                let counts = all.countsPerClass
                let ranking = all.classes.indices.sorted {
                    (counts[$0], all.classes[$1]) > (counts[$1], all.classes[$0])
                }
                let chosen = Array(ranking.dropFirst(skip).prefix(words))
                guard chosen.count == words else {
                    throw ValidationError(
                        "only \(ranking.count) categories the model lacks have \(minDrawings) drawings; cannot skip \(skip) and teach \(words)"
                    )
                }
                var generator = SeededGenerator(seed: seed)
                var teach: [Int] = []
                var test: [Int] = []
                var teachLabels: [Int] = []
                var testLabels: [Int] = []
                for (position, label) in chosen.enumerated() {
                    var indices = all.labels.indices.filter { all.labels[$0] == label }
                    indices.shuffle(using: &generator)
                    teach += indices.prefix(shots)
                    teachLabels += Array(repeating: position, count: shots)
                    let rest = indices.dropFirst(shots).prefix(perWord)
                    test += rest
                    testLabels += Array(repeating: position, count: rest.count)
                }
                let names = chosen.map { all.classes[$0] }
                func images(_ indices: [Int], _ labels: [Int]) -> LabeledImages {
                    LabeledImages(
                        classes: names, pixels: indices.flatMap { all.image($0) }, labels: labels)
                }
                return (images(teach, teachLabels), images(test, testLabels))
            }
        }
    }
}
