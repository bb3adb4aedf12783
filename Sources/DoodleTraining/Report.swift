import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A model's evaluation as one self-contained HTML page: inline CSS and SVG, images as data URIs, no
/// scripts and no external requests, so it can be mailed, archived or opened offline.
///
/// Sections: a header with the headline numbers; training curves (when there is a log); the confusion
/// matrix; per-class accuracy, worst first; the reliability diagram; the most-confused pairs; and a
/// gallery of the worst misclassified drawings.
///
/// ```swift
/// let evaluation = try accumulator.finish()
/// let bitmaps = Dictionary(uniqueKeysWithValues: evaluation.worstMisclassified.map {
///     ($0.index, testSet.bitmap(at: $0.index))
/// })
/// let report = EvaluationReport(
///     modelName: "small-qd30", architecture: "small", data: "Quick, Draw! 30 classes, test split",
///     evaluation: evaluation, trainingLog: try TrainingLog.read(from: logURL).records,
///     bitmaps: bitmaps)
/// try report.write(to: runDirectory.appendingPathComponent("report.html"))
/// ```
public struct EvaluationReport: Sendable {
    /// The side of the square drawings shown in the gallery.
    public static let bitmapSide = 28

    /// The model's name, shown as the page title.
    public var modelName: String
    /// The architecture, e.g. "small (2 conv blocks, 0.4 M parameters)".
    public var architecture: String
    /// What it was evaluated on, e.g. "Quick, Draw! 30 classes, test split".
    public var data: String
    /// The evaluation to show.
    public var evaluation: Evaluation
    /// The training log; empty when there is none, and the curves section then says so.
    public var trainingLog: [EpochRecord]
    /// 28 × 28 drawings, row-major, 0 for background and 255 for ink (as in MNIST and Quick, Draw!
    /// bitmaps), keyed by example index; the gallery shows those of ``Evaluation/worstMisclassified``.
    /// They are drawn dark ink on light paper.
    public var bitmaps: [Int: [UInt8]]
    /// When the report was made, shown in the footer if set.
    public var generatedAt: Date?

    /// A report; see the properties for the meaning of each argument.
    ///
    /// Every bitmap must hold exactly 28 × 28 = 784 bytes.
    public init(
        modelName: String, architecture: String, data: String, evaluation: Evaluation,
        trainingLog: [EpochRecord] = [], bitmaps: [Int: [UInt8]] = [:], generatedAt: Date? = nil
    ) {
        let side = Self.bitmapSide
        for (index, bitmap) in bitmaps {
            precondition(
                bitmap.count == side * side,
                "bitmap of example \(index) has \(bitmap.count) bytes, not \(side * side)")
        }
        self.modelName = modelName
        self.architecture = architecture
        self.data = data
        self.evaluation = evaluation
        self.trainingLog = trainingLog
        self.bitmaps = bitmaps
        self.generatedAt = generatedAt
    }

    /// The whole page.
    public func html() -> String {
        let title = Markup.escape("\(modelName) — evaluation")
        let sections = [
            header(), trainingCurvesSection(), confusionSection(), perClassSection(),
            reliabilitySection(), mostConfusedSection(), gallerySection(), footer(),
        ]
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <style>\(Self.styleSheet)</style>
            </head>
            <body>
            <main>
            \(sections.joined(separator: "\n"))
            </main>
            </body>
            </html>

            """
    }

    /// Writes the page to `url` atomically: to a temporary file beside it, then renamed over it, so a
    /// reader never sees half a report.
    ///
    /// - Throws: `TrainingError` naming the file when it cannot be written or renamed.
    public func write(to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data(html().utf8).write(to: temporary)
        } catch {
            throw TrainingError("cannot write the report to \(temporary.path): \(error.localizedDescription)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw TrainingError("cannot move the report into place at \(url.path): \(reason)")
        }
    }

    private func footer() -> String {
        var parts = ["Made by Doodle"]
        if let generatedAt {
            parts.append(Markup.escape(generatedAt.formatted(.iso8601)))
        }
        return "<footer>\(parts.joined(separator: " · "))</footer>"
    }
}
