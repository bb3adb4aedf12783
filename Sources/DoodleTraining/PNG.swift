import Foundation

/// A minimal PNG encoder for 8-bit grayscale images, small enough to need no zlib.
///
/// The image data goes in deflate *stored* blocks (no compression), wrapped in a zlib stream with its
/// Adler-32 checksum, so a 28 × 28 drawing costs about 900 bytes: fine for a report's gallery. The
/// layout follows the PNG specification (W3C, 2003) and RFC 1950/1951.
public enum PNG {
    /// The eight bytes every PNG file starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Encodes a grayscale image, one byte a pixel (0 black, 255 white), row-major.
    ///
    /// - Parameters:
    ///   - width: The image width in pixels, at least 1.
    ///   - height: The image height in pixels, at least 1.
    ///   - pixels: `width * height` bytes.
    /// - Returns: The PNG file's bytes.
    public static func grayscale(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        precondition(width > 0 && height > 0, "a PNG needs a positive size, not \(width) × \(height)")
        precondition(
            pixels.count == width * height,
            "\(pixels.count) pixels for a \(width) × \(height) image")
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        // Bit depth 8, colour type 0 (grayscale), compression 0, filter method 0, no interlace.
        header += [8, 0, 0, 0, 0]
        // Each scanline starts with its filter type; 0 means "None".
        var scanlines: [UInt8] = []
        scanlines.reserveCapacity((width + 1) * height)
        for row in 0..<height {
            scanlines.append(0)
            scanlines += pixels[row * width..<(row + 1) * width]
        }
        var file = signature
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", zlibStored(scanlines), to: &file)
        appendChunk("IEND", [], to: &file)
        return file
    }

    /// A `data:image/png;base64,…` URI for an encoded PNG, for an `<img src>`.
    public static func dataURI(_ png: [UInt8]) -> String {
        "data:image/png;base64," + Data(png).base64EncodedString()
    }

    /// The CRC-32 of `bytes` (ISO 3309 / ITU-T V.42, as used by PNG chunks, zip and gzip).
    public static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// The Adler-32 checksum of `bytes` (RFC 1950), which ends a zlib stream.
    public static func adler32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    /// A zlib stream holding `data` in stored deflate blocks of at most 65 535 bytes each.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        // CMF 0x78: deflate with a 32 KiB window; FLG 0x01 makes 0x7801 a multiple of 31, as required.
        var stream: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(start + 65535, data.count)
            let length = UInt16(end - start)
            stream.append(end == data.count ? 1 : 0)  // BFINAL, BTYPE 00 (stored)
            stream += [UInt8(length & 0xFF), UInt8(length >> 8)]
            stream += [UInt8(~length & 0xFF), UInt8(~length >> 8)]
            stream += data[start..<end]
            start = end
        } while start < data.count
        stream.appendBigEndian(adler32(data))
        return stream
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        file.appendBigEndian(UInt32(data.count))
        file += typeBytes
        file += data
        file.appendBigEndian(crc32(typeBytes + data))
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}

extension [UInt8] {
    fileprivate mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) })
    }
}
