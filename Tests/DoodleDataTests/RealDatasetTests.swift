import DoodleData
import Foundation
import TestSupport
import Testing

/// Datasets built from the real files in `../shared/data`; skipped, with the reason shown, without them.
@Suite(
    .enabled(if: sharedDataDirectory != nil, "needs the shared data (../shared/data or DOODLE_SHARED_DATA)"))
struct RealDatasetTests {
    let quickdraw = (sharedDataDirectory ?? URL(fileURLWithPath: "/nonexistent")).appendingPathComponent(
        "quickdraw")

    @Test func googleBitmapsInGoogleOrder() throws {
        let folder = quickdraw.appendingPathComponent("bitmap")
        let dataset = try Dataset.build(from: [folder], options: DatasetOptions(perClass: 100))
        #expect(dataset.classes.count == 344)
        #expect(dataset.classes == QuickDrawCategories.all.filter(dataset.classes.contains))
        // Each class takes its file's first min(rows, 100) rows and splits them 80/10/10.
        for (label, name) in dataset.classes.enumerated() {
            let rows = try NpyArray(contentsOf: folder.appendingPathComponent("\(name).npy")).shape[0]
            let taken = min(rows, 100)
            #expect(dataset.splits.train.countsPerClass[label] == taken - 2 * (taken / 10), "\(name)")
        }
        let test = dataset.splits.test
        for i in stride(from: 0, to: test.count, by: 17) {
            let parts = test.origins[i].split(separator: "#")
            let file = try NpyArray(contentsOf: folder.appendingPathComponent(String(parts[0])))
            #expect(Array(test.image(i)) == file.row(Int(parts[1])!), "\(test.origins[i])")
            #expect(parts[0] == "\(test.classes[test.labels[i]]).npy")
        }
    }

    @Test func sketchRNNFilesAreTakenAsRawAndNormalised() throws {
        let folder = quickdraw.appendingPathComponent("strokes/sketchrnn_ndjson")
        let dataset = try Dataset.build(from: [folder], options: DatasetOptions(perClass: 200))
        #expect(dataset.classes == ["alarm clock", "face", "pig", "radio"])
        let train = dataset.splits.train
        let rasterizer = Rasterizer()
        for i in stride(from: 0, to: train.count, by: 37) {
            let drawing = try #require(dataset.drawings.train[i])
            let xs = drawing.strokes.flatMap(\.x)
            let ys = drawing.strokes.flatMap(\.y)
            // Normalised: near the top-left corner, the longer side spanning about 0...255 (the
            // simplification may drop an extreme point, as in Google's own files).
            #expect((xs + ys).allSatisfy { (0...255).contains($0) && $0.rounded() == $0 })
            #expect(min(xs.min()!, ys.min()!) <= 3 && max(xs.max()!, ys.max()!) >= 240, "\(train.origins[i])")
            #expect(try rasterizer.render(drawing) == Array(train.image(i)))
        }
    }

    @Test func simplifiedFilesAreDrawnAsGoogleDrewThem() throws {
        let folder = quickdraw.appendingPathComponent("strokes/simplified_ndjson")
        let options = DatasetOptions(classes: .named(["cat"]), validationFraction: 0, testFraction: 0)
        let dataset = try Dataset.build(from: [folder], options: options)
        let google = try NpyArray(contentsOf: quickdraw.appendingPathComponent("bitmap/cat.npy"))
        let train = dataset.splits.train
        #expect(train.count == 20)
        for i in 0..<train.count {
            let line = Int(train.origins[i].split(separator: ":").last!)!
            let difference = zip(train.image(i), google.row(line - 1)).map { abs(Int($0) - Int($1)) }
            #expect(Double(difference.reduce(0, +)) / 784 <= 1, "\(train.origins[i])")
        }
    }

    @Test func mnist() throws {
        let folder = quickdraw.deletingLastPathComponent().appendingPathComponent("mnist")
        let dataset = try Dataset.build(from: [folder])
        #expect(dataset.splits.train.count == 55_000 && dataset.splits.validation.count == 5_000)
        #expect(dataset.splits.test.count == 10_000)
        #expect(Array(dataset.splits.test.labels.prefix(10)) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
        #expect(dataset.splits.validation.origins.first == "train-images-idx3-ubyte.gz#55000")
    }
}
