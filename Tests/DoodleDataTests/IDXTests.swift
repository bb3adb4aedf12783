import DoodleData
import Foundation
import TestSupport
import Testing

@Suite struct IDXTests {
    /// An IDX file with magic `magic`, dimensions `dimensions`, and `payload`.
    func idx(_ magic: UInt32, _ dimensions: [UInt32], _ payload: [UInt8]) -> [UInt8] {
        bigEndian(magic) + dimensions.flatMap(bigEndian) + payload
    }

    let pixels = (0..<(3 * 4 * 5)).map { UInt8($0 * 4) }

    func error(_ bytes: [UInt8], images: Bool = true) throws -> DataError {
        let url = try writeFixture(bytes, "bad-idx", in: try makeTemporaryDirectory())
        let error = try #require(throws: DataError.self) {
            if images { _ = try IDX.readImages(from: url) } else { _ = try IDX.readLabels(from: url) }
        }
        #expect(error.file == url.path)
        return error
    }

    @Test(arguments: [false, true])
    func readsImagesAndLabels(gzipped: Bool) throws {
        let directory = try makeTemporaryDirectory()
        let wrap: ([UInt8]) -> [UInt8] = { gzipped ? gzipStored($0) : $0 }
        let imagesURL = try writeFixture(wrap(idx(2051, [3, 4, 5], pixels)), "images", in: directory)
        let labelsURL = try writeFixture(wrap(idx(2049, [3], [5, 0, 9])), "labels", in: directory)

        let images = try IDX.readImages(from: imagesURL)
        #expect(images.count == 3 && images.rows == 4 && images.columns == 5)
        #expect(images.pixels == pixels)
        #expect(Array(images.image(2)) == Array(pixels[40..<60]))
        #expect(try IDX.readLabels(from: labelsURL) == [5, 0, 9])
    }

    @Test func readsMultiBlockAndMultiMemberGzip() throws {
        // 200,000 bytes span four stored blocks; two members concatenate as `cat a.gz b.gz` does.
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let file = idx(2051, [2, 1000, 100], big)
        let url = try writeFixture(
            gzipStored(Array(file[..<70_000])) + gzipStored(Array(file[70_000...])), "two",
            in: try makeTemporaryDirectory())
        #expect(try IDX.readImages(from: url).pixels == big)
    }

    @Test func badMagic() throws {
        #expect(try error(idx(2049, [3], [1, 2, 3])).problem.contains("bad IDX magic 2049"))
        #expect(try error(idx(2051, [1, 1, 1], [0]), images: false).problem.contains("start with 2049"))
        #expect(try error(Array("not an idx file".utf8)).problem.contains("bad IDX magic"))
        #expect(try error(gzipStored([0x00, 0x00, 0x09, 0x03])).problem.contains("bad IDX magic"))
    }

    @Test func truncated() throws {
        let full = idx(2051, [3, 4, 5], pixels)
        let problem = try error(Array(full.dropLast(7))).problem
        #expect(problem.contains("truncated IDX images: 3 x 4 x 5 needs 60 bytes of data, the file has 53"))
        #expect(try error(Array(full.prefix(10))).problem.contains("truncated IDX header"))
        #expect(try error([0, 0]).problem.contains("too short"))
        #expect(try error(gzipStored(Array(full.dropLast(1)))).problem.contains("truncated IDX images"))
    }

    @Test func extraBytes() throws {
        let problem = try error(idx(2049, [3], [1, 2, 3, 4]), images: false).problem
        #expect(problem.contains("needs 3 bytes of data, the file has 4"))
    }

    /// Found by the idx fuzz harness (issue 13): a 35-byte file whose gzip trailer claims 4 GB made
    /// the reader reserve 4 GB up front; libFuzzer's malloc limit reported it as out-of-memory.
    @Test func gzipTrailerClaimingGigabytesIsNotTrusted() throws {
        let bytes: [UInt8] = [
            0x1F, 0x8B, 0x08, 0x00, 0x60, 0xB6, 0x11, 0x6B, 0x02, 0xFF, 0x63, 0xE4, 0x00, 0x33, 0x60, 0x00,
            0x64,
            0x60, 0x97, 0x2A, 0xD1, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x60, 0xB6, 0x11, 0x6B,
            0x02,
            0xFF,
        ]
        let problem = try error(bytes, images: false).problem
        #expect(problem.contains("gzip"), "\(problem)")
    }

    @Test func corruptGzip() throws {
        let good = gzipStored(idx(2049, [3], [1, 2, 3]))
        var badChecksum = good
        badChecksum[badChecksum.count - 6] ^= 0xFF
        #expect(
            try error(badChecksum, images: false).problem.contains("corrupt gzip data: incorrect data check"))
        var badBlock = good
        badBlock[10] = 0x07  // BTYPE 11 is reserved
        #expect(try error(badBlock, images: false).problem.contains("corrupt gzip data: invalid block type"))
        #expect(try error(Array(good.dropLast(5)), images: false).problem.contains("truncated gzip data"))
        #expect(try error([0x1F, 0x8B], images: false).problem.contains("truncated gzip data"))
        #expect(try error(good + [1, 2, 3], images: false).problem.contains("garbage after the gzip data"))
    }
}
