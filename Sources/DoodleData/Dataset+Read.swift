import Foundation

/// The images of one class, in file order, before the split.
struct ClassImages {
    /// `count × 784` pixels.
    var pixels: [UInt8] = []
    /// Where each image came from: `cat.npy#12` (row 12) or `cat.ndjson:13` (line 13).
    var origins: [String] = []
    /// The simplified strokes of each image, nil for a bitmap row.
    var drawings: [Drawing?] = []

    /// The number of images.
    var count: Int { origins.count }

    /// Reads the first `options.perClass` images of `files`, file after file.
    ///
    /// - Throws: `DataError` naming the file that cannot be read or has the wrong shape.
    static func read(_ files: [CategoryFile], options: DatasetOptions) throws -> ClassImages {
        var images = ClassImages()
        for file in files {
            let room = options.perClass.map { $0 - images.count } ?? Int.max
            guard room > 0 else { break }
            switch file.format {
            case .npy:
                try images.appendBitmaps(of: file, limit: room)
            case .ndjson:
                let read = try StrokeFiles.readNDJSON(file.url, limit: room, policy: options.onMalformedLine)
                try images.appendStrokes(
                    read.map(\.drawing), origins: read.map { "\(file.fileName):\($0.line)" },
                    coordinates: options.strokeCoordinates, file: file)
            case .bin:
                let drawings = try QuickDrawBinary.read(from: file.url).prefix(room)
                try images.appendStrokes(
                    Array(drawings), origins: drawings.indices.map { "\(file.fileName)#\($0)" },
                    coordinates: options.strokeCoordinates, file: file)
            }
        }
        return images
    }

    /// Appends the first `limit` rows of a numpy_bitmap file.
    private mutating func appendBitmaps(of file: CategoryFile, limit: Int) throws {
        let array = try NpyArray(contentsOf: file.url)
        guard array.dtype == .uint8, array.shape.count == 2, array.shape[1] == 784 else {
            throw DataError(
                file.url.path,
                "a numpy_bitmap file must be (N, 784) uint8; this one is \(array.shape) \(array.dtype.rawValue)"
            )
        }
        let rows = min(limit, array.rowCount)
        array.withUnsafeBytes(ofRows: 0..<rows) { pixels.append(contentsOf: $0) }
        let name = file.fileName
        origins += (0..<rows).map { "\(name)#\($0)" }
        drawings += repeatElement(nil, count: rows)
    }

    /// Appends stroke drawings, brought to simplified coordinates and rasterised as Google did.
    private mutating func appendStrokes(
        _ read: [Drawing], origins: [String], coordinates: DatasetOptions.StrokeCoordinates,
        file: CategoryFile
    ) throws {
        let simplified = try StrokeFiles.simplified(
            read, coordinates: coordinates, file: file.url.path, names: origins)
        pixels += try StrokeFiles.rasterize(simplified, file: file.url.path, names: origins)
        self.origins += origins
        drawings += simplified.map { Optional($0) }
    }
}
