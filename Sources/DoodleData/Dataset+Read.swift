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

    /// Reads the first `options.perClass` images of `files`, file after file. An image that an earlier
    /// file already holds, pixel for pixel, is left out: the same drawing as a bitmap row and as
    /// strokes (which Doodle renders exactly as Google did) counts once. Within a file nothing is
    /// left out.
    ///
    /// - Throws: `DataError` naming the file that cannot be read or has the wrong shape.
    static func read(_ files: [CategoryFile], options: DatasetOptions) throws -> ClassImages {
        var images = ClassImages()
        var earlier = Set<ArraySlice<UInt8>>()
        for file in files {
            let start = images.count
            defer {
                if files.count > 1 {
                    images.removeImages(in: start..<images.count, foundIn: earlier)
                    for i in start..<images.count { earlier.insert(images.image(i)) }
                }
            }
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

    /// The pixels of image `i`.
    func image(_ i: Int) -> ArraySlice<UInt8> { pixels[(i * 784)..<((i + 1) * 784)] }

    /// Removes the images of `range` whose pixels are in `known`, keeping the others in order.
    private mutating func removeImages(in range: Range<Int>, foundIn known: Set<ArraySlice<UInt8>>) {
        let keep = range.filter { !known.contains(image($0)) }
        guard keep.count < range.count else { return }
        var kept = ClassImages()
        kept.pixels = Array(pixels[..<(range.lowerBound * 784)])
        kept.origins = Array(origins[..<range.lowerBound])
        kept.drawings = Array(drawings[..<range.lowerBound])
        for i in keep {
            kept.pixels += image(i)
            kept.origins.append(origins[i])
            kept.drawings.append(drawings[i])
        }
        self = kept
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

extension CategoryFile {
    /// The file's images as a dataset reads them (strokes normalised as `coordinates` says and
    /// rendered as Google did), the first `limit` of them, or all.
    ///
    /// - Returns: `count × 784` pixels and where each image came from (`cat.npy#12`, `cat.ndjson:13`).
    /// - Throws: `DataError` naming the file when it cannot be read or has the wrong shape.
    public func images(
        limit: Int? = nil, coordinates: DatasetOptions.StrokeCoordinates = .auto,
        onMalformedLine: MalformedLinePolicy = .fail
    ) throws -> (pixels: [UInt8], origins: [String]) {
        let options = DatasetOptions(
            perClass: limit, strokeCoordinates: coordinates, onMalformedLine: onMalformedLine)
        let read = try ClassImages.read([self], options: options)
        return (read.pixels, read.origins)
    }
}
