import ArgumentParser
import DoodleData
import Foundation

extension QuickDrawRemote.Format: ExpressibleByArgument {}

extension Doodle.Download {
    /// Fetches Quick, Draw! categories from Google's public bucket, one file per category.
    struct QuickDraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "quickdraw",
            abstract: "Download Quick, Draw! categories from Google's public bucket.",
            discussion: """
                Choose the categories with exactly one of --categories, --count or --all. Names are \
                Google's (see categories.txt of googlecreativelab/quickdraw-dataset); files keep their \
                spaces on disk ("alarm clock.npy"). A bitmap file is 50-250 MB, a raw one up to 1 GB.
                """)

        @Option(help: "Comma-separated category names, such as \"cat,alarm clock\" (case is forgiven).")
        var categories: String?

        @Option(help: "The first N categories in Google's order.")
        var count: Int?

        @Flag(help: "All 345 categories.")
        var all = false

        @Option(
            help: "bitmap (28x28 .npy), simplified (.ndjson), raw (.ndjson, with timings) or binary (.bin).")
        var format = QuickDrawRemote.Format.bitmap

        @Option(
            help:
                "The folder to download into (default: data/quickdraw/<the bucket's folder for the format>).")
        var to: String?

        @Option(help: "The bucket's full/ folder, which holds numpy_bitmap/, simplified/, raw/ and binary/.")
        var baseURL = QuickDrawRemote.defaultBaseURL.absoluteString

        @OptionGroup var download: DownloadOptions

        func validate() throws {
            let choices = (categories != nil ? 1 : 0) + (count != nil ? 1 : 0) + (all ? 1 : 0)
            guard choices == 1 else {
                throw ValidationError(
                    "choose the categories with exactly one of --categories, --count or --all")
            }
            if let count, !(1...QuickDrawCategories.all.count).contains(count) {
                throw ValidationError("--count must be between 1 and \(QuickDrawCategories.all.count)")
            }
            _ = try chosenCategories()
            _ = try DownloadOptions.baseURL(baseURL)
        }

        /// Google's names of the chosen categories, in the order given (or Google's order).
        ///
        /// - Throws: `ValidationError` naming unknown categories and their closest matches.
        func chosenCategories() throws -> [String] {
            if let count { return Array(QuickDrawCategories.all.prefix(count)) }
            guard let categories else { return QuickDrawCategories.all }
            let names = categories.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            do {
                return try QuickDrawCategories.resolve(names.filter { !$0.isEmpty })
            } catch let error as DataError {
                throw ValidationError(error.problem)
            }
        }

        func run() async throws {
            let base = try DownloadOptions.baseURL(baseURL)
            let files = try chosenCategories().map { QuickDrawRemote.file($0, format, baseURL: base) }
            let folder = to ?? "data/quickdraw/\(format.folder)"
            try await download.fetch(files, into: URL(fileURLWithPath: folder))
        }
    }
}
