import Foundation
import TestSupport
import Testing

@testable import DoodleData

/// The downloader against `TestHTTPServer` on 127.0.0.1: the real HTTP client, real sockets, no internet.
@Suite struct DownloaderTests {
    /// A served folder, a folder to download into, and the server; stopped and deleted by `finish()`.
    struct Setup {
        let served: URL
        let target: URL
        let server: TestHTTPServer

        /// Writes `bytes` as `numpy_bitmap/<category>.npy` in the served folder.
        func serveBitmap(_ category: String, _ bytes: [UInt8]) throws {
            let folder = served.appendingPathComponent("numpy_bitmap")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(bytes).write(to: folder.appendingPathComponent("\(category).npy"))
        }

        func bitmap(_ category: String) -> RemoteFile {
            QuickDrawRemote.file(category, .bitmap, baseURL: server.baseURL)
        }

        func downloaded(_ name: String) throws -> [UInt8] {
            [UInt8](try Data(contentsOf: target.appendingPathComponent(name)))
        }

        func finish() {
            server.stop()
            try? FileManager.default.removeItem(at: served)
            try? FileManager.default.removeItem(at: target)
        }
    }

    func setUp() throws -> Setup {
        let served = try makeTemporaryDirectory("doodle-served")
        return Setup(
            served: served, target: try makeTemporaryDirectory("doodle-download"),
            server: try TestHTTPServer(root: served))
    }

    /// Quick retries, so the tests of backoff take milliseconds.
    let downloader = Downloader(
        options: .init(maxAttempts: 4, initialBackoff: .milliseconds(10), timeout: 10))

    /// Deterministic bytes that no prefix or shift of could pass for the whole.
    func payload(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    @Test func downloadsAWholeFile() async throws {
        let setup = try setUp()
        defer { setup.finish() }
        let bytes = payload(300_000)
        try setup.serveBitmap("cat", bytes)
        let reports = Reports()
        let outcome = try await downloader.download(setup.bitmap("cat"), into: setup.target) {
            reports.add($0)
        }
        #expect(outcome == .downloaded(bytes: 300_000))
        #expect(try setup.downloaded("cat.npy") == bytes)
        #expect(setup.server.requests.map(\.target) == ["/numpy_bitmap/cat.npy"])
        #expect(setup.server.requests[0].headers["range"] == nil)
        #expect(
            !FileManager.default.fileExists(atPath: setup.target.appendingPathComponent("cat.npy.part").path))
        let last = try #require(reports.all.last)
        #expect(last.received == 300_000 && last.total == 300_000 && last.fileName == "cat.npy")
    }

    @Test func resumesAfterTheConnectionIsCut() async throws {
        let setup = try setUp()
        defer { setup.finish() }
        let bytes = payload(300_000, seed: 2)
        try setup.serveBitmap("dog", bytes)
        setup.server.cutNextBody(after: 100_000)
        let outcome = try await downloader.download(setup.bitmap("dog"), into: setup.target)
        #expect(outcome == .downloaded(bytes: 300_000))
        #expect(try setup.downloaded("dog.npy") == bytes)
        let requests = setup.server.requests
        try #require(requests.count == 2)
        #expect(requests[0].headers["range"] == nil)
        #expect(requests[1].headers["range"] == "bytes=100000-")
    }

