import ArgumentParser
import DoodleData
import DoodleStore
import Foundation

/// Where the drawing store is: `--store`, or the file under the user's data folder.
struct DrawingStoreOptions: ParsableArguments {
    @Option(help: "The drawing store, a SQLite file (default: \(DrawingStoreOptions.defaultPath)).")
    var store: String?

    /// `$XDG_DATA_HOME/doodle/drawings.sqlite`, or `~/.local/share/doodle/drawings.sqlite`.
    static var defaultPath: String {
        let environment = ProcessInfo.processInfo.environment
        let data =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share").path
        return URL(fileURLWithPath: data).appendingPathComponent("doodle/drawings.sqlite").path
    }

    var path: String { store ?? Self.defaultPath }

    func open() throws -> SQLiteDrawingStore {
        do {
            return try SQLiteDrawingStore(path: path)
        } catch let error as StoreError {
            throw ValidationError(error.description)
        }
    }
}

extension Doodle {
    /// The drawings players gave: counts, export for training, import.
    struct Drawings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count, export and import the drawings players gave.",
            subcommands: [Stats.self, Export.self, Import.self])

        struct Stats: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Count the stored drawings by label and source.")

            @OptionGroup var options: DrawingStoreOptions

            func run() async throws {
                let stats = try await options.open().stats()
                print("\(stats.total) drawings in \(options.path)")
                for (source, count) in stats.sources.sorted(by: { $0.key < $1.key }) {
                    print("  \(source): \(count)")
                }
                let width = stats.labels.keys.map(\.count).max() ?? 0
                for (label, count) in stats.labels.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                    print("\(label.padding(toLength: width, withPad: " ", startingAt: 0))  \(count)")
                }
            }
        }

        struct Export: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write the stored drawings as Google's raw ndjson, one file per label.",
                discussion: """
                    Each file is <label>.ndjson in --out, one drawing a line with Google's fields (key_id is \
                    the store's id, recognized whether the model's first guess was the label), which \
                    doodle train and doodle eval read as they are. Files are written to a temporary name \
                    and renamed.
                    """)

            @OptionGroup var options: DrawingStoreOptions

            @Option(help: "The folder to write the ndjson files to.")
            var out: String

            @Option(
                help: "Only drawings from these sources (game, correction, taught, imported); all by default."
            )
            var source: [DrawingSource] = []

            func run() async throws {
                let store = try options.open()
                let folder = URL(fileURLWithPath: out)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                var lines: [String: [String]] = [:]
                var after: Int64 = 0
                while true {
                    let page = try await store.drawings(label: nil, after: after, limit: 1000)
                    for stored in page where source.isEmpty || source.contains(stored.drawing.source) {
                        lines[stored.drawing.label, default: []].append(stored.ndjsonLine)
                    }
                    guard let last = page.last, page.count == 1000 else { break }
                    after = last.id
                }
                for (label, text) in lines.sorted(by: { $0.key < $1.key }) {
                    let file = folder.appendingPathComponent("\(label).ndjson")
                    try writeFileAtomically(file, Array((text.joined(separator: "\n") + "\n").utf8))
                    print("\(file.path): \(text.count) drawings")
                }
                print("exported \(lines.values.map(\.count).reduce(0, +)) drawings of \(lines.count) labels")
            }
        }

        struct Import: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Add the drawings of Quick, Draw! ndjson files to the store, each file in one transaction.",
                discussion: """
                    A drawing's label is its "word", or the file's name without .ndjson when it has none; \
                    its source is "imported".
                    """)

            @OptionGroup var options: DrawingStoreOptions

            @Argument(help: "ndjson files (simplified or raw, Google's fields).")
            var files: [String]

            func run() async throws {
                let store = try options.open()
                for path in files {
                    let url = URL(fileURLWithPath: path)
                    let read = try QuickDrawNDJSON.read(from: url)
                    let fallback = url.deletingPathExtension().lastPathComponent
                    let drawings = try read.drawings.enumerated().map { index, drawing in
                        do {
                            return NewDrawing(
                                strokes: drawing.strokes,
                                label: try DrawingLabel.normalize(drawing.word ?? fallback),
                                source: .imported)
                        } catch let error as StoreError {
                            throw ValidationError("\(path), drawing \(index + 1): \(error.description)")
                        }
                    }
                    let ids = try await store.save(all: drawings)
                    print("\(path): \(ids.count) drawings imported")
                }
            }
        }
    }
}

extension DrawingSource: ExpressibleByArgument {}
