import DoodleData
import Foundation

/// The report's header, per-class bars, most-confused table and gallery: plain HTML with inline CSS.
extension EvaluationReport {
    func header() -> String {
        let e = evaluation
        let facts = [
            ("Architecture", architecture), ("Data", data),
            ("Examples", Markup.grouped(e.count)), ("Classes", Markup.grouped(e.classes)),
        ]
        let stats = [
            (Markup.percent(e.top1), "Top-1 accuracy", ""),
            (Markup.percent(e.top5), "Top-5 accuracy", ""),
            (Markup.fixed(e.map3, 3), "MAP@3", "Kaggle Quick, Draw! score"),
            (Markup.fixed(e.expectedCalibrationError, 3), "ECE", "calibration error, lower is better"),
        ]
        let factItems = facts.map { "<div><dt>\($0.0)</dt><dd>\(Markup.escape($0.1))</dd></div>" }
        let statItems = stats.map { value, label, hint in
            let hintItem = hint.isEmpty ? "" : "<span class=\"hint\">\(hint)</span>"
            return "<div class=\"stat\"><span class=\"value\">\(value)</span>"
                + "<span class=\"label\">\(label)</span>\(hintItem)</div>"
        }
        return """
            <header class="hero">
            <p class="eyebrow">Evaluation report</p>
            <h1>\(Markup.escape(modelName))</h1>
            <dl class="facts">\(factItems.joined())</dl>
            <div class="stats">\(statItems.joined())</div>
            <p class="note">Top-3 accuracy \(Markup.percent(e.top3)).</p>
            </header>
            """
    }

    func perClassSection() -> String {
        let results = evaluation.perClass.enumerated()
        let evaluated = results.filter { $0.element.count > 0 }
            .sorted { ($0.element.accuracy, $0.offset) < ($1.element.accuracy, $1.offset) }
        let empty = results.filter { $0.element.count == 0 }
        var rows = evaluated.map { _, result in
            let name = Markup.escape(result.name)
            let tip = Markup.escape(
                "\(result.name): top-1 \(Markup.percent(result.accuracy)), top-5 "
                    + "\(Markup.percent(result.top5)), \(result.count) examples")
            return """
                <div class="bar-row" title="\(tip)"><span class="bar-name">\(name)</span>\
                <span class="bar-track"><span class="bar-top5" style="width:\(Markup.percent(result.top5, 2))">\
                </span><span class="bar-top1" style="width:\(Markup.percent(result.accuracy, 2))"></span></span>\
                <span class="bar-value">\(Markup.percent(result.accuracy))</span>\
                <span class="bar-count muted">\(result.count)</span></div>
                """
        }
        rows += empty.map { _, result in
            """
            <div class="bar-row"><span class="bar-name">\(Markup.escape(result.name))</span>\
            <span class="bar-track"></span><span class="bar-value muted">none</span>\
            <span class="bar-count muted">0</span></div>
            """
        }
        return """
            <section id="per-class">
            <h2>Per-class accuracy</h2>
            <p class="note">Worst class first. Dark bar: top-1 accuracy (the number); light bar: top-5; \
            last column: the class's drawings in this evaluation. A class with few drawings has few here, so \
            its accuracy moves in large steps: read it with its count.</p>
            <div class="bars">
            \(rows.joined(separator: "\n"))
            </div>
            </section>
            """
    }

    func mostConfusedSection() -> String {
        let pairs = evaluation.mostConfused
        guard !pairs.isEmpty else {
            return section(
                "most-confused", "Most-confused pairs", note: "No class was ever mistaken for another.")
        }
        let rows = pairs.enumerated().map { rank, pair in
            """
            <tr><td class="num">\(rank + 1)</td><td>\(Markup.escape(pair.trueName))</td>\
            <td>\(Markup.escape(pair.predictedName))</td><td class="num">\(Markup.grouped(pair.count))</td>\
            <td class="num">\(Markup.percent(pair.fraction))</td></tr>
            """
        }
        return """
            <section id="most-confused">
            <h2>Most-confused pairs</h2>
            <p class="note">The \(pairs.count) commonest mistakes; the share is of all drawings of the true class.</p>
            <div class="scroll"><table>
            <thead><tr><th class="num">#</th><th>True class</th><th>Predicted as</th>\
            <th class="num">Count</th><th class="num">Share</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table></div>
            </section>
            """
    }

    func gallerySection() -> String {
        let worst = evaluation.worstMisclassified
        guard !worst.isEmpty else {
            return section("gallery", "Worst misclassified drawings", note: "No drawing was misclassified.")
        }
        let side = Self.bitmapSide
        let figures = worst.map { example in
            let first = example.guesses.first
            let guessed = first.map { "\(Markup.escape($0.name)) \(Markup.fixed(Double($0.probability), 2))" }
            let caption = "true: \(Markup.escape(example.labelName)) — guessed: \(guessed ?? "?")"
            let runnersUp = example.guesses.dropFirst()
                .map { "<span>\(Markup.escape($0.name)) \(Markup.fixed(Double($0.probability), 2))</span>" }
            let details =
                (runnersUp.isEmpty ? "" : "then \(runnersUp.joined(separator: ", "))<br>")
                + "<span>p(true) \(Markup.probability(example.trueProbability))</span> · "
                + "<span>example \(example.index)</span>"
            let image: String
            if let bitmap = bitmaps[example.index] {
                // Stored as ink 255 on background 0; shown as dark ink on light paper.
                let png = PNG.encode(GrayImage(width: side, height: side, pixels: bitmap.map { 255 - $0 }))
                let alt = Markup.escape("drawing of \(example.labelName), guessed \(first?.name ?? "?")")
                let uri = "data:image/png;base64," + Data(png).base64EncodedString()
                image = "<img src=\"\(uri)\" width=\"112\" height=\"112\" alt=\"\(alt)\">"
            } else {
                image = "<div class=\"no-image\">no bitmap</div>"
            }
            return """
                <figure class="drawing">\(image)<figcaption>\(caption)</figcaption>\
                <p class="details">\(details)</p></figure>
                """
        }
        return """
            <section id="gallery">
            <h2>Worst misclassified drawings</h2>
            <p class="note">The \(worst.count) mistakes with the lowest probability on the true class.</p>
            <div class="gallery">
            \(figures.joined(separator: "\n"))
            </div>
            </section>
            """
    }

    /// A section holding only a heading and a note, for one with nothing to show.
    func section(_ id: String, _ heading: String, note: String) -> String {
        "<section id=\"\(id)\">\n<h2>\(heading)</h2>\n<p class=\"note\">\(note)</p>\n</section>"
    }
}

extension Markup {
    /// A probability to two decimals, or to two significant digits below 0.01 (0.0032, 4.1e-05), so
    /// the gallery's tiny true-class probabilities stay distinguishable.
    static func probability(_ value: Float) -> String {
        let p = Double(value)
        return p >= 0.01 || p == 0 ? fixed(p, 2) : String(format: "%.2g", p)
    }

    /// An integer with thin groups of three digits: 12345 → "12,345".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }
}
