import CZlib

/// A greyscale image: `width × height` bytes, row-major, 0 black to 255 white.
public struct GrayImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    /// An image of the given size; `pixels` must hold `width × height` bytes.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height, "pixels do not match \(width)×\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// PNG decoding to grey (any bit depth and colour type, not interlaced) and encoding from grey.
public enum PNG {
    /// The eight bytes every PNG file starts with.
    public static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// Decodes a PNG to grey. Colour becomes luminance (Rec. 601); transparency is composited onto
    /// white, as a drawing's transparent canvas looks on a page.
    ///
    /// - Parameters:
    ///   - bytes: the file.
    ///   - name: the file or request, for error messages.
    ///   - maxPixels: larger images are refused before any decompression.
    /// - Throws: `SizeLimitError` for an image over `maxPixels`; `DataError` naming any other problem:
    ///   not a PNG, a bad chunk or CRC, an unsupported kind (interlaced), truncated or corrupt image data.
    public static func decode(_ bytes: [UInt8], name: String = "PNG", maxPixels: Int = 16_777_216) throws
        -> GrayImage
    {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw DataError(name, "not a PNG file")
        }
        var offset = 8
        var header: Header?
        var palette: [UInt8] = []
        var transparency: [UInt8] = []
        var compressed: [UInt8] = []
        func be32(_ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        while true {
            guard offset + 12 <= bytes.count else { throw DataError(name, "truncated PNG: no IEND chunk") }
            let length = be32(offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            guard length >= 0, offset + 12 + length <= bytes.count else {
                throw DataError(name, "truncated PNG: chunk \(type) needs \(length) bytes")
            }
            let data = Array(bytes[(offset + 8)..<(offset + 8 + length)])
            let stored = UInt32(truncatingIfNeeded: be32(offset + 8 + length))
            let computed = bytes[(offset + 4)..<(offset + 8 + length)].withContiguousStorageIfAvailable {
                UInt32(crc32(0, $0.baseAddress, uInt($0.count)))
            }
            guard computed == stored else { throw DataError(name, "PNG chunk \(type) has a bad CRC") }
            switch type {
            case "IHDR":
                let h = try Header(data, name: name)
                let (pixels, overflow) = h.width.multipliedReportingOverflow(by: h.height)
                guard !overflow, pixels <= maxPixels else {
                    throw SizeLimitError(file: name, width: h.width, height: h.height, maxPixels: maxPixels)
                }
                header = h
            case "PLTE": palette = data
            case "tRNS": transparency = data
            case "IDAT": compressed += data
            case "IEND":
                guard let header else { throw DataError(name, "PNG has no IHDR chunk") }
                let expected = (header.rowBytes + 1) * header.height
                let raw = try compressed.withUnsafeBytes {
                    try Gzip.decompress($0, file: name, limit: expected)
                }
                return try header.gray(
                    fromFiltered: raw, palette: palette, transparency: transparency, name: name)
            default: break
            }
            offset += 12 + length
        }
    }

    /// A PNG whose header gives more pixels than the caller allows: thrown before any decompression, so
    /// a server can answer 413 instead of 400.
    public struct SizeLimitError: Error, CustomStringConvertible, Equatable {
        /// The file or request.
        public var file: String
        /// The size the header gives.
        public var width, height: Int
        /// The limit that was passed to `decode`.
        public var maxPixels: Int

        public var description: String {
            "\(file): PNG of \(width)×\(height) is larger than \(maxPixels) pixels"
        }
    }

    /// Encodes a greyscale image as an 8-bit grey PNG.
    public static func encode(_ image: GrayImage) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity((image.width + 1) * image.height)
        for y in 0..<image.height {
            raw.append(0)  // filter: none
            raw += image.pixels[(y * image.width)..<((y + 1) * image.width)]
        }
        var compressedLength = compressBound(uLong(raw.count))
        var deflated = [UInt8](repeating: 0, count: Int(compressedLength))
        let status = compress2(&deflated, &compressedLength, raw, uLong(raw.count), 9)
        precondition(status == Z_OK, "zlib compress2 failed: \(status)")
        deflated.removeLast(deflated.count - Int(compressedLength))
        var file = signature
        func chunk(_ type: String, _ data: [UInt8]) {
            let body = Array(type.utf8) + data
            file += bigEndian(UInt32(data.count)) + body + bigEndian(UInt32(crc32(0, body, uInt(body.count))))
        }
        chunk("IHDR", bigEndian(UInt32(image.width)) + bigEndian(UInt32(image.height)) + [8, 0, 0, 0, 0])
        chunk("IDAT", deflated)
        chunk("IEND", [])
        return file
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)]
    }
}
