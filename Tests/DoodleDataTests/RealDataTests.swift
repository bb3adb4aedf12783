import DoodleData
import Foundation
import TestSupport
import Testing

/// The readers on the real files in `../shared/data`. Expected values were computed independently
/// with Python (gzip + numpy). Without the data these tests are skipped, with the reason shown.
@Suite(
    .enabled(if: sharedDataDirectory != nil, "needs the shared data (../shared/data or DOODLE_SHARED_DATA)"))
struct RealDataTests {
    let data = sharedDataDirectory ?? URL(fileURLWithPath: "/nonexistent")

    @Test func mnistTrainingSet() throws {
        let images = try IDX.readImages(from: data.appendingPathComponent("mnist/train-images-idx3-ubyte.gz"))
        let labels = try IDX.readLabels(from: data.appendingPathComponent("mnist/train-labels-idx1-ubyte.gz"))
        #expect(images.count == 60_000 && images.rows == 28 && images.columns == 28)
        #expect(labels.count == 60_000)
        #expect(Array(labels.prefix(10)) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        var counts = [Int](repeating: 0, count: 10)
        for label in labels { counts[Int(label)] += 1 }  // traps, failing the test, on a label > 9
        #expect(counts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        #expect(images.image(0).reduce(0) { $0 + Int($1) } == 27525)
        #expect(images.pixels.reduce(0) { $0 + Int($1) } == 1_567_298_545)
    }

    @Test func mnistTestSet() throws {
        let images = try IDX.readImages(from: data.appendingPathComponent("mnist/t10k-images-idx3-ubyte.gz"))
        let labels = try IDX.readLabels(from: data.appendingPathComponent("mnist/t10k-labels-idx1-ubyte.gz"))
        #expect(images.count == 10_000 && images.rows == 28 && images.columns == 28)
        #expect(Array(labels.prefix(10)) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
        #expect(labels.allSatisfy { $0 <= 9 })
        #expect(images.image(0).reduce(0) { $0 + Int($1) } == 18454)
    }

    /// Rows, and the ink in the first and last row, of Google's numpy_bitmap files.
    static let bitmaps: [(name: String, rows: Int, firstSum: Int, lastSum: Int)] = [
        ("airplane", 8380, 37218, 29900), ("apple", 2495, 26080, 28826), ("banana", 3494, 28735, 24688),
        ("bicycle", 2495, 35690, 23639), ("bird", 3494, 11460, 34760), ("book", 3494, 42191, 54514),
        ("bowtie", 4495, 35780, 31891), ("cat", 3494, 39550, 37412), ("circle", 4500, 29948, 25262),
        ("clock", 3499, 49340, 43420), ("crown", 4499, 27488, 33603), ("diamond", 2495, 26109, 35336),
        ("dog", 3494, 44218, 29152), ("eye", 2495, 24968, 37911), ("fish", 2495, 26499, 21590),
        ("flower", 3494, 29705, 30091), ("house", 3494, 36231, 44315), ("lollipop", 4495, 15160, 19268),
        ("rainbow", 4495, 21492, 36264), ("skull", 4500, 52802, 21962), ("smiley face", 4500, 37215, 42109),
        ("square", 4500, 31213, 28508), ("star", 4500, 35738, 43248),
    ]

    @Test(arguments: bitmaps)
    func quickDrawBitmap(name: String, rows: Int, firstSum: Int, lastSum: Int) throws {
        let array = try NpyArray(contentsOf: data.appendingPathComponent("quickdraw/bitmap/\(name).npy"))
        #expect(array.shape == [rows, 784] && array.dtype == .uint8)
        #expect(array.row(0).reduce(0) { $0 + Int($1) } == firstSum)
        #expect(array.row(rows - 1).reduce(0) { $0 + Int($1) } == lastSum)
    }

    @Test func simplifiedStrokeFiles() throws {
        let directory = data.appendingPathComponent("quickdraw/strokes/simplified_ndjson")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".ndjson")
        }
        #expect(names.count == 344)
        for name in names {
            let result = try QuickDrawNDJSON.read(from: directory.appendingPathComponent(name))
            let word = String(name.dropLast(".ndjson".count))
            #expect(result.drawings.count == (word == "monkey" ? 500 : 20), "\(name)")
            #expect(
                result.drawings.allSatisfy { $0.word == word && $0.keyID != nil && $0.countryCode != nil })
            let inRange = result.drawings.allSatisfy { drawing in
                drawing.strokes.allSatisfy {
                    ($0.x + $0.y).allSatisfy { (0...255).contains($0) } && $0.t == nil
                }
            }
            #expect(inRange, "\(name): simplified coordinates lie in 0...255")
        }
    }

    @Test func sketchRNNStrokeFiles() throws {
        let directory = data.appendingPathComponent("quickdraw/strokes/sketchrnn_ndjson")
        for word in ["alarm clock", "face", "pig", "radio"] {
            let result = try QuickDrawNDJSON.read(from: directory.appendingPathComponent("\(word).ndjson"))
            #expect(result.drawings.count == 2000)
            #expect(result.drawings.allSatisfy { $0.word == word && !$0.strokes.isEmpty })
            let extent = result.drawings.map { $0.strokes.flatMap(\.x).max() ?? 0 }.max() ?? 0
            #expect(extent > 255, "sketch-rnn drawings are not scaled to 0...255")
        }
    }
}
