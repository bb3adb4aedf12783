import DoodleTraining
import Foundation
import Testing

/// An independent reading of the PNGs the report embeds: chunk by chunk, checking every CRC, then the
/// zlib stream's stored blocks and Adler-32, back to pixels.
enum PNGReader {
    struct Image {
        var width: Int
        var height: Int
        var header: [UInt8]
        var pixels: [UInt8]
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Bit by bit, unlike the encoder's table, so the two cannot share a mistake.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func decode(_ png: [UInt8]) throws -> Image {
        guard png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw Failure(description: "bad signature")
        }
        var offset = 8
        var chunks: [(type: String, data: [UInt8])] = []
        while offset < png.count {
            let length = Int(bigEndian(png[offset..<offset + 4]))
            let typeAndData = Array(png[offset + 4..<offset + 8 + length])
            let crc = bigEndian(png[offset + 8 + length..<offset + 12 + length])
            guard crc == crc32(typeAndData) else { throw Failure(description: "bad CRC at \(offset)") }
            chunks.append(
                (String(decoding: typeAndData.prefix(4), as: UTF8.self), Array(typeAndData.dropFirst(4))))
            offset += 12 + length
        }
        guard chunks.map(\.type) == ["IHDR", "IDAT", "IEND"] else {
            throw Failure(description: "chunks \(chunks.map(\.type))")
        }
        let header = chunks[0].data
        let (width, height) = (Int(bigEndian(header[0..<4])), Int(bigEndian(header[4..<8])))
        let raw = try inflateStored(chunks[1].data)
        guard raw.count == (width + 1) * height else { throw Failure(description: "\(raw.count) bytes") }
        var pixels: [UInt8] = []
        for row in 0..<height {
            guard raw[row * (width + 1)] == 0 else { throw Failure(description: "filter on row \(row)") }
            pixels += raw[row * (width + 1) + 1..<(row + 1) * (width + 1)]
        }
        return Image(width: width, height: height, header: header, pixels: pixels)
    }

    static func inflateStored(_ stream: [UInt8]) throws -> [UInt8] {
        guard stream.count >= 6, (UInt16(stream[0]) << 8 | UInt16(stream[1])) % 31 == 0, stream[0] & 0x0F == 8
        else { throw Failure(description: "bad zlib header") }
        var offset = 2
        var output: [UInt8] = []
        var final = false
        while !final {
            final = stream[offset] & 1 == 1
            guard stream[offset] >> 1 & 3 == 0 else { throw Failure(description: "not a stored block") }
            let length = Int(stream[offset + 1]) | Int(stream[offset + 2]) << 8
            let complement = Int(stream[offset + 3]) | Int(stream[offset + 4]) << 8
            guard length ^ complement == 0xFFFF else { throw Failure(description: "LEN/NLEN mismatch") }
            output += stream[offset + 5..<offset + 5 + length]
            offset += 5 + length
        }
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in output {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        guard bigEndian(stream[offset..<offset + 4]) == b << 16 | a else {
            throw Failure(description: "bad Adler-32")
        }
        return output
    }
}

@Suite struct PNGTests {
    @Test func checksumsMatchKnownValues() {
        #expect(PNG.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNG.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(PNG.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(PNG.adler32([]) == 1)
    }

    @Test(arguments: [(28, 28), (1, 1), (3, 2), (300, 250)])
    func decodesToTheSamePixels(size: (width: Int, height: Int)) throws {
        let pixels = (0..<size.width * size.height).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        let image = try PNGReader.decode(
            PNG.grayscale(width: size.width, height: size.height, pixels: pixels))
        #expect(image.width == size.width && image.height == size.height)
        #expect(Array(image.header[8...]) == [8, 0, 0, 0, 0], "8-bit grayscale, no interlace")
        #expect(image.pixels == pixels)
    }

    @Test func dataURIIsBase64OfTheFile() throws {
        let png = PNG.grayscale(width: 2, height: 2, pixels: [0, 64, 128, 255])
        let uri = PNG.dataURI(png)
        #expect(uri.hasPrefix("data:image/png;base64,"))
        let payload = try #require(Data(base64Encoded: String(uri.dropFirst("data:image/png;base64,".count))))
        #expect([UInt8](payload) == png)
    }
}
