import DoodleData
import Foundation
import TestSupport
import Testing

@Suite struct DatasetTests {
    let folder: URL

    init() throws {
        folder = try makeTemporaryDirectory("doodle-dataset")
        try DatasetFixtures.bitmaps("cat", rows: 25, in: folder)
        try DatasetFixtures.bitmaps("airplane", rows: 40, seed: 100, in: folder)
        try DatasetFixtures.bitmaps("my thing", rows: 12, seed: 200, in: folder)
    }

    @Test func splitsEachClass80_10_10InGoogleOrder() throws {
        let dataset = try Dataset.build(from: [folder])
        #expect(dataset.classes == ["airplane", "cat", "my thing"])
        #expect(dataset.splits.test.countsPerClass == [4, 2, 1])
        #expect(dataset.splits.validation.countsPerClass == [4, 2, 1])
        #expect(dataset.splits.train.countsPerClass == [32, 21, 10])
        #expect(dataset.drawings == DatasetDrawings())
        // Every row lands in exactly one part.
        let all = [dataset.splits.train, dataset.splits.validation, dataset.splits.test].flatMap(\.origins)
        #expect(Set(all).count == 77 && all.contains("alarm clock.npy#0") == false)
        #expect(all.contains("cat.npy#24") && all.contains("my thing.npy#11"))
        let first = dataset.splits.train
        for i in 0..<first.count {
            let origin = first.origins[i]
            let row = Int(origin.split(separator: "#").last!)!
            let seed = ["airplane": 100, "cat": 0, "my thing": 200][first.classes[first.labels[i]]]!
            #expect(DatasetFixtures.row(of: first, i) == (seed + row) % 256, "\(origin)")
        }
    }

    @Test func sameSeedSameSplitOtherSeedOtherSplit() throws {
        let a = try Dataset.build(from: [folder], options: DatasetOptions(seed: 7))
        let b = try Dataset.build(from: [folder], options: DatasetOptions(seed: 7))
        let c = try Dataset.build(from: [folder], options: DatasetOptions(seed: 8))
        let same = a == b
        #expect(same)
        #expect(a.splits.test.origins != c.splits.test.origins)
        #expect(a.splits.test.countsPerClass == c.splits.test.countsPerClass)
    }

    @Test func aClassSplitsTheSameWhateverTheOtherClasses() throws {
        let all = try Dataset.build(from: [folder])
        let cat = try Dataset.build(from: [folder], options: DatasetOptions(classes: .named(["cat"])))
        #expect(cat.splits.test.origins == all.splits.test.origins.filter { $0.hasPrefix("cat.") })
    }

