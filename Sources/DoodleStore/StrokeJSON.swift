import DoodleData
import Foundation

/// Strokes in Google's raw ndjson form, `[[[x, ...], [y, ...], [t, ...]], ...]` (no third array for
/// a stroke without times): how the store keeps them and how `doodle drawings export` writes them.
public enum StrokeJSON {
    /// The JSON text of `strokes`, each number in its shortest exact form.
    public static func encode(_ strokes: [Stroke]) -> String {
        func list(_ values: [Double]) -> String {
            "[" + values.map(number).joined(separator: ",") + "]"
        }
        return "["
            + strokes.map { stroke in
                let times = stroke.t.map { "," + list($0) } ?? ""
                return "[" + list(stroke.x) + "," + list(stroke.y) + times + "]"
            }.joined(separator: ",") + "]"
    }

    /// A whole number without a fraction (`12`, not `12.0`), anything else as Swift prints it.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Strokes from arrays as a client sent them, keeping times that are there.
    ///
    /// - Throws: `DataError` naming the stroke at fault: the checks of `Stroke.strokes(fromArrays:)`,
    ///   and times that are not finite, negative, or not one per point.
    public static func strokes(fromArrays arrays: [[[Double]]], name: String, maxCoordinate: Double) throws
        -> [Stroke]
    {
        var strokes = try Stroke.strokes(fromArrays: arrays, name: name, maxCoordinate: maxCoordinate)
        for (index, stroke) in arrays.enumerated() where stroke.count == 3 {
            let times = stroke[2]
            guard times.count == stroke[0].count else {
                throw DataError(
                    name, "stroke \(index) has \(stroke[0].count) points but \(times.count) times")
            }
            if let bad = times.firstIndex(where: { !($0.isFinite && $0 >= 0 && $0 < 1e13) }) {
                throw DataError(
                    name, "stroke \(index), time \(bad): \(times[bad]) is not a time in milliseconds")
            }
            strokes[index].t = times
        }
        return strokes
    }

    /// Strokes the store kept, read back with the same checks.
    static func decode(_ text: String, name: String) throws -> [Stroke] {
        let arrays: [[[Double]]]
        do {
            arrays = try JSONDecoder().decode([[[Double]]].self, from: Data(text.utf8))
        } catch {
            throw DataError(name, "the stored strokes are not valid JSON: \(error)")
        }
        return try strokes(fromArrays: arrays, name: name, maxCoordinate: .greatestFiniteMagnitude)
    }
}
