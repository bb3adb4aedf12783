import DoodleData
import Foundation
import TestSupport

/// The 300 (strokes, Google bitmap) pairs of the shared data: line i of a category's simplified
/// ndjson is row i of its numpy_bitmap file for i < 20. A small reader of its own, so these tests do
/// not depend on the data layer's loaders.
enum GoogleBitmaps {
    static let categories = [
        "apple", "banana", "bicycle", "bird", "book", "bowtie", "cat", "diamond", "dog", "eye", "fish",
        "flower", "house", "lollipop", "rainbow",
    ]
    static let perCategory = 20

    struct Pair {
        var name: String
        var drawing: Drawing
        var bitmap: [UInt8]
    }

    /// All pairs, or `nil` (after printing why) when the shared data is absent.
    static func load() throws -> [Pair]? {
        guard let root = sharedDataDirectory else {
            print("skipping Google bitmap comparison: ../shared/data not found (set DOODLE_SHARED_DATA)")
            return nil
        }
        let quickdraw = root.appendingPathComponent("quickdraw")
        var pairs: [Pair] = []
        for category in categories {
            let strokesURL = quickdraw.appendingPathComponent("strokes/simplified_ndjson/\(category).ndjson")
            let bitmapURL = quickdraw.appendingPathComponent("bitmap/\(category).npy")
            let lines = try String(contentsOf: strokesURL, encoding: .utf8).split(separator: "\n")
            let rows = try npyRows(bitmapURL, count: perCategory, width: 784)
            for i in 0..<perCategory {
                let drawing = try strokes(fromNDJSONLine: String(lines[i]))
                pairs.append(Pair(name: "\(category)[\(i)]", drawing: drawing, bitmap: rows[i]))
            }
        }
        return pairs
    }

    /// The drawing of one line of Google's ndjson (`drawing` = `[[x...], [y...]]` per stroke).
    static func strokes(fromNDJSONLine line: String) throws -> Drawing {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        guard let raw = object?["drawing"] as? [[[Double]]] else {
            throw DataError("ndjson", "no drawing in line")
        }
        return Drawing(strokes: raw.map { Stroke(x: $0[0], y: $0[1]) })
    }

    /// The first `count` rows of a version-1 uint8 npy file; the header length is bytes 8–9.
    static func npyRows(_ url: URL, count: Int, width: Int) throws -> [[UInt8]] {
        let data = try Data(contentsOf: url)
        guard data.count > 10, data.starts(with: [0x93] + Array("NUMPY".utf8)), data[6] == 1 else {
            throw DataError(url.lastPathComponent, "not a version-1 npy file")
        }
        let start = 10 + Int(data[8]) + Int(data[9]) << 8
        guard data.count >= start + count * width else {
            throw DataError(url.lastPathComponent, "fewer than \(count) rows")
        }
        return (0..<count).map { i in
            Array(data[(start + i * width)..<(start + (i + 1) * width)])
        }
    }
}