    @Test func customFractions() throws {
        let options = DatasetOptions(validationFraction: 0.2, testFraction: 0.25)
        let dataset = try Dataset.build(from: [folder], options: options)
        #expect(dataset.splits.test.countsPerClass == [10, 6, 3])
        #expect(dataset.splits.validation.countsPerClass == [8, 5, 2])
        #expect(throws: DataError.self) {
            try Dataset.build(
                from: [folder], options: DatasetOptions(validationFraction: 0.5, testFraction: 0.5))
        }
    }

    @Test func firstNClassesAndNamedClasses() throws {
        let two = try Dataset.build(from: [folder], options: DatasetOptions(classes: .first(2)))
        #expect(two.classes == ["airplane", "cat"])
        let named = try Dataset.build(
            from: [folder], options: DatasetOptions(classes: .named(["my thing", "cat"])))
        #expect(named.classes == ["my thing", "cat"])
        #expect(named.splits.train.countsPerClass == [10, 21])
    }

    @Test func unknownClassesAreNamedWithWhatIsAvailable() throws {
        let error = try #require(throws: DataError.self) {
            try Dataset.build(
                from: [folder], options: DatasetOptions(classes: .named(["cat", "dog", "zebra"])))
        }
        #expect(error.problem.contains("'dog', 'zebra'"))
        #expect(error.problem.contains("available: airplane, cat, my thing"))
        let tooMany = try #require(throws: DataError.self) {
            try Dataset.build(from: [folder], options: DatasetOptions(classes: .first(4)))
        }
        #expect(tooMany.problem.contains("asked for 4 classes but the folders hold 3"))
        #expect(throws: DataError.self) {
            try Dataset.build(from: [folder], options: DatasetOptions(classes: .first(0)))
        }
        #expect(throws: DataError.self) {
            try Dataset.build(from: [folder], options: DatasetOptions(classes: .named(["cat", "cat"])))
        }
    }

    @Test func perClassTakesTheFirstRows() throws {
        let dataset = try Dataset.build(from: [folder], options: DatasetOptions(perClass: 10))
        #expect(dataset.splits.train.countsPerClass == [8, 8, 8])
        let origins = [dataset.splits.train, dataset.splits.validation, dataset.splits.test].flatMap(
            \.origins)
        let rows = origins.map { Int($0.split(separator: "#").last!)! }
        #expect(rows.allSatisfy { $0 < 10 } && origins.count == 30)
        #expect(throws: DataError.self) {
            try Dataset.build(from: [folder], options: DatasetOptions(perClass: 0))
        }
    }

    @Test func strokeFilesKeepTheirDrawings() throws {
        let strokes = try makeTemporaryDirectory("doodle-strokes")
        try DatasetFixtures.strokes("dog", count: 20, in: strokes)
        try DatasetFixtures.binary("fish", count: 10, in: strokes)
        let dataset = try Dataset.build(from: [folder, strokes])
        #expect(dataset.classes == ["airplane", "cat", "dog", "fish", "my thing"])
        let train = dataset.splits.train
        #expect(dataset.drawings.train.count == train.count)
        let rasterizer = Rasterizer()
        for i in 0..<train.count {
            let origin = train.origins[i]
            let drawing = dataset.drawings.train[i]
            #expect((drawing != nil) == (origin.hasPrefix("dog.ndjson:") || origin.hasPrefix("fish.bin#")))
            if let drawing { #expect(try rasterizer.render(drawing) == Array(train.image(i))) }
        }
        #expect(
            train.origins.contains("dog.ndjson:1") || dataset.splits.test.origins.contains("dog.ndjson:1")
                || dataset.splits.validation.origins.contains("dog.ndjson:1"))
    }

    /// One raw drawing (fractional coordinates) makes the whole file raw, so every drawing is normalised.
    @Test func oneRawDrawingMakesTheWholeFileRaw() throws {
        let strokes = try makeTemporaryDirectory("doodle-raw")
        let small = Drawing(strokes: [Stroke(x: [10, 60, 110], y: [20, 70, 20])])
        let raw = #"{"drawing":[[[0,500.5],[0,250]]]}"#
        try DatasetFixtures.strokes("owl", count: 0, extra: [DatasetFixtures.line(small), raw], in: strokes)
        let options = DatasetOptions(validationFraction: 0, testFraction: 0)
        let auto = try Dataset.build(from: [strokes], options: options)
        let drawings = auto.drawings.train.compactMap { $0 }
        #expect(drawings.count == 2)
        let first = try #require(drawings.first { $0.strokes[0].x.count == 3 })
        #expect(first.strokes[0].x.max() == 255 && first.strokes[0].x.min() == 0)
        let forced = try Dataset.build(
            from: [strokes],
            options: DatasetOptions(validationFraction: 0, testFraction: 0, strokeCoordinates: .simplified))
        #expect(forced.drawings.train.contains { $0 == small })
    }

    @Test func aCategoryInTwoFoldersIsMergedOrChosenOrAnError() throws {
        let other = try makeTemporaryDirectory("doodle-other")
        try DatasetFixtures.strokes("cat", count: 10, in: other)
        let error = try #require(throws: DataError.self) {
            try Dataset.build(from: [folder, other], options: DatasetOptions(duplicates: .fail))
        }
        #expect(error.problem.contains("'cat' has several files"))
        #expect(error.problem.contains("'first'") && error.problem.contains("'merge'"))
        let first = try Dataset.build(from: [folder, other], options: DatasetOptions(duplicates: .first))
        #expect(first.splits.train.countsPerClass[1] == 21 && first.drawings.train.isEmpty)
        let merged = try Dataset.build(from: [folder, other])
        #expect(
            merged == (try Dataset.build(from: [folder, other], options: DatasetOptions(duplicates: .merge))))
        #expect(merged.splits.train.countsPerClass[1] == 29)
        let limited = try Dataset.build(
            from: [folder, other], options: DatasetOptions(perClass: 30, duplicates: .merge))
        let origins = [limited.splits.train, limited.splits.validation, limited.splits.test].flatMap(
            \.origins)
        #expect(origins.filter { $0.hasPrefix("cat.ndjson:") }.count == 5)
    }

    /// Merging uses each drawing once: a row an earlier file already holds is left out, so that the
    /// same drawing cannot be in training and in the test split.
    @Test func mergeLeavesOutImagesAnEarlierFileHolds() throws {
        let other = try makeTemporaryDirectory("doodle-other")
        // Rows 20...29: 20...24 are the first folder's cat rows 20...24.
        try DatasetFixtures.bitmaps("cat", rows: 10, seed: 20, in: other)
        let merged = try Dataset.build(
            from: [folder, other], options: DatasetOptions(classes: .named(["cat"])))
        let origins = [merged.splits.train, merged.splits.validation, merged.splits.test].flatMap(\.origins)
        #expect(origins.count == 30)
        #expect(origins.filter { $0.hasPrefix("cat.npy#") }.count == 30)
        let values = [merged.splits.train, merged.splits.validation, merged.splits.test].flatMap { part in
            (0..<part.count).map { DatasetFixtures.row(of: part, $0) }
        }
        #expect(values.sorted() == Array(0..<30))

        // The same drawings as strokes and as their rendering: each counts once.
        let strokes = try makeTemporaryDirectory("doodle-strokes")
        try DatasetFixtures.strokes("dog", count: 12, in: strokes)
        let rendered = try Dataset.build(
            from: [strokes], options: DatasetOptions(validationFraction: 0, testFraction: 0))
        let bitmaps = try makeTemporaryDirectory("doodle-bitmaps")
        try NpyWriter.write(
            Array(rendered.splits.train.image(0)) + Array(rendered.splits.train.image(1)), shape: [2, 784],
            to: bitmaps.appendingPathComponent("dog.npy"))
        let both = try Dataset.build(
            from: [bitmaps, strokes], options: DatasetOptions(validationFraction: 0, testFraction: 0))
        #expect(both.splits.train.count == 12)
        #expect(both.splits.train.origins.filter { $0.hasPrefix("dog.npy#") }.count == 2)
        // Within one file nothing is left out.
        let twice = try makeTemporaryDirectory("doodle-twice")
        try NpyWriter.write(
            [UInt8](repeating: 9, count: 784 * 3), shape: [3, 784],
            to: twice.appendingPathComponent("dog.npy"))
        #expect(try Dataset.build(from: [twice]).splits.train.count == 3)
    }

    @Test func minDrawingsLeavesOutSmallCategories() throws {
        // cat 25, airplane 40, my thing 12.
        let some = try Dataset.build(from: [folder], options: DatasetOptions(minDrawings: 20))
        #expect(some.classes == ["airplane", "cat"])
        let first = try Dataset.build(
            from: [folder], options: DatasetOptions(classes: .first(1), minDrawings: 30))
        #expect(first.classes == ["airplane"])
        let named = try Dataset.build(
            from: [folder], options: DatasetOptions(classes: .named(["my thing", "cat"]), minDrawings: 20))
        #expect(named.classes == ["cat"])
        let tooMany = try #require(throws: DataError.self) {
            try Dataset.build(from: [folder], options: DatasetOptions(classes: .first(3), minDrawings: 20))
        }
        #expect(tooMany.problem.contains("only 2 have at least 20"))
        #expect(throws: DataError.self) {
            try Dataset.build(from: [folder], options: DatasetOptions(minDrawings: 41))
        }
        #expect(throws: DataError.self) { try DatasetOptions(minDrawings: 0).validate() }
        // Merged files count together: 25 cat rows and 10 cat strokes reach 30.
        let other = try makeTemporaryDirectory("doodle-other")
        try DatasetFixtures.strokes("cat", count: 10, in: other)
        let merged = try Dataset.build(from: [folder, other], options: DatasetOptions(minDrawings: 30))
        #expect(merged.classes == ["airplane", "cat"])
    }

    @Test func imageOriginsNameTheirFormat() {
        #expect(CategoryFile.format(ofOrigin: "cat.npy#12") == .npy)
        #expect(CategoryFile.format(ofOrigin: "The Mona Lisa.ndjson:3") == .ndjson)
        #expect(CategoryFile.format(ofOrigin: "cat.bin#0") == .bin)
        #expect(CategoryFile.format(ofOrigin: "train-images-idx3-ubyte.gz#4") == nil)
    }

    @Test func emptyOrMissingFolders() throws {
        let empty = try makeTemporaryDirectory("doodle-empty")
        #expect(throws: DataError.self) { try Dataset.build(from: [empty]) }
        #expect(throws: DataError.self) { try Dataset.build(from: [empty.appendingPathComponent("nope")]) }
        #expect(throws: DataError.self) { try Dataset.build(from: []) }
        try Data("not numpy".utf8).write(to: empty.appendingPathComponent("bad.npy"))
        let error = try #require(throws: DataError.self) { try Dataset.build(from: [empty]) }
        #expect(error.file.hasSuffix("bad.npy"))
    }

    @Test(arguments: [false, true]) func mnistFolder(gzip: Bool) throws {
        let mnist = try makeTemporaryDirectory("doodle-mnist")
        try DatasetFixtures.mnist(train: 120, test: 30, gzip: gzip, in: mnist)
        let dataset = try Dataset.build(from: [mnist])
        #expect(dataset.classes == ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
        #expect(dataset.splits.train.count == 110 && dataset.splits.validation.count == 10)
        #expect(dataset.splits.test.count == 30)
        #expect(dataset.splits.validation.origins.first!.hasSuffix("#110"))
        #expect(
            dataset.splits.validation.labels.first == 0
                && DatasetFixtures.row(of: dataset.splits.validation, 0) == 110)
        let some = try Dataset.build(
            from: [mnist], options: DatasetOptions(classes: .named(["7", "3"]), perClass: 2))
        #expect(some.splits.train.countsPerClass == [2, 2] && some.splits.test.countsPerClass == [2, 2])
        #expect(DatasetFixtures.row(of: some.splits.train, 0) == 3 && some.splits.train.labels.first == 1)
        #expect(throws: DataError.self) {
            try Dataset.build(from: [mnist], options: DatasetOptions(classes: .named(["x"])))
        }
    }
}
