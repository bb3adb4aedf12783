import DoodleData
import Foundation
import TestSupport
import Testing

/// What the downloader is pointed at: MD5 itself, Google's category names and URLs, MNIST's listing.
@Suite struct DownloadListingTests {
    func md5(_ text: String) -> String {
        var md5 = MD5()
        md5.update(Array(text.utf8))
        return md5.hexDigest()
    }

    /// RFC 1321's test suite.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a"
        ),
    ])
    func md5MatchesRFC1321(text: String, digest: String) {
        #expect(md5(text) == digest)
    }

    @Test func md5IsTheSameWhateverTheChunks() {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var whole = MD5()
        whole.update(bytes)
        var pieces = MD5()
        for chunk in stride(from: 0, to: bytes.count, by: 37) {
            pieces.update(Array(bytes[chunk..<min(chunk + 37, bytes.count)]))
        }
        #expect(pieces.hexDigest() == whole.hexDigest())
    }

    /// The shared copies of the labels and test images are the published files; the training images
    /// there were recompressed, so their MD5 rightly differs.
    @Test(
        .enabled(
            if: sharedDataDirectory != nil, "needs the shared data (../shared/data or DOODLE_SHARED_DATA)"))
    func mnistListingMatchesThePublishedFiles() throws {
        let folder = try #require(sharedDataDirectory).appendingPathComponent("mnist")
        for entry in MNISTRemote.listing where !entry.name.hasPrefix("train-images") {
            let path = folder.appendingPathComponent(entry.name).path
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
            #expect(size.map(Int64.init) == entry.size, "\(entry.name)")
            #expect(try MD5.hexDigest(ofFileAt: path) == entry.md5, "\(entry.name)")
        }
    }

    @Test func mnistURLsFollowTheBase() {
        let files = MNISTRemote.files(baseURL: URL(string: "http://127.0.0.1:8000/mirror")!)
        #expect(
            files.map(\.url.absoluteString).first == "http://127.0.0.1:8000/mirror/train-images-idx3-ubyte.gz"
        )
        #expect(
            MNISTRemote.files().map(\.url.absoluteString).last
                == "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz")
    }

    @Test(arguments: [
        (QuickDrawRemote.Format.bitmap, "numpy_bitmap/The%20Eiffel%20Tower.npy"),
        (.simplified, "simplified/The%20Eiffel%20Tower.ndjson"),
        (.raw, "raw/The%20Eiffel%20Tower.ndjson"),
        (.binary, "binary/The%20Eiffel%20Tower.bin"),
    ])
    func quickDrawURLsFollowGooglesBucket(format: QuickDrawRemote.Format, path: String) {
        let file = QuickDrawRemote.file("The Eiffel Tower", format)
        #expect(file.url.absoluteString == "https://storage.googleapis.com/quickdraw_dataset/full/" + path)
        #expect(file.fileName == "The Eiffel Tower.\(format.fileExtension)")
    }

    @Test func categoriesAreGooglesList() throws {
        #expect(QuickDrawCategories.all.count == 345)
        #expect(Set(QuickDrawCategories.all).count == 345)
        if let shared = sharedDataDirectory {
            let text = try String(
                contentsOf: shared.appendingPathComponent("quickdraw/categories.txt"), encoding: .utf8)
            #expect(text.split(separator: "\n").map(String.init) == QuickDrawCategories.all)
        }
    }

    @Test func resolvesNamesForgivingCaseAndUnderscores() throws {
        let names = try QuickDrawCategories.resolve(["alarm_clock", "the eiffel tower", "cat", "Cat"])
        #expect(names == ["alarm clock", "The Eiffel Tower", "cat"])
    }

    @Test func unknownNamesComeWithCloseMatches() {
        #expect(throws: DataError.self) { try QuickDrawCategories.resolve(["aligator"]) }
        do {
            _ = try QuickDrawCategories.resolve(["cat", "elefant", "qqqqqqqq"])
            Issue.record("unknown names were accepted")
        } catch let error as DataError {
            #expect(
                error.problem
                    == "unknown Quick, Draw! categories 'elefant' (did you mean 'elephant'?), 'qqqqqqqq'")
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(QuickDrawCategories.closeMatches(to: "clock").prefix(2) == ["alarm clock", "clock"])
    }
}
