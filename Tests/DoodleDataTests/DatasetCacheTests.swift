import DoodleData
import Foundation
import TestSupport
import Testing

@Suite struct DatasetCacheTests {
    let folder: URL
    let cache: DatasetCache

    init() throws {
        folder = try makeTemporaryDirectory("doodle-cache-data")
        try DatasetFixtures.bitmaps("cat", rows: 30, in: folder)
        try DatasetFixtures.strokes("dog", count: 20, in: folder)
        cache = DatasetCache(directory: try makeTemporaryDirectory("doodle-cache"))
    }

    /// The one entry folder of the cache.
    func entry() throws -> URL {
        let names = try FileManager.default.contentsOfDirectory(atPath: cache.directory.path)
        #expect(names.count == 1, "entries: \(names)")
        return cache.directory.appendingPathComponent(try #require(names.first))
    }

    @Test func secondLoadComesFromTheCacheAndEqualsTheFirst() throws {
        let options = DatasetOptions(seed: 3)
        let first = try cache.load(from: [folder], options: options)
        let second = try cache.load(from: [folder], options: options)
        #expect(!first.fromCache && second.fromCache)
        let same = first.dataset == second.dataset
        #expect(same)
        #expect(second.dataset.drawings.train.contains { $0 != nil })
        let loaded = try Dataset.load(from: [folder], options: options, cache: cache) == first.dataset
        let built = try Dataset.build(from: [folder], options: options) == first.dataset
        #expect(loaded && built)
    }

    @Test func otherOptionsAreAnotherEntry() throws {
        _ = try cache.load(from: [folder], options: DatasetOptions(seed: 1))
        let other = try cache.load(from: [folder], options: DatasetOptions(seed: 2))
        #expect(!other.fromCache)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.directory.path).count == 2)
    }

    @Test(arguments: ["meta.json", "train.npy", "test-labels.npy", "validation-origins.txt", "train.bin"])
    func aDamagedEntryIsRebuilt(file: String) throws {
        let first = try cache.load(from: [folder]).dataset
        let damaged = try entry().appendingPathComponent(file)
        let bytes = try Data(contentsOf: damaged)
        try bytes.prefix(bytes.count / 2).write(to: damaged)
        let again = try cache.load(from: [folder])
        let same = again.dataset == first
        #expect(!again.fromCache && same)
        #expect(try cache.load(from: [folder]).fromCache)
    }

    @Test func aMissingFileOrGarbageIsRebuilt() throws {
        let first = try cache.load(from: [folder]).dataset
        let directory = try entry()
        try FileManager.default.removeItem(at: directory.appendingPathComponent("validation.npy"))
        #expect(try cache.load(from: [folder]).fromCache == false)
        try Data("{}".utf8).write(to: try entry().appendingPathComponent("meta.json"))
        let again = try cache.load(from: [folder])
        let same = again.dataset == first
        #expect(!again.fromCache && same)
    }

    @Test func aChangedSourceFileInvalidatesTheEntry() throws {
        let first = try cache.load(from: [folder]).dataset
        try DatasetFixtures.bitmaps("cat", rows: 40, seed: 9, in: folder)
        let changed = try cache.load(from: [folder])
        #expect(!changed.fromCache)
        let differs = changed.dataset != first
        #expect(differs && changed.dataset.splits.train.countsPerClass[0] == 32)
        try DatasetFixtures.bitmaps("bird", rows: 10, in: folder)
        #expect(try cache.load(from: [folder]).fromCache == false)
    }

    @Test func noTemporaryFoldersAreLeft() throws {
        _ = try cache.load(from: [folder])
        let names = try FileManager.default.contentsOfDirectory(atPath: cache.directory.path)
        #expect(!names.contains { $0.hasPrefix(".") })
    }

    @Test func anUnwritableCacheStillBuilds() throws {
        let file = try makeTemporaryDirectory("doodle-cache-file").appendingPathComponent("plain")
        try Data().write(to: file)
        let blocked = DatasetCache(directory: file.appendingPathComponent("datasets"))
        let result = try blocked.load(from: [folder])
        #expect(!result.fromCache && result.dataset.splits.train.count == 24 + 16)
    }
}
