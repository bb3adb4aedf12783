import Foundation

/// The confusion-matrix heatmap.
extension EvaluationReport {
    /// The most classes the heatmap shows; with more, it shows the ones most involved in mistakes.
    public static let confusionClassLimit = 40

    /// The classes the heatmap shows: all of them in index order up to ``confusionClassLimit``, else
    /// the ones with the most mistakes as the true or the predicted class (ties to the lower index),
    /// clustered so that classes mistaken for each other sit side by side.
    func confusionClasses() -> [Int] {
        let matrix = evaluation.confusion
        let k = evaluation.classes
        guard k > Self.confusionClassLimit else { return Array(0..<k) }
        var involvement = Array(repeating: 0, count: k)
        for t in 0..<k {
            for p in 0..<k where p != t {
                involvement[t] += matrix[t][p]
                involvement[p] += matrix[t][p]
            }
        }
        let ranked = (0..<k).sorted { (-involvement[$0], $0) < (-involvement[$1], $1) }
        let counts = evaluation.perClass.map { Double(max($0.count, 1)) }
        return Self.clustered(ranked.prefix(Self.confusionClassLimit).sorted()) { a, b in
            Double(matrix[a][b]) / counts[a] + Double(matrix[b][a]) / counts[b]
        }
    }

    /// `items` in the leaf order of an average-linkage clustering by `similarity`: the two most similar
    /// clusters are joined until one is left, each join turned so that its most similar ends touch.
    /// Deterministic: ties go to the earlier clusters and orientations.
    static func clustered(_ items: [Int], similarity: (Int, Int) -> Double) -> [Int] {
        var clusters = items.map { [$0] }
        while clusters.count > 1 {
            var best = (i: 0, j: 1, score: -Double.infinity)
            for i in clusters.indices {
                for j in (i + 1)..<clusters.count {
                    var total = 0.0
                    for a in clusters[i] { for b in clusters[j] { total += similarity(a, b) } }
                    let score = total / Double(clusters[i].count * clusters[j].count)
                    if score > best.score { best = (i, j, score) }
                }
            }
            let (left, right) = (clusters[best.i], clusters[best.j])
            let joins = [
                left + right, left + right.reversed(), left.reversed() + right,
                left.reversed() + right.reversed(),
            ]
            let seams = joins.map { joined in similarity(joined[left.count - 1], joined[left.count]) }
            clusters[best.i] =
                joins[seams.indices.max { seams[$0] < seams[$1] || (seams[$0] == seams[$1] && $0 > $1) }!]
            clusters.remove(at: best.j)
        }
        return clusters.first ?? []
    }

