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

    /// Rows, and the ink in the first and last row, of Google's numpy_bitmap files as of 2026-12-03; and
    /// the rows each file had before, whose last row must be unchanged (rows were only appended).
    static let bitmaps:
        [(name: String, rows: Int, firstSum: Int, lastSum: Int, old: (rows: Int, lastSum: Int)?)] = [
            ("airplane", 9262, 37218, 27150, (8380, 29900)), ("apple", 4304, 26080, 30878, (2495, 28826)),
            ("banana", 4404, 28735, 27468, (3494, 24688)), ("bicycle", 4304, 35690, 46210, (2495, 23639)),
            ("bird", 4403, 11460, 25042, (3494, 34760)), ("book", 3504, 42191, 54131, (3494, 54514)),
            ("bowtie", 4505, 35780, 26293, (4495, 31891)), ("cat", 6970, 39550, 36712, (3494, 37412)),
            ("circle", 5361, 29948, 27968, (4500, 25262)), ("crown", 5370, 27488, 41510, (4499, 33603)),
            ("diamond", 2505, 26109, 19554, (2495, 35336)), ("dog", 4404, 44218, 31023, (3494, 29152)),
            ("eye", 2504, 24968, 34746, (2495, 37911)), ("fish", 4738, 26499, 27269, (2495, 21590)),
            ("flower", 4403, 29705, 29338, (3494, 30091)), ("house", 4404, 36231, 34351, (3494, 44315)),
            ("lollipop", 4504, 15160, 35996, (4495, 19268)), ("rainbow", 7047, 21492, 24102, (4495, 36264)),
            ("skull", 5361, 52802, 43430, (4500, 21962)), ("smiley face", 5361, 37215, 27819, (4500, 42109)),
            ("square", 5360, 31213, 29999, (4500, 28508)), ("star", 4508, 35738, 27043, (4500, 43248)),
            // The old clock.npy, which was Google's alarm clock file: held-back rows were removed from it,
            // so its old rows moved.
            ("alarm clock", 3492, 49340, 30254, nil),
            // New in December 2026: real clocks, and words the 27-class model never knew.
            ("clock", 4980, 31620, 33367, nil), ("car", 4997, 25969, 31261, nil),
            ("tree", 4982, 38764, 39316, nil), ("guitar", 4976, 31062, 13529, nil),
            ("sun", 4505, 30304, 29528, nil),
        ]

    @Test(
        arguments: bitmaps.map {
            ($0.name, $0.rows, $0.firstSum, $0.lastSum, $0.old?.rows ?? 0, $0.old?.lastSum ?? 0)
        })
    func quickDrawBitmap(name: String, rows: Int, firstSum: Int, lastSum: Int, oldRows: Int, oldLastSum: Int)
        throws
    {
        let array = try NpyArray(contentsOf: data.appendingPathComponent("quickdraw/bitmap/\(name).npy"))
        #expect(array.shape == [rows, 784] && array.dtype == .uint8)
        #expect(array.row(0).reduce(0) { $0 + Int($1) } == firstSum)
        #expect(array.row(rows - 1).reduce(0) { $0 + Int($1) } == lastSum)
        if oldRows > 0 {
            #expect(
                array.row(oldRows - 1).reduce(0) { $0 + Int($1) } == oldLastSum, "appended rows come last")
        }
    }

    @Test func bitmapFolderCoversGooglesCategories() throws {
        let folder = data.appendingPathComponent("quickdraw/bitmap")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".npy") }.map { String($0.dropLast(4)) }
        #expect(names.count == 344)
        #expect(Set(names).isSubset(of: QuickDrawCategories.all), "every file is one of Google's 345 words")
        #expect(!names.contains("clock") || names.contains("alarm clock"))
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
