/// The report's SVG charts: training curves and the reliability diagram.
extension EvaluationReport {
    func trainingCurvesSection() -> String {
        guard !trainingLog.isEmpty else {
            return section(
                "training-curves", "Training curves",
                note: "No training log was given, so there are no curves to show.")
        }
        let log = trainingLog.sorted { $0.epoch < $1.epoch }
        func points(_ value: (EpochRecord) -> Double?) -> [(x: Double, y: Double)] {
            log.compactMap { record in value(record).map { (Double(record.epoch), $0) } }
        }
        let loss = LineChart(
            title: "Loss", yLabel: "cross-entropy loss", yFormat: { Markup.fixed($0, 2) },
            series: [
                .init(name: "train", color: Palette.blue, dashed: false, points: points { $0.trainLoss }),
                .init(
                    name: "validation", color: Palette.vermillion, dashed: true, points: points { $0.valLoss }
                ),
            ])
        let accuracy = LineChart(
            title: "Accuracy", yLabel: "accuracy", yFormat: { Markup.percent($0, 0) }, yLimits: (0, 1),
            series: [
                .init(
                    name: "train top-1", color: Palette.blue, dashed: false, points: points { $0.trainTop1 }),
                .init(
                    name: "val top-1", color: Palette.vermillion, dashed: true, points: points { $0.valTop1 }),
                .init(name: "val top-5", color: Palette.green, dashed: true, points: points { $0.valTop5 }),
            ])
        let last = log[log.count - 1]
        let pace = "\(Markup.grouped(Int(last.imagesPerSecond.rounded()))) images/s in the last epoch"
        let time = "\(Markup.fixed(last.seconds / 60, 1)) minutes in all"
        return """
            <section id="training-curves">
            <h2>Training curves</h2>
            <p class="note">\(log.count) epochs, \(Markup.grouped(last.step)) steps; \(pace); \(time).</p>
            <div class="charts">
            <figure><figcaption>Loss</figcaption>\(loss.svg())</figure>
            <figure><figcaption>Accuracy</figcaption>\(accuracy.svg())</figure>
            </div>
            </section>
            """
    }

