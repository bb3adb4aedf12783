extension PNG {
    /// The IHDR chunk, and turning the decompressed scanlines it describes into grey.
    struct Header {
        var width, height, bitDepth, colorType: Int

        init(_ data: [UInt8], name: String) throws {
            guard data.count == 13 else {
                throw DataError(name, "PNG IHDR chunk has \(data.count) bytes, not 13")
            }
            func be32(_ at: Int) -> Int {
                Int(data[at]) << 24 | Int(data[at + 1]) << 16 | Int(data[at + 2]) << 8 | Int(data[at + 3])
            }
            (width, height, bitDepth, colorType) = (be32(0), be32(4), Int(data[8]), Int(data[9]))
            guard width > 0, height > 0 else {
                throw DataError(name, "PNG has an empty \(width)×\(height) image")
            }
            // The PNG specification caps each side at 2^31 - 1; anything above is a corrupt header.
            guard width <= Int(Int32.max), height <= Int(Int32.max) else {
                throw DataError(name, "PNG IHDR gives \(width)×\(height); each side must be below 2^31")
            }
            let allowed: [Int: [Int]] = [
                0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16],
            ]
            guard allowed[colorType]?.contains(bitDepth) == true else {
                throw DataError(name, "PNG colour type \(colorType) with bit depth \(bitDepth) is not valid")
            }
            guard data[12] == 0 else {
                throw DataError(name, "interlaced PNGs are not supported; save it without interlacing")
            }
        }

        /// Samples per pixel.
        var channels: Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType]! }
        /// Bytes from one pixel to the next, at least 1 (what the filters subtract).
        var filterStride: Int { max(1, channels * bitDepth / 8) }
        var rowBytes: Int { (width * channels * bitDepth + 7) / 8 }

        func gray(fromFiltered raw: [UInt8], palette: [UInt8], transparency: [UInt8], name: String) throws
            -> GrayImage
        {
            guard raw.count >= (rowBytes + 1) * height else {
                throw DataError(
                    name, "PNG image data is truncated: \(raw.count) of \((rowBytes + 1) * height) bytes")
            }
            if colorType == 3 && palette.isEmpty { throw DataError(name, "palette PNG has no PLTE chunk") }
            var previous = [UInt8](repeating: 0, count: rowBytes)
            var row = [UInt8](repeating: 0, count: rowBytes)
            var pixels = [UInt8](repeating: 0, count: width * height)
            let stride = filterStride
            for y in 0..<height {
                let start = y * (rowBytes + 1)
                let filter = raw[start]
                for i in 0..<rowBytes {
                    let x = raw[start + 1 + i]
                    let a = i >= stride ? Int(row[i - stride]) : 0
                    let b = Int(previous[i])
                    let c = i >= stride ? Int(previous[i - stride]) : 0
                    let predicted: Int
                    switch filter {
                    case 0: predicted = 0
                    case 1: predicted = a
                    case 2: predicted = b
                    case 3: predicted = (a + b) / 2
                    case 4:
                        let p = a + b - c
                        let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                        predicted = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                    default: throw DataError(name, "PNG row \(y) has unknown filter \(filter)")
                    }
                    row[i] = UInt8(truncatingIfNeeded: Int(x) + predicted)
                }
                for x in 0..<width {
                    pixels[y * width + x] = grayPixel(x, row, palette: palette, transparency: transparency)
                }
                swap(&row, &previous)
            }
            return GrayImage(width: width, height: height, pixels: pixels)
        }

        /// Sample `index` of a row at this bit depth, scaled to 0...255.
        func sample(_ row: [UInt8], _ index: Int) -> Int {
            switch bitDepth {
            case 8: return Int(row[index])
            case 16: return Int(row[2 * index])
            default:
                let bit = index * bitDepth
                let value = Int(row[bit / 8]) >> (8 - bitDepth - bit % 8) & ((1 << bitDepth) - 1)
                return colorType == 3 ? value : value * 255 / ((1 << bitDepth) - 1)
            }
        }

        func grayPixel(_ x: Int, _ row: [UInt8], palette: [UInt8], transparency: [UInt8]) -> UInt8 {
            var luminance: Int
            var alpha = 255
            switch colorType {
            case 0: luminance = sample(row, x)
            case 2:
                luminance =
                    (299 * sample(row, 3 * x) + 587 * sample(row, 3 * x + 1) + 114 * sample(row, 3 * x + 2))
                    / 1000
            case 3:
                let i = sample(row, x)
                guard 3 * i + 2 < palette.count else { return 255 }
                luminance =
                    (299 * Int(palette[3 * i]) + 587 * Int(palette[3 * i + 1]) + 114 * Int(palette[3 * i + 2]))
                    / 1000
                if i < transparency.count { alpha = Int(transparency[i]) }
            case 4: (luminance, alpha) = (sample(row, 2 * x), sample(row, 2 * x + 1))
            default:
                luminance =
                    (299 * sample(row, 4 * x) + 587 * sample(row, 4 * x + 1) + 114 * sample(row, 4 * x + 2))
                    / 1000
                alpha = sample(row, 4 * x + 3)
            }
            // Over a white page.
            return UInt8((luminance * alpha + 255 * (255 - alpha) + 127) / 255)
        }
    }
}
