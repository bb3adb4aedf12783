/// A line chart of a few series against epoch, as inline SVG with axes, ticks, labels and a legend.
///
/// Lines differ in dash as well as colour, so the chart still reads in grey. Non-finite values (a
/// diverged loss) are left out rather than drawn off the chart.
struct LineChart {
    /// One line.
    struct Series {
        var name: String
        var color: String
        var dashed: Bool
        var points: [(x: Double, y: Double)]
    }

    static let width = 440.0
    static let height = 300.0
    static let plot = (left: 60.0, right: 426.0, top: 44.0, bottom: 250.0)

    var title: String
    var yLabel: String
    var xLabel = "epoch"
    var yFormat: (Double) -> String
    var yLimits: (low: Double, high: Double)?
    var series: [Series]

    init(
        title: String, yLabel: String, yFormat: @escaping (Double) -> String,
        yLimits: (low: Double, high: Double)? = nil, series: [Series]
    ) {
        self.title = title
        self.yLabel = yLabel
        self.yFormat = yFormat
        self.yLimits = yLimits
        self.series = series.map { line in
            var finite = line
            finite.points = line.points.filter { $0.x.isFinite && $0.y.isFinite }
            return finite
        }
    }

    /// The chart as an `<svg>` element that scales to its container's width.
    func svg() -> String {
        let plot = Self.plot
        let all = series.flatMap(\.points)
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" "
                + "role=\"img\" aria-label=\"\(Markup.escape(title)) against \(xLabel)\">"
        ]
        guard let first = all.first else {
            svg.append(
                "<text x=\"260\" y=\"160\" class=\"label\" text-anchor=\"middle\">no data</text></svg>")
            return svg.joined()
        }
        let xs = all.map(\.x)
        var ys = all.map(\.y)
        if let yLimits { ys = ys.map { min(max($0, yLimits.low), yLimits.high) } }
        let xTicks = Markup.ticks(xs.min() ?? first.x, xs.max() ?? first.x, target: 6, minimumStep: 1)
        var yTicks = Markup.ticks(ys.min() ?? first.y, ys.max() ?? first.y, target: 5)
        if let yLimits {
            yTicks = yTicks.filter { $0 >= yLimits.low - 1e-9 && $0 <= yLimits.high + 1e-9 }
        }
        let x = LinearScale(domain: (xTicks[0], xTicks[xTicks.count - 1]), range: (plot.left, plot.right))
        let y = LinearScale(domain: (yTicks[0], yTicks[yTicks.count - 1]), range: (plot.bottom, plot.top))
        for tick in yTicks {
            let py = Markup.coordinate(y(tick))
            svg.append(
                "<line x1=\"\(Int(plot.left))\" x2=\"\(Int(plot.right))\" y1=\"\(py)\" y2=\"\(py)\" class=\"grid\"/>"
                    + "<text x=\"\(Int(plot.left) - 8)\" y=\"\(py)\" dy=\"0.32em\" class=\"tick\" "
                    + "text-anchor=\"end\">\(Markup.escape(yFormat(tick)))</text>")
        }
        for tick in xTicks {
            let px = Markup.coordinate(x(tick))
            svg.append(
                "<line x1=\"\(px)\" x2=\"\(px)\" y1=\"\(Int(plot.bottom))\" y2=\"\(Int(plot.bottom) + 5)\" "
                    + "class=\"axis\"/><text x=\"\(px)\" y=\"\(Int(plot.bottom) + 20)\" class=\"tick\" "
                    + "text-anchor=\"middle\">\(Markup.fixed(tick, 0))</text>")
        }
        svg += [
            "<line x1=\"\(Int(plot.left))\" x2=\"\(Int(plot.right))\" y1=\"\(Int(plot.bottom))\" "
                + "y2=\"\(Int(plot.bottom))\" class=\"axis\"/>",
            "<line x1=\"\(Int(plot.left))\" x2=\"\(Int(plot.left))\" y1=\"\(Int(plot.top))\" "
                + "y2=\"\(Int(plot.bottom))\" class=\"axis\"/>",
            "<text x=\"\(Int((plot.left + plot.right) / 2))\" y=\"\(Int(Self.height) - 8)\" class=\"label\" "
                + "text-anchor=\"middle\">\(Markup.escape(xLabel))</text>",
            "<text transform=\"translate(16 \(Int((plot.top + plot.bottom) / 2))) rotate(-90)\" "
                + "class=\"label\" text-anchor=\"middle\">\(Markup.escape(yLabel))</text>",
        ]
        for line in series where !line.points.isEmpty {
            let path = line.points.enumerated().map { i, point in
                "\(i == 0 ? "M" : "L")\(Markup.coordinate(x(point.x))) \(Markup.coordinate(y(point.y)))"
            }
            let dash = line.dashed ? " stroke-dasharray=\"7 4\"" : ""
            svg.append(
                "<path d=\"\(path.joined(separator: " "))\" fill=\"none\" stroke=\"\(line.color)\" "
                    + "stroke-width=\"2.5\" stroke-linejoin=\"round\"\(dash)/>")
            if line.points.count <= 60 {
                svg += line.points.map { point in
                    "<circle cx=\"\(Markup.coordinate(x(point.x)))\" cy=\"\(Markup.coordinate(y(point.y)))\" "
                        + "r=\"3\" fill=\"\(line.color)\"><title>\(Markup.escape(line.name)) epoch "
                        + "\(Markup.fixed(point.x, 0)): \(Markup.escape(yFormat(point.y)))</title></circle>"
                }
            }
        }
        let entries = series.filter { !$0.points.isEmpty }.map { ($0.name, $0.color, $0.dashed, false) }
        svg.append(Self.legend(entries, x: plot.left, y: 18))
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    /// A one-row legend at (`x`, `y`): a line sample (dashed or not) or a filled square, then the name.
    static func legend(
        _ entries: [(name: String, color: String, dashed: Bool, filled: Bool)], x: Double, y: Double
    ) -> String {
        var cursor = x
        var items: [String] = []
        for entry in entries {
            let sample: String
            if entry.filled {
                sample =
                    "<rect x=\"\(Markup.coordinate(cursor))\" y=\"\(Markup.coordinate(y - 6))\" width=\"12\" "
                    + "height=\"12\" fill=\"\(entry.color)\"/>"
            } else {
                let dash = entry.dashed ? " stroke-dasharray=\"7 4\"" : ""
                sample =
                    "<line x1=\"\(Markup.coordinate(cursor))\" x2=\"\(Markup.coordinate(cursor + 24))\" "
                    + "y1=\"\(Markup.coordinate(y))\" y2=\"\(Markup.coordinate(y))\" stroke=\"\(entry.color)\" "
                    + "stroke-width=\"2.5\"\(dash)/>"
            }
            let textX = cursor + (entry.filled ? 18 : 30)
            items.append(
                sample
                    + "<text x=\"\(Markup.coordinate(textX))\" y=\"\(Markup.coordinate(y))\" dy=\"0.32em\" "
                    + "class=\"legend\">\(Markup.escape(entry.name))</text>")
            // About 8 px a character at the legend's 12-14 px font, then a gap before the next entry.
            cursor = textX + Double(entry.name.count) * 8 + 18
        }
        return "<g>\(items.joined())</g>"
    }
}
