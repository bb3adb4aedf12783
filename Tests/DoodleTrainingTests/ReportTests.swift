import DoodleData
import Foundation
import TestSupport
import Testing

@testable import DoodleTraining

@Suite struct ReportTests {
    static let awkwardNames = ["cat", "say \"hi\"", "<b>bold</b>", "fish & chips", "O'Neil's"]

    /// A five-class evaluation with the awkward names, a short log and a drawing for every example.
    static func report(log: [EpochRecord]? = nil) throws -> EvaluationReport {
        let (probabilities, labels) = Fake.softmaxRows(count: 60, classes: 5, seed: 7)
        let evaluation = try Evaluation(
            probabilities: probabilities, labels: labels, classNames: awkwardNames)
        let bitmaps = Dictionary(uniqueKeysWithValues: (0..<60).map { ($0, Fake.drawing(seed: UInt64($0))) })
        return EvaluationReport(
            modelName: "tiny <test> model", architecture: "small", data: "fake & five classes",
            evaluation: evaluation, trainingLog: log ?? (1...4).map { TrainingLogTests.record($0) },
            bitmaps: bitmaps)
    }

    @Test func showsTheHeadlineNumbers() throws {
        let report = try Self.report()
        let html = report.html()
        let e = report.evaluation
        for number in [
            percent(e.top1), percent(e.top5), String(format: "%.3f", e.map3),
            String(format: "%.3f", e.expectedCalibrationError), "\(e.count)",
        ] {
            #expect(html.contains(">\(number)<"), "missing \(number)")
        }
        #expect(html.contains("tiny &lt;test&gt; model"))
        #expect(html.contains("fake &amp; five classes"))
    }

    @Test func hasEverySection() throws {
        let html = try Self.report().html()
        for id in ["training-curves", "confusion", "per-class", "reliability", "most-confused", "gallery"] {
            #expect(html.contains("<section id=\"\(id)\">"), "missing section \(id)")
        }
        #expect(html.contains("<path d=\"M"), "training curves drawn")
        #expect(html.contains("stroke-dasharray"), "validation lines dashed")
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.hasSuffix("</html>\n"))
    }

    @Test func withoutALogTheCurvesSectionSaysSo() throws {
        let html = try Self.report(log: []).html()
        #expect(html.contains("No training log was given"))
        #expect(!html.contains("<path d=\"M"))
    }

    @Test func escapesEveryName() throws {
        let html = try Self.report().html()
        #expect(html.contains("say &quot;hi&quot;"))
        #expect(html.contains("&lt;b&gt;bold&lt;/b&gt;"))
        #expect(html.contains("fish &amp; chips"))
        #expect(html.contains("O&#39;Neil&#39;s"))
        #expect(!html.contains("<b>"))
        #expect(!html.contains("\"hi\""))
        #expect(!html.contains("O'Neil"))
    }

    @Test func makesNoExternalRequests() throws {
        let html = try Self.report().html()
        var rest = html[...]
        while let range = rest.range(of: "http", options: .caseInsensitive) {
            let after = rest[range.lowerBound...]
            #expect(
                after.hasPrefix("http://www.w3.org/2000/svg\""), "external reference: \(after.prefix(60))")
            rest = rest[range.upperBound...]
        }
        #expect(!html.contains("<script"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("@import"))
        let urls = html.components(separatedBy: "url(").dropFirst()
        #expect(urls.allSatisfy { $0.hasPrefix("#") }, "only url(#id) references, to the page itself")
    }

    @Test func galleryImagesArePNGsOfTheDrawings() throws {
        let report = try Self.report()
        let html = report.html()
        let prefix = "<img src=\"data:image/png;base64,"
        let images = html.components(separatedBy: prefix).dropFirst()
        let worst = report.evaluation.worstMisclassified
        #expect(images.count == worst.count)
        let misclassified = report.evaluation.count - Int((report.evaluation.top1 * 60).rounded())
        #expect(worst.count == min(misclassified, 24) && worst.count > 10)
        for (image, example) in zip(images, worst) {
            let base64 = try #require(image.split(separator: "\"").first)
            let png = try #require(Data(base64Encoded: String(base64)))
            let decoded = try PNG.decode([UInt8](png))
            #expect(decoded.width == 28 && decoded.height == 28)
            #expect(decoded.pixels == report.bitmaps[example.index]?.map { 255 - $0 }, "dark ink on light")
        }
        #expect(html.contains("image-rendering: pixelated"))
        let first = try #require(worst.first?.guesses.first)
        let guess = "\(escape(first.name)) \(String(format: "%.2f", first.probability))"
        #expect(
            html.contains("<figcaption>true: \(escape(worst[0].labelName)) — guessed: \(guess)</figcaption>"))
    }

    @Test func manyClassesShowTheFortyMostConfused() throws {
        let names = (0..<50).map { "class \($0)" }
        let (probabilities, labels) = Fake.softmaxRows(count: 500, classes: 50, seed: 3)
        let evaluation = try Evaluation(probabilities: probabilities, labels: labels, classNames: names)
        let html = EvaluationReport(modelName: "m", architecture: "a", data: "d", evaluation: evaluation)
            .html()
        #expect(html.contains("Showing the 40 of 50 classes"))
        let confusion = try #require(html.components(separatedBy: "<section id=\"confusion\">").last)
        let heatmap = try #require(confusion.components(separatedBy: "</section>").first)
        let rowLabels = heatmap.components(separatedBy: "text-anchor=\"end\" class=\"name\"").count - 1
        #expect(rowLabels == 80, "40 row and 40 column labels")
        #expect(html.contains("no bitmap"), "no drawings were given")
    }

    /// Classes mistaken for each other sit side by side in the heatmap: 0 with 3, 1 with 4, 2 with 5.
    @Test func clusteringPutsConfusedClassesTogether() {
        let pairs: Set<[Int]> = [[0, 3], [1, 4], [2, 5]]
        let order = EvaluationReport.clustered(Array(0..<6)) { a, b in
            pairs.contains([min(a, b), max(a, b)]) ? 1 : (a + b == 7 ? 0.1 : 0)
        }
        #expect(order.sorted() == Array(0..<6))
        for pair in pairs {
            let (i, j) = (order.firstIndex(of: pair[0])!, order.firstIndex(of: pair[1])!)
            #expect(abs(i - j) == 1, "\(pair) in \(order)")
        }
        #expect(
            order
                == EvaluationReport.clustered(Array(0..<6)) { a, b in
                    pairs.contains([min(a, b), max(a, b)]) ? 1 : (a + b == 7 ? 0.1 : 0)
                })
    }

    @Test func writesAtomically() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("report.html")
        try "old".write(to: url, atomically: false, encoding: .utf8)
        let report = try Self.report()
        try report.write(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == report.html())
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["report.html"])
    }

    @Test func writingIntoAMissingDirectoryNamesIt() throws {
        let url = URL(fileURLWithPath: "/nonexistent/doodle/report.html")
        let error = #expect(throws: TrainingError.self) { try Self.report().write(to: url) }
        #expect(error?.description.contains("/nonexistent/doodle/") == true)
    }

    private func escape(_ text: String) -> String {
        [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\"", "&quot;"), ("'", "&#39;")].reduce(text) {
            $0.replacingOccurrences(of: $1.0, with: $1.1)
        }
    }

    private func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }
}
