import ArgumentParser
import DoodleNN
import DoodleServer
import DoodleStore
import Foundation
import Hummingbird
import Logging

extension Doodle {
    /// Serves the Pictionary page and the prediction API.
    struct Serve: AsyncParsableCommand, AppArguments {
        static let configuration = CommandConfiguration(
            abstract: "Serve the Pictionary page and the prediction API.",
            discussion: """
                Serves every *.safetensors model in the models folder, by file name (doodles, digits): the
                page at /, POST /api/predict, GET /api/models and GET /healthz.

                Drawings that players choose to give (the page's "Save my drawings" switch, off by \
                default) are kept in a SQLite file, --store (default: \(DrawingStoreOptions.defaultPath)), \
                through POST /api/drawings; GET /api/drawings/stats counts them, and GET /api/drawings \
                reads them back from this machine, or with --admin-token. --no-store keeps none.

                GET /metrics gives Prometheus's text format: to clients on this machine, or beyond it with                 --metrics-token (Authorization: Bearer). Every answer carries an X-Request-Id, also on                 each of the request's log lines; --log-format json writes the log as JSON lines.
                """)

        @Option(name: .customLong("host"), help: "The address to listen on.")
        var hostname = "127.0.0.1"

        @Option(help: "The port to listen on (0: any free port).")
        var port = 8080

        @Option(
            name: .customLong("models"),
            help: "The folder of models to serve (default: the shipped models' folder).")
        var modelsPath: String?

        @Option(help: "The largest request body, in bytes.")
        var maxBodyBytes = 1_000_000

        @Option(help: "The most points, over all strokes, in one drawing.")
        var maxPoints = 10_000

        @Option(
            help: """
                Seconds a client may take to send a request body, or leave a connection idle, before \
                the server answers 408 or closes it.
                """)
        var readTimeout = 30.0

        @OptionGroup var storeOptions: DrawingStoreOptions

        @Flag(help: "Keep no drawings: POST /api/drawings answers 503.")
        var noStore = false

        @Option(
            help: "A token that lets a client beyond this machine read drawings back (Authorization: Bearer)."
        )
        var adminToken: String?

        @Option(
            help: "A token that lets a client beyond this machine read GET /metrics (Authorization: Bearer).")
        var metricsToken: String?

        @Option(help: "The log's format: text or json (one object a line).")
        var logFormat: LogFormat = .text

        @Option(help: "The least level logged: trace, debug, info, notice, warning, error or critical.")
        var logLevel: Logger.Level = .info

        enum LogFormat: String, ExpressibleByArgument, CaseIterable {
            case text, json
        }

        @Option(help: "Drawings each client address may save a minute, on average.")
        var saveRate = 30.0

        @Option(help: "Drawings each client address may save at once, before --save-rate applies.")
        var saveBurst = 20

        var storePath: String? { noStore ? nil : storeOptions.path }

        var saveLimits: SaveLimits { SaveLimits(perMinute: saveRate, burst: saveBurst) }

        @Option(help: "Threads each forward pass of the engine spreads over (default: every core).")
        var threads = ProcessInfo.processInfo.activeProcessorCount

        @Option(
            name: .customLong("lanes"),
            help: """
                Forward passes of each model that may run at once. With 1, each pass (a batch of the \
                requests waiting) spreads over --threads; with more, each runs on one thread of its own.
                """)
        var inferenceLanes = 1

        var modelsFolder: URL {
            if let modelsPath { return URL(fileURLWithPath: modelsPath) }
            let folders = ModelLocator.searchFolders
            let withModels = folders.first { folder in
                let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
                return files.contains { $0.hasSuffix(".safetensors") }
            }
            return withModels ?? folders[0]
        }

        var limits: RequestLimits {
            RequestLimits(
                maxBodyBytes: maxBodyBytes, maxPoints: maxPoints,
                readTimeout: .milliseconds(Int64((readTimeout * 1000).rounded())))
        }

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
            guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
            guard maxPoints > 0 else { throw ValidationError("--max-points must be positive") }
            guard readTimeout >= 0.1, readTimeout <= 86_400 else {
                throw ValidationError("--read-timeout must be between 0.1 and 86400 seconds")
            }
            guard threads > 0 else { throw ValidationError("--threads must be positive") }
            guard (1...256).contains(inferenceLanes) else { throw ValidationError("--lanes must be 1...256") }
            guard saveRate > 0, saveRate <= 1_000_000 else {
                throw ValidationError("--save-rate must be between 0 and 1000000 a minute")
            }
            guard saveBurst >= 1 else { throw ValidationError("--save-burst must be at least 1") }
            if noStore && storeOptions.store != nil {
                throw ValidationError("give --store or --no-store, not both")
            }
            if let adminToken, adminToken.count < 16 {
                throw ValidationError("--admin-token must be at least 16 characters")
            }
            if let metricsToken, metricsToken.count < 16 {
                throw ValidationError("--metrics-token must be at least 16 characters")
            }
        }

        func run() async throws {
            doodleThreadCount = threads
            let (format, level) = (logFormat, logLevel)
            LoggingSystem.bootstrap { label in
                switch format {
                case .text:
                    var handler = StreamLogHandler.standardError(label: label)
                    handler.logLevel = level
                    return handler
                case .json: return JSONLogHandler(label: label, level: level)
                }
            }
            let app: any ApplicationProtocol
            do {
                app = try await buildApplication(self)
            } catch {
                throw ValidationError("\(error)")
            }
            try await app.runService()
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