    func reliabilitySection() -> String {
        let bins = evaluation.reliability
        let (width, height) = (440.0, 400.0)
        let plot = (left: 56.0, right: 416.0, top: 40.0, bottom: 280.0)
        let strip = (top: 316.0, bottom: 360.0)
        let x = LinearScale(domain: (0, 1), range: (plot.left, plot.right))
        let y = LinearScale(domain: (0, 1), range: (plot.bottom, plot.top))
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
                + "role=\"img\" aria-label=\"Reliability diagram: accuracy against confidence\">"
        ]
        for tick in stride(from: 0.0, through: 1.0001, by: 0.2) {
            let (px, py) = (Markup.coordinate(x(tick)), Markup.coordinate(y(tick)))
            svg.append(
                "<line x1=\"\(Int(plot.left))\" x2=\"\(Int(plot.right))\" y1=\"\(py)\" y2=\"\(py)\" "
                    + "class=\"grid\"/><text x=\"\(Int(plot.left) - 6)\" y=\"\(py)\" class=\"tick\" "
                    + "text-anchor=\"end\" dy=\"0.32em\">\(Markup.percent(tick, 0))</text>"
                    + "<text x=\"\(px)\" y=\"\(Int(strip.bottom) + 16)\" class=\"tick\" "
                    + "text-anchor=\"middle\">\(Markup.percent(tick, 0))</text>")
        }
        let largest = Double(bins.map(\.count).max() ?? 1)
        for bin in bins where bin.count > 0 {
            let (x0, x1) = (x(bin.lower) + 1, x(bin.upper) - 1)
            let barWidth = Markup.coordinate(x1 - x0)
            let (top, gapTop) = (y(bin.accuracy), y(bin.meanConfidence))
            let tip = Markup.escape(
                "confidence \(Markup.percent(bin.lower, 0))–\(Markup.percent(bin.upper, 0)): "
                    + "\(bin.count) examples, accuracy \(Markup.percent(bin.accuracy)), "
                    + "mean confidence \(Markup.percent(bin.meanConfidence))")
            let stripHeight = max(1, (strip.bottom - strip.top) * Double(bin.count) / largest)
            let confidenceY = Markup.coordinate(gapTop)
            // The gap goes under the bar, so it shows only where confidence outruns accuracy; the
            // mean-confidence line on top shows both directions.
            svg.append(
                "<g><title>\(tip)</title>"
                    + "<rect x=\"\(Markup.coordinate(x0))\" y=\"\(confidenceY)\" width=\"\(barWidth)\" "
                    + "height=\"\(Markup.coordinate(max(0, top - gapTop)))\" fill=\"\(Palette.vermillion)\" "
                    + "fill-opacity=\"0.25\"/>"
                    + "<rect x=\"\(Markup.coordinate(x0))\" y=\"\(Markup.coordinate(top))\" width=\"\(barWidth)\" "
                    + "height=\"\(Markup.coordinate(plot.bottom - top))\" fill=\"\(Palette.blue)\"/>"
                    + "<line x1=\"\(Markup.coordinate(x0))\" x2=\"\(Markup.coordinate(x1))\" y1=\"\(confidenceY)\" "
                    + "y2=\"\(confidenceY)\" stroke=\"\(Palette.vermillion)\" stroke-width=\"3\"/>"
                    + "<rect x=\"\(Markup.coordinate(x0))\" y=\"\(Markup.coordinate(strip.bottom - stripHeight))\" "
                    + "width=\"\(barWidth)\" height=\"\(Markup.coordinate(stripHeight))\" fill=\"\(Palette.axis)\"/>"
                    + "</g>")
        }
        svg += [
            "<line x1=\"\(Int(plot.left))\" y1=\"\(Int(plot.bottom))\" x2=\"\(Int(plot.right))\" "
                + "y2=\"\(Int(plot.top))\" stroke=\"\(Palette.ink)\" stroke-dasharray=\"5 4\"/>",
            "<line x1=\"\(Int(plot.left))\" x2=\"\(Int(plot.right))\" y1=\"\(Int(strip.bottom))\" "
                + "y2=\"\(Int(strip.bottom))\" class=\"axis\"/>",
            "<text x=\"\(Int(plot.left) - 6)\" y=\"\(Int(strip.top) + 10)\" class=\"tick\" "
                + "text-anchor=\"end\">count</text>",
            "<text x=\"\(Int((plot.left + plot.right) / 2))\" y=\"\(Int(height) - 6)\" class=\"label\" "
                + "text-anchor=\"middle\">top-1 confidence</text>",
            "<text transform=\"translate(14 \(Int((plot.top + plot.bottom) / 2))) rotate(-90)\" "
                + "class=\"label\" text-anchor=\"middle\">accuracy</text>",
            LineChart.legend(
                [
                    ("accuracy", Palette.blue, false, true),
                    ("mean confidence", Palette.vermillion, false, false),
                    ("ideal", Palette.ink, true, false),
                ], x: plot.left, y: 16),
            "</svg>",
        ]
        return """
            <section id="reliability">
            <h2>Reliability</h2>
            <p class="note">Top-1 confidence in 15 equal bins against the accuracy in each. Where the \
            orange mean-confidence line sits above its bar (shaded), the model was overconfident; on the \
            dashed diagonal, it is as sure as it is right. \
            Expected calibration error \(Markup.fixed(evaluation.expectedCalibrationError, 3)); the grey \
            strip shows how many drawings fall in each bin.</p>
            <div class="split">
            <figure class="narrow">\(svg.joined(separator: "\n"))</figure>
            \(reliabilityTable())
            </div>
            </section>
            """
    }

    /// The non-empty bins as numbers, beside the diagram.
    private func reliabilityTable() -> String {
        let rows = evaluation.reliability.filter { $0.count > 0 }.map { bin in
            """
            <tr><td>\(Markup.percent(bin.lower, 0))–\(Markup.percent(bin.upper, 0))</td>\
            <td class="num">\(Markup.grouped(bin.count))</td><td class="num">\(Markup.percent(bin.meanConfidence))</td>\
            <td class="num">\(Markup.percent(bin.accuracy))</td></tr>
            """
        }
        return """
            <div class="scroll"><table class="compact">
            <thead><tr><th>Bin</th><th class="num">Drawings</th><th class="num">Confidence</th>\
            <th class="num">Accuracy</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table></div>
            """
    }
}
