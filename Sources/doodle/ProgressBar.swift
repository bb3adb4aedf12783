import Foundation

/// Shows progress of long work: a redrawn bar with done/total, rate and ETA on a terminal, and a plain
/// line every few seconds when the output is a file or a pipe (CI logs, `| tee`).
final class ProgressBar {
    private let label: String
    private let total: Int
    private let unit: String
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastLength = 0

    /// A bar for `total` items of `unit`, introduced by `label`.
    init(_ label: String, total: Int, unit: String = "items") {
        self.label = label
        self.total = max(total, 1)
        self.unit = unit
    }

    /// Reports `done` items so far, with an optional suffix (loss, accuracy, ...).
    func update(_ done: Int, _ suffix: String = "", force: Bool = false) {
        let now = Date()
        let interval = isTerminal ? 0.1 : 10
        guard force || done >= total || now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let fraction = Double(min(done, total)) / Double(total)
        let stats =
            "\(done)/\(total) \(Self.rate(rate)) \(unit)/s ETA \(Self.duration(remaining))\(suffix.isEmpty ? "" : " " + suffix)"
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
        if !summary.isEmpty { print(summary) }
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
