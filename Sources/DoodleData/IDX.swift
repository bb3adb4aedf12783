import Foundation

/// Images from an IDX file, MNIST's format: `count` images of `rows` x `columns` bytes each.
public struct IDXImages: Sendable, Equatable {
    /// The number of images.
    public var count: Int
    /// The height of each image in pixels.
    public var rows: Int
    /// The width of each image in pixels.
    public var columns: Int
    /// All pixels, image after image, each image row-major; MNIST has ink as 255 on 0.
    public var pixels: [UInt8]

    /// The pixels of one image.
    public init(count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
        precondition(pixels.count == count * rows * columns, "IDXImages needs count * rows * columns pixels")
        self.count = count
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
    }

    /// The pixels of image `index`, row-major.
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < count, "image \(index) out of 0..<\(count)")
        let size = rows * columns
        return pixels[(index * size)..<((index + 1) * size)]
    }
}

/// Readers for IDX files, the format of MNIST (yann.lecun.com/exdb/mnist), gzip-compressed or not.
///
/// An IDX file starts with a big-endian magic number, `0x0000` then a type byte (0x08: unsigned
/// bytes) then the number of dimensions, followed by one big-endian uint32 per dimension and the
/// data. Image files have magic 2051 (three dimensions), label files 2049 (one).
public enum IDX {
    /// The magic number of an image file: unsigned bytes, three dimensions.
    public static let imagesMagic: UInt32 = 2051
    /// The magic number of a label file: unsigned bytes, one dimension.
    public static let labelsMagic: UInt32 = 2049

    /// Reads an image file such as `train-images-idx3-ubyte.gz`.
    ///
    /// - Parameter url: the file, gzip-compressed (detected by its magic bytes) or not.
    /// - Returns: the images.
    /// - Throws: `DataError` naming the file when it cannot be read, its gzip data is corrupt, its
    ///   magic number is not 2051, or its size does not match its dimensions.
    public static func readImages(from url: URL) throws -> IDXImages {
        let (dimensions, data) = try read(url, magic: imagesMagic, kind: "images")
        return IDXImages(count: dimensions[0], rows: dimensions[1], columns: dimensions[2], pixels: data)
    }

    /// Reads a label file such as `train-labels-idx1-ubyte.gz`.
    ///
    /// - Parameter url: the file, gzip-compressed (detected by its magic bytes) or not.
    /// - Returns: one label per image.
    /// - Throws: `DataError` naming the file when it cannot be read, its gzip data is corrupt, its
    ///   magic number is not 2049, or its size does not match its dimension.
    public static func readLabels(from url: URL) throws -> [UInt8] {
        try read(url, magic: labelsMagic, kind: "labels").data
    }

    private static func read(_ url: URL, magic: UInt32, kind: String) throws -> (
        dimensions: [Int], data: [UInt8]
    ) {
        let mapped = try MappedFile(path: url.path)
        let file = mapped.path
        return try mapped.withUnsafeBytes { raw in
            if Gzip.isCompressed(raw) {
                let inflated = try Gzip.decompress(raw, file: file)
                return try inflated.withUnsafeBytes { try parse($0, magic: magic, kind: kind, file: file) }
            }
            return try parse(raw, magic: magic, kind: kind, file: file)
        }
    }

    private static func parse(
        _ bytes: UnsafeRawBufferPointer, magic: UInt32, kind: String, file: String
    ) throws -> (dimensions: [Int], data: [UInt8]) {
        func bigEndian(at offset: Int) -> UInt32 {
            UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        }
        guard bytes.count >= 4 else {
            throw DataError(file, "truncated IDX file: \(bytes.count) bytes, too short for a magic number")
        }
        let found = bigEndian(at: 0)
        guard found == magic else {
            let hex = "0x" + String(found, radix: 16, uppercase: true)
            throw DataError(file, "bad IDX magic \(found) (\(hex)); IDX \(kind) files start with \(magic)")
        }
        let rank = Int(magic & 0xFF)
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DataError(file, "truncated IDX header: \(bytes.count) of \(headerSize) bytes")
        }
        let dimensions = (0..<rank).map { Int(bigEndian(at: 4 + 4 * $0)) }
        // Three uint32 can overflow Int's 63 bits only in theory; check anyway rather than trap.
        let (size, overflow) = dimensions.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        let payload = bytes.count - headerSize
        let shape = dimensions.map(String.init).joined(separator: " x ")
        guard !overflow else { throw DataError(file, "IDX dimensions \(shape) are too large") }
        guard payload >= size else {
            throw DataError(
                file, "truncated IDX \(kind): \(shape) needs \(size) bytes of data, the file has \(payload)")
        }
        guard payload == size else {
            throw DataError(
                file, "IDX \(kind) of \(shape) needs \(size) bytes of data, the file has \(payload)")
        }
        return (dimensions, Array(bytes[headerSize...]))
    }
}
