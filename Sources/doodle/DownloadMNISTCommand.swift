import ArgumentParser
import DoodleData
import Foundation

extension Doodle.Download {
    /// Fetches MNIST's four gzip files from a mirror, checking their published sizes and MD5s.
    struct MNIST: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mnist",
            abstract: "Download MNIST's four IDX files (gzip), checked against their published MD5s.")

        @Option(help: "The folder to download into.")
        var to = "data/mnist"

        @Option(help: "The mirror's folder holding train-images-idx3-ubyte.gz and the rest.")
        var baseURL = MNISTRemote.defaultBaseURL.absoluteString

        @OptionGroup var download: DownloadOptions

        func validate() throws {
            _ = try DownloadOptions.baseURL(baseURL)
        }

        func run() async throws {
            let files = MNISTRemote.files(baseURL: try DownloadOptions.baseURL(baseURL))
            try await download.fetch(files, into: URL(fileURLWithPath: to))
        }
    }
}