    @Test func resumesAPartialFileLeftByAnEarlierRun() async throws {
        let setup = try setUp()
        defer { setup.finish() }
        let bytes = payload(50_000, seed: 3)
        try setup.serveBitmap("owl", bytes)
        try Data(bytes[..<20_000]).write(to: setup.target.appendingPathComponent("owl.npy.part"))
        #expect(
            try await downloader.download(setup.bitmap("owl"), into: setup.target)
                == .downloaded(bytes: 50_000))
        #expect(try setup.downloaded("owl.npy") == bytes)
        #expect(setup.server.requests.map { $0.headers["range"] } == ["bytes=20000-"])
    }

    @Test func startsAgainWhenTheServerIgnoresRange() async throws {
        let setup = try setUp()
        defer { setup.finish() }
        let bytes = payload(50_000, seed: 4)
        try setup.serveBitmap("owl", bytes)
        try Data(payload(30_000, seed: 5)).write(to: setup.target.appendingPathComponent("owl.npy.part"))
        setup.server.ignoreRange(true)
        #expect(
            try await downloader.download(setup.bitmap("owl"), into: setup.target)
                == .downloaded(bytes: 50_000))
        #expect(try setup.downloaded("owl.npy") == bytes)
    }

    @Test func finishesAPartialFileTheServerCallsComplete() async throws {
        let setup = try setUp()
        defer { setup.finish() }
        let bytes = payload(10_000, seed: 6)
        try setup.serveBitmap("owl", bytes)
        try Data(bytes).write(to: setup.target.appendingPathComponent("owl.npy.part"))
        #expect(
            try await downloader.download(setup.bitmap("owl"), into: setup.target)
                == .downloaded(bytes: 10_000))
        #expect(try setup.downloaded("owl.npy") == bytes)
        #expect(setup.server.requests.map { $0.headers["range"] } == ["bytes=10000-"])
    }

    @Test func startsAgainWhenThePartialFileIsLongerThanTheServersFile() async throws {
        let setup = try setUp()
        defer { setup.finish() }
        let bytes = payload(10_000, seed: 8)
        try setup.serveBitmap("owl", bytes)
        try Data(payload(12_000, seed: 9)).write(to: setup.target.appendingPathComponent("owl.npy.part"))
        #expect(
            try await downloader.download(setup.bitmap("owl"), into: setup.target)
                == .downloaded(bytes: 10_000))
        #expect(try setup.downloaded("owl.npy") == bytes)
        #expect(setup.server.requests.map { $0.headers["range"] } == ["bytes=12000-", nil])
    }

    @Test func retriesServerErrorsThenSucceeds() async throws {
        let setup = try setUp()
        defer { setup.finish() }
        let bytes = payload(1_000, seed: 7)
        try setup.serveBitmap("cat", bytes)
        setup.server.failNext(2)
        #expect(
            try await downloader.download(setup.bitmap("cat"), into: setup.target)
                == .downloaded(bytes: 1_000))
        #expect(try setup.downloaded("cat.npy") == bytes)
        #expect(setup.server.requests.count == 3)
    }

    @Test func givesUpAfterTheLastAttempt() async throws {
        let setup = try setUp()
        defer { setup.finish() }
        try setup.serveBitmap("cat", payload(1_000))
        setup.server.failNext(10)
        let error = await #expect(throws: DataError.self) {
            try await downloader.download(setup.bitmap("cat"), into: setup.target)
        }
        #expect(error?.file == setup.bitmap("cat").url.absoluteString)
        #expect(error?.problem.contains("HTTP 500") == true)
        #expect(error?.problem.contains("gave up after 4 attempts") == true)
        #expect(setup.server.requests.count == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: setup.target.path).isEmpty)
    }

    @Test func namesAMissingCategoryFile() async throws {
        let setup = try setUp()
        defer { setup.finish() }
        let error = await #expect(throws: DataError.self) {
            try await downloader.download(setup.bitmap("unicorn"), into: setup.target)
        }
        #expect(
            error?.description
                == "\(setup.server.baseURL)numpy_bitmap/unicorn.npy: no such category file on the server (HTTP 404)"
        )
        #expect(setup.server.requests.count == 1)
    }

    @Test func skipsAFileAlreadyPresent() async throws {
        let setup = try setUp()
        defer { setup.finish() }
        try setup.serveBitmap("cat", payload(1_000))
        _ = try await downloader.download(setup.bitmap("cat"), into: setup.target)
        #expect(try await downloader.download(setup.bitmap("cat"), into: setup.target) == .alreadyPresent)
        #expect(setup.server.requests.count == 1)
    }

    @Test func replacesAPresentFileOfTheWrongSize() async throws {
        let setup = try setUp()
        defer { setup.finish() }
        let bytes = payload(1_000)
        let folder = setup.served.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(bytes).write(to: folder.appendingPathComponent("labels.gz"))
        try Data(bytes[..<10]).write(to: setup.target.appendingPathComponent("labels.gz"))
        let file = RemoteFile(
            url: setup.server.baseURL.appendingPathComponent("mnist/labels.gz"), fileName: "labels.gz",
            size: 1_000,
            md5: md5(bytes))
        #expect(try await downloader.download(file, into: setup.target) == .downloaded(bytes: 1_000))
        #expect(try setup.downloaded("labels.gz") == bytes)
        #expect(try await downloader.download(file, into: setup.target) == .alreadyPresent)
    }

    @Test func deletesADownloadWithTheWrongMD5() async throws {
        let setup = try setUp()
        defer { setup.finish() }
        let bytes = payload(1_000)
        try Data(bytes).write(to: setup.served.appendingPathComponent("labels.gz"))
        let file = RemoteFile(
            url: setup.server.baseURL.appendingPathComponent("labels.gz"), fileName: "labels.gz", size: 1_000,
            md5: String(repeating: "0", count: 32))
        let error = await #expect(throws: DataError.self) {
            try await downloader.download(file, into: setup.target)
        }
        #expect(
            error?.problem == "the download has MD5 \(md5(bytes)), not the \(file.md5!) expected; deleted it")
        #expect(try FileManager.default.contentsOfDirectory(atPath: setup.target.path).isEmpty)
    }

    @Test func encodesSpacesOnTheWireAndKeepsThemOnDisk() async throws {
        let setup = try setUp()
        defer { setup.finish() }
        let bytes = payload(2_000)
        try setup.serveBitmap("alarm clock", bytes)
        let file = setup.bitmap("alarm clock")
        #expect(file.url.absoluteString.hasSuffix("/numpy_bitmap/alarm%20clock.npy"))
        _ = try await downloader.download(file, into: setup.target)
        #expect(setup.server.requests.map(\.target) == ["/numpy_bitmap/alarm%20clock.npy"])
        #expect(try setup.downloaded("alarm clock.npy") == bytes)
    }

    func md5(_ bytes: [UInt8]) -> String {
        var md5 = MD5()
        md5.update(bytes)
        return md5.hexDigest()
    }
}

/// Progress reports, gathered from the downloader's background thread.
final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [Downloader.Progress] = []

    func add(_ report: Downloader.Progress) { lock.withLock { reports.append(report) } }

    var all: [Downloader.Progress] { lock.withLock { reports } }
}
