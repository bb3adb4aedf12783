import ArgumentParser
import DoodleData
import Foundation

extension Doodle {
    /// Fetches the public data Doodle trains on.
    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the Quick, Draw! or MNIST data.",
            discussion: """
                Each file is streamed to <name>.part and renamed to <name> only once complete (and, for \
                MNIST, once its size and MD5 match the published ones). Files already present are skipped. \
                An interrupted download resumes where it stopped when run again; connection errors and \
                server errors are retried with exponential backoff.
                """,
            subcommands: [QuickDraw.self, MNIST.self])
    }
}

/// Options shared by the `download` subcommands.
struct DownloadOptions: ParsableArguments {
    @Option(help: "Requests per file before giving up on connection errors and server errors.")
    var attempts = 5

    @Option(help: "Seconds without any data before a request counts as failed.")
    var timeout = 60.0

    func validate() throws {
        guard attempts >= 1 else { throw ValidationError("--attempts must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    /// `text` as the base URL of a server's folder.
    ///
    /// - Throws: `ValidationError` unless it is an http or https URL.
    static func baseURL(_ text: String) throws -> URL {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased()),
            url.host != nil
        else { throw ValidationError("--base-url must be an http:// or https:// URL, not '\(text)'") }
        return url
    }

    /// Downloads `files` into `folder` one after another, each with a progress bar, then prints a summary.
    ///
    /// - Throws: `DataError` for the first file that cannot be downloaded; the files before it are kept.
    func fetch(_ files: [RemoteFile], into folder: URL) async throws {
        let downloader = Downloader(options: .init(maxAttempts: attempts, timeout: timeout))
        var fetched = 0
        var fetchedBytes: Int64 = 0
        for (index, file) in files.enumerated() {
            let display = DownloadDisplay(label: files.count > 1 ? "[\(index + 1)/\(files.count)] " : "")
            switch try await downloader.download(file, into: folder, progress: display.report) {
            case .downloaded(let bytes):
                fetched += 1
                fetchedBytes += bytes
                display.finish("\(file.fileName): \(ProgressBar.bytes(bytes))")
            case .alreadyPresent:
                display.finish("\(file.fileName): already present")
            }
        }
        print(
            "Downloaded \(fetched) file\(fetched == 1 ? "" : "s") (\(ProgressBar.bytes(fetchedBytes))) into "
                + "\(folder.path); \(files.count - fetched) already present.")
    }
}

/// Draws the progress of one file, whose reports arrive on the downloader's background thread.
///
/// `@unchecked Sendable` is safe: the bar is only touched with `lock` held.
final class DownloadDisplay: @unchecked Sendable {
    private let label: String
    private let lock = NSLock()
    private var bar: ProgressBar?
    private var resumedFrom: Int64 = -1

    /// A display whose bars start with `label` (`[3/10] `, say).
    init(label: String) {
        self.label = label
    }

    /// Draws `progress`; a new request (a retry, or a resume) starts a new bar, so the rate stays honest.
    func report(_ progress: Downloader.Progress) {
        lock.withLock {
            if bar == nil || progress.resumedFrom != resumedFrom {
                bar?.finish()
                resumedFrom = progress.resumedFrom
                let resumed = progress.resumedFrom > 0 ? " (resumed)" : ""
                bar = ProgressBar(
                    label + progress.fileName + resumed, total: Int(progress.total ?? 0), bytes: true,
                    startedAt: Int(progress.resumedFrom))
            }
            bar?.update(Int(progress.received))
        }
    }

    /// Ends the bar, if any, and prints `summary`.
    func finish(_ summary: String) {
        lock.withLock {
            if let bar {
                bar.finish(summary)
            } else {
                print(summary)
            }
            bar = nil
        }
    }
}
