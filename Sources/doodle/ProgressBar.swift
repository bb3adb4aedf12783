import Foundation

/// Shows progress of long work: a redrawn bar with done/total, rate and ETA on a terminal, and a plain
/// line every few seconds when the output is a file or a pipe (CI logs, `| tee`).
///
/// A bar of bytes (`bytes: true`) prints sizes and rates as `3.2 MB` and `1.1 MB/s`; a total of zero means
/// the total is not known, and the bar then shows what is done and the rate only.
final class ProgressBar {
    private let label: String
    private let total: Int
    private let knowsTotal: Bool
    private let unit: String
    private let countsBytes: Bool
    private let startedAt: Int
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastLength = 0

    /// A bar for `total` items of `unit` (or bytes), introduced by `label`; the rate counts from
    /// `startedAt`, the items already done (a resumed download's bytes, say).
    init(_ label: String, total: Int, unit: String = "items", bytes: Bool = false, startedAt: Int = 0) {
        self.label = label
        self.total = max(total, 1)
        knowsTotal = total > 0
        self.unit = unit
        countsBytes = bytes
        self.startedAt = startedAt
    }

    /// Reports `done` items so far, with an optional suffix (loss, accuracy, ...).
    func update(_ done: Int, _ suffix: String = "", force: Bool = false) {
        let now = Date()
        let interval = isTerminal ? 0.1 : 10
        guard force || (knowsTotal && done >= total) || now.timeIntervalSince(lastDraw) >= interval else {
            return
        }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done - startedAt) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : .infinity
        let fraction = knowsTotal ? Double(min(done, total)) / Double(total) : 0
        let amounts =
            countsBytes
            ? "\(Self.bytes(done))\(knowsTotal ? "/" + Self.bytes(total) : "") \(Self.bytes(rate))/s"
            : "\(done)/\(total) \(Self.rate(rate)) \(unit)/s"
        let eta = knowsTotal ? " ETA \(Self.duration(remaining))" : ""
        let stats = amounts + eta + (suffix.isEmpty ? "" : " " + suffix)
        if isTerminal {
            let width = 28
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let line = "\r\(label) \(bar) \(String(format: "%3.0f%%", fraction * 100)) \(stats)"
            let padding = String(repeating: " ", count: max(0, lastLength - line.count))
            FileHandle.standardError.write(Data((line + padding).utf8))
            lastLength = line.count
        } else {
            FileHandle.standardError.write(
                Data("\(label) \(String(format: "%.0f%%", fraction * 100)) \(stats)\n".utf8))
        }
    }

    /// Ends the bar's line.
    func finish(_ summary: String = "") {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
        if !summary.isEmpty {
            print(summary)
            // Redirected stdout is block-buffered: flush so logs show each epoch as it ends.
            fflush(nil)
        }
    }

    /// `bytes` in decimal units, as download sizes are quoted: `950 B`, `28.9 kB`, `9.9 MB`, `1.2 GB`.
    static func bytes<Count: BinaryInteger>(_ bytes: Count) -> String { Self.bytes(Double(bytes)) }

    /// `bytes` in decimal units.
    static func bytes(_ bytes: Double) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = bytes
        var index = 0
        while value >= 1000 && index < units.count - 1 {
            value /= 1000
            index += 1
        }
        return String(format: index == 0 ? "%.0f" : "%.1f", value) + " " + units[index]
    }

    static func rate(_ r: Double) -> String {
        r >= 100 ? String(format: "%.0f", r) : String(format: "%.1f", r)
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String(format: "%02d:%02d", s / 60, s % 60)
    }
}
