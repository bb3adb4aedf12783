import Foundation
import Hummingbird
import Metrics
import Prometheus

/// The server's metrics, in Prometheus's text format at `GET /metrics`, through swift-metrics with
/// swift-prometheus's factory: requests by route, method and status and their latency (Hummingbird's
/// `MetricsMiddleware`), the inference batches' sizes and queue waits, guesses by model and where they
/// ran, and the process's memory, CPU time, threads and open files.
public enum ServerMetrics {
    /// Every metric of the process. swift-metrics is bootstrapped with it on first use, before any
    /// metric is made, so that none is left a no-op.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // A guess takes a fraction of a millisecond: buckets from 100 µs.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .seconds(1), .seconds(5),
        ]
        factory.valueHistogramBuckets["doodle_inference_batch_size"] = [1, 2, 4, 8, 16, 32, 64]
        // Prometheus names take letters, digits and underscores: Hummingbird's "http.route" becomes http_route.
        factory.nameAndLabelSanitizer = { name, labels in
            (sanitized(name), labels.map { (sanitized($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    static func sanitized(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }

    /// Counts guesses of `model`, made `where` (`server` or `browser`).
    static func guesses(model: String, where place: String) -> Metrics.Counter {
        _ = registry
        return Metrics.Counter(
            label: "doodle_guesses_total", dimensions: [("model", model), ("where", place)])
    }

    /// The process figures, read from /proc at each scrape.
    static let process = ProcessFigures(registry: registry)

    /// The metrics text, with the process figures brought up to date.
    static func exposition() -> [UInt8] {
        process.update()
        return registry.emitToBuffer()
    }
}

/// The process's resident memory, CPU seconds, threads, open files and start time, as Prometheus's
/// client libraries name them.
final class ProcessFigures: Sendable {
    let resident: Prometheus.Gauge
    let cpu: Prometheus.Gauge
    let threads: Prometheus.Gauge
    let files: Prometheus.Gauge
    let start: Prometheus.Gauge

    init(registry: PrometheusCollectorRegistry) {
        func gauge(_ name: String, _ unit: String, _ help: String) -> Prometheus.Gauge {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "process", metricName: name, unitName: unit, helpText: help))
        }
        resident = gauge("resident_memory", "bytes", "Resident memory in bytes.")
        cpu = gauge("cpu", "seconds", "User and system CPU time in seconds.")
        threads = gauge("threads", "", "Threads of the process.")
        files = gauge("open_fds", "", "Open file descriptors.")
        start = gauge("start_time", "seconds", "Start time, seconds since 1970.")
        start.set(Date().timeIntervalSince1970 - ProcessInfo.processInfo.systemUptime + Self.startSinceBoot())
    }

    func update() {
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        {
            resident.set(pages * pageSize)
        }
        let fields = Self.statFields()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if fields.count > 19, let user = Double(fields[11]), let system = Double(fields[12]), ticks > 0 {
            cpu.set((user + system) / ticks)
        }
        if fields.count > 19, let count = Double(fields[17]) { threads.set(count) }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            files.set(Double(entries.count))
        }
    }

    /// The fields of /proc/self/stat after the command name, from the state on (field 3 is index 0).
    static func statFields() -> [Substring] {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return [] }
        return stat[stat.index(after: end)...].split(separator: " ")
    }

    /// Seconds from boot to the process's start (field 22 of /proc/self/stat, in clock ticks).
    static func startSinceBoot() -> Double {
        let fields = statFields()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard fields.count > 19, let started = Double(fields[19]), ticks > 0 else { return 0 }
        return started / ticks
    }
}

/// `GET /metrics` for Prometheus, and `POST /api/guesses`, where the page reports the guesses it made
/// in the browser (which the server otherwise never sees).
struct MetricsController<Context: RequestContext>: Sendable {
    /// A report of guesses made in the browser.
    struct GuessReport: Decodable {
        var model: String
        var count: Int
    }

    let models: ModelRegistry
    let limits: RequestLimits
    let access: AdminCheck<Context>

    func addRoutes(to router: RouteTable<Context>) {
        router.get("metrics", use: metrics)
        router.group("api").post("guesses", use: report)
    }

    @Sendable func metrics(_ request: Request, context: Context) async throws -> Response {
        try access.require(request, context, doing: "reading the metrics")
        let text = ServerMetrics.exposition()
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/plain; version=0.0.4; charset=utf-8", .contentLength: String(text.count),
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
    }

    @Sendable func report(_ request: Request, context: Context) async throws -> Response {
        let body = try await limits.readBody(request)
        let report: GuessReport
        do {
            report = try JSONDecoder().decode(GuessReport.self, from: Data(body))
        } catch let error as DecodingError {
            throw HTTPError(.badRequest, message: PredictController<Context>.describe(error))
        }
        _ = try models.served(report.model)
        guard (1...1000).contains(report.count) else {
            throw HTTPError(.badRequest, message: "count must be in 1...1000, not \(report.count)")
        }
        ServerMetrics.guesses(model: report.model, where: "browser").increment(by: report.count)
        return Response(status: .noContent)
    }
}