    func confusionSection() -> String {
        let shown = confusionClasses()
        let names = evaluation.classNames
        let matrix = evaluation.confusion
        let n = Double(shown.count)
        let cell = min(max((720 / n).rounded(.down), 12), 36)
        let longest = Double(min(shown.map { names[$0].count }.max() ?? 1, 18))
        let label = longest * 6.4 + 14
        let grid = cell * n
        let (left, top) = (label, 26.0)
        let width = left + grid + 12
        let height = top + grid + label * 0.72 + 34
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
                + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" "
                + "aria-label=\"Confusion matrix: true class by row, predicted class by column\">",
            "<rect x=\"\(Int(left))\" y=\"\(Int(top))\" width=\"\(Int(grid))\" height=\"\(Int(grid))\" "
                + "fill=\"\(Markup.blue(0))\" stroke=\"\(Palette.grid)\"/>",
            "<text x=\"\(Int(left) - 5)\" y=\"16\" text-anchor=\"end\" class=\"label\">true class ↓</text>",
        ]
        let fontSize = Markup.coordinate(min(11, cell * 0.85))
        for (row, t) in shown.enumerated() {
            let total = Double(evaluation.perClass[t].count)
            let name = Markup.escape(names[t])
            let short = Markup.escape(Markup.truncate(names[t], 18))
            let center = top + (Double(row) + 0.5) * cell
            svg.append(
                "<text x=\"\(Int(left) - 5)\" y=\"\(Markup.coordinate(center))\" dy=\"0.32em\" "
                    + "text-anchor=\"end\" class=\"name\" font-size=\"\(fontSize)\"><title>\(name)</title>"
                    + "\(short)</text>")
            let columnX = left + (Double(row) + 0.5) * cell
            let labelY = top + grid + 6
            svg.append(
                "<text transform=\"translate(\(Markup.coordinate(columnX)) \(Markup.coordinate(labelY))) "
                    + "rotate(-45)\" text-anchor=\"end\" class=\"name\" font-size=\"\(fontSize)\">"
                    + "<title>\(name)</title>\(short)</text>")
            for (column, p) in shown.enumerated() where matrix[t][p] > 0 {
                let count = matrix[t][p]
                let fraction = total > 0 ? Double(count) / total : 0
                let tip = Markup.escape(
                    "true \(names[t]) → predicted \(names[p]): \(count) (\(Markup.percent(fraction)))")
                let (x, y) = (left + Double(column) * cell, top + Double(row) * cell)
                var text = ""
                if cell >= 28 {
                    let color = fraction.squareRoot() > 0.55 ? "#ffffff" : Palette.ink
                    text =
                        "<text x=\"\(Markup.coordinate(x + cell / 2))\" y=\"\(Markup.coordinate(y + cell / 2))\" "
                        + "dy=\"0.32em\" text-anchor=\"middle\" font-size=\"10\" fill=\"\(color)\">\(count)</text>"
                }
                svg.append(
                    "<g><title>\(tip)</title><rect x=\"\(Markup.coordinate(x))\" y=\"\(Markup.coordinate(y))\" "
                        + "width=\"\(Markup.coordinate(cell))\" height=\"\(Markup.coordinate(cell))\" "
                        + "fill=\"\(Markup.blue(fraction.squareRoot()))\"/>\(text)</g>")
            }
        }
        svg.append(
            "<text x=\"\(Markup.coordinate(left + grid / 2))\" y=\"\(Int(height) - 6)\" class=\"label\" "
                + "text-anchor=\"middle\">predicted class →</text></svg>")
        let k = evaluation.classes
        let subset =
            shown.count < k
            ? " Showing the \(shown.count) of \(k) classes most involved in mistakes (as the true or the "
                + "predicted class), ordered by an average-linkage clustering of their confusion rates so "
                + "that classes mistaken for each other sit together; shares still count all of a class's "
                + "drawings."
            : ""
        return """
            <section id="confusion">
            <h2>Confusion matrix</h2>
            <p class="note">Rows are the true class, columns the predicted class; a cell's colour is the share \
            of the row's drawings predicted as that column, so the diagonal is each class's accuracy. Hover a \
            cell for its count; the table below lists the largest.\(subset)</p>
            <div class="scroll">\(svg.joined(separator: "\n"))</div>
            \(confusionScale())
            </section>
            """
    }

    /// The heatmap's colour key. Colours follow the square root of the share, so that the rare
    /// confusions, the interesting ones, are not lost next to the diagonal.
    private func confusionScale() -> String {
        let (x0, x1) = (10.0, 290.0)
        let stops = (0...10).map { i in
            let t = Double(i) / 10
            return "<stop offset=\"\(Markup.coordinate(t))\" stop-color=\"\(Markup.blue(t))\"/>"
        }
        let ticks = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1].map { share in
            let x = Markup.coordinate(x0 + (x1 - x0) * share.squareRoot())
            return "<line x1=\"\(x)\" x2=\"\(x)\" y1=\"20\" y2=\"25\" class=\"axis\"/>"
                + "<text x=\"\(x)\" y=\"37\" text-anchor=\"middle\" class=\"tick\">"
                + "\(Markup.percent(share, 0))</text>"
        }
        return """
            <svg class="scale" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 312 42" width="312" height="42" \
            role="img" aria-label="Colour key: share of the true class, from 0 to 100 percent">
            <defs><linearGradient id="confusion-scale">\(stops.joined())</linearGradient></defs>
            <rect x="\(Int(x0))" y="4" width="\(Int(x1 - x0))" height="16" fill="url(#confusion-scale)" \
            stroke="\(Palette.grid)"/>
            \(ticks.joined())
            </svg>
            """
    }
}
