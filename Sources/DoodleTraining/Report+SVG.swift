import Foundation

/// Text escaping, number formatting, axis ticks and colours shared by the report's sections.
enum Markup {
    /// `text` safe inside HTML or SVG text and inside double- or single-quoted attributes.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// `value` with `decimals` digits after the point, or "–" when it is not finite.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "–" }
        let text = String(format: "%.\(decimals)f", value)
        // "-0.0" reads as a bug in a table of non-negative numbers.
        return text.allSatisfy({ "-0.".contains($0) }) ? String(text.drop(while: { $0 == "-" })) : text
    }

    /// A fraction as a percentage: 0.7234 → "72.3%".
    static func percent(_ fraction: Double, _ decimals: Int = 1) -> String {
        guard fraction.isFinite else { return "–" }
        return fixed(fraction * 100, decimals) + "%"
    }

    /// A coordinate for SVG: at most two decimals, no trailing zeros.
    static func coordinate(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = fixed(rounded, 2)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// `text` cut to `limit` characters with an ellipsis, for axis labels; the full name goes in a title.
    static func truncate(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// Round-number ticks covering `low...high`: steps of 1, 2 or 5 times a power of ten, about
    /// `target` of them. The first tick is at or below `low`, the last at or above `high`.
    static func ticks(_ low: Double, _ high: Double, target: Int = 5, minimumStep: Double = 0) -> [Double] {
        let span = max(high - low, 1e-9)
        let raw = span / Double(max(target, 1))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = max(
            [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw * 0.999 } ?? 10 * magnitude,
            minimumStep)
        let first = (low / step + 1e-9).rounded(.down) * step
        let last = (high / step - 1e-9).rounded(.up) * step
        let count = Int(((last - first) / step).rounded())
        return (0...max(count, 1)).map { first + Double($0) * step }
    }

    /// A colour for `t` in 0...1 on a light-to-dark blue scale (ColorBrewer "Blues"), readable by
    /// people with any common colour-vision deficiency since it varies in lightness.
    static func blue(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107),
        ]
        let x = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2)
        let f = x - Double(i)
        let (a, b) = (stops[i], stops[i + 1])
        let channels = [a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f]
        return "#" + channels.map { hex(Int($0.rounded())) }.joined()
    }

    private static func hex(_ value: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[value / 16], digits[value % 16]])
    }
}

/// The Okabe–Ito palette: distinguishable with any common colour-vision deficiency.
enum Palette {
    static let blue = "#0072B2"
    static let vermillion = "#D55E00"
    static let green = "#009E73"
    static let orange = "#E69F00"
    static let sky = "#56B4E9"
    static let grid = "#e3e7ec"
    static let axis = "#6b7785"
    static let ink = "#1f2933"
}

/// A linear map from a data interval onto a pixel interval (which may run backwards, as y does).
struct LinearScale {
    var domain: (low: Double, high: Double)
    var range: (low: Double, high: Double)

    /// The pixel position of `value`.
    func callAsFunction(_ value: Double) -> Double {
        let span = domain.high - domain.low
        let t = span == 0 ? 0.5 : (value - domain.low) / span
        return range.low + t * (range.high - range.low)
    }
}
