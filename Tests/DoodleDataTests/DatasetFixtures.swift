import DoodleData
import Foundation

/// Small dataset folders written for the dataset tests.
enum DatasetFixtures {
    /// A numpy_bitmap file `name.npy` of `rows` rows; row `i` is filled with `(seed + i) % 256` so a
    /// test can tell which row an image is.
    @discardableResult
    static func bitmaps(_ name: String, rows: Int, seed: Int = 0, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("\(name).npy")
        let pixels = (0..<rows).flatMap { [UInt8](repeating: UInt8((seed + $0) % 256), count: 784) }
        try NpyWriter.write(pixels, shape: [rows, 784], to: url)
        return url
    }

    /// A simplified drawing: a diagonal line from (0, 0) to (255, 255) with a kink at `i`.
    static func drawing(_ i: Int) -> Drawing {
        let k = Double(20 + (i * 37) % 200)
        return Drawing(strokes: [
            Stroke(x: [0, k, 255], y: [0, 255 - k, 255]), Stroke(x: [10, 60], y: [200, 220]),
        ])
    }

    /// One ndjson line for `drawing`.
    static func line(_ drawing: Drawing, word: String = "thing") -> String {
        func numbers(_ values: [Double]) -> String {
            "[" + values.map { $0.rounded() == $0 ? String(Int($0)) : String($0) }.joined(separator: ",")
                + "]"
        }
        let strokes = drawing.strokes.map { "[\(numbers($0.x)),\(numbers($0.y))]" }.joined(separator: ",")
        return #"{"word":"\#(word)","key_id":"1","drawing":[\#(strokes)]}"#
    }

    /// An ndjson file `name.ndjson` of `count` simplified drawings, plus `extra` lines as given.
    @discardableResult
    static func strokes(_ name: String, count: Int, extra: [String] = [], in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("\(name).ndjson")
        let lines = (0..<count).map { line(drawing($0), word: name) } + extra
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url
    }

    /// A `.bin` file `name.bin` of `count` simplified drawings.
    @discardableResult
    static func binary(_ name: String, count: Int, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("\(name).bin")
        try QuickDrawBinary.write((0..<count).map { drawing($0 + 1000) }, to: url)
        return url
    }

    /// MNIST's four files in `folder`: `train` and `test` images whose pixels are all `row % 256`,
    /// with label `row % 10`; gzip-compressed when `gzip` is true.
    static func mnist(train: Int, test: Int, gzip: Bool, in folder: URL) throws {
        func write(_ bytes: [UInt8], _ name: String) throws {
            let data = gzip ? gzipStored(bytes) : bytes
            try Data(data).write(to: folder.appendingPathComponent(name + (gzip ? ".gz" : "")))
        }
        for (prefix, count) in [("train", train), ("t10k", test)] {
            let images =
                bigEndian(UInt32(2051)) + bigEndian(UInt32(count)) + bigEndian(UInt32(28))
                + bigEndian(UInt32(28))
                + (0..<count).flatMap { [UInt8](repeating: UInt8($0 % 256), count: 784) }
            let labels =
                bigEndian(UInt32(2049)) + bigEndian(UInt32(count)) + (0..<count).map { UInt8($0 % 10) }
            try write(images, "\(prefix)-images-idx3-ubyte")
            try write(labels, "\(prefix)-labels-idx1-ubyte")
        }
    }

    /// The row number a fixture image of `bitmaps` encodes.
    static func row(of images: LabeledImages, _ index: Int) -> Int { Int(images.image(index).first!) }
}
