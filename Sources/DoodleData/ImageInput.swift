// JavaScript twin, for the page: Sources/DoodleServer/Resources/sketch/frame.js. Fix both together.

/// Turns an arbitrary picture of a drawing (a PNG from a canvas, a photo of a digit) into a 28×28
/// model input laid out like the training data.
public enum ImageInput {
    /// How the training images were framed.
    public enum Framing: String, Sendable, CaseIterable {
        /// Google's numpy_bitmap: the ink's bounding box centred, its longer side 256/304 of the image.
        case quickdraw
        /// MNIST: the ink's longer side 20 of 28 pixels, centred by its centre of mass.
        case mnist
    }

    /// A `side × side` input from `image`: light ink on black, framed as `framing`.
    ///
    /// Dark ink on a light background is inverted first (decided by the border). A `side × side`
    /// image is taken as already framed and only inverted if needed. A blank image gives a black input.
    public static func modelInput(from image: GrayImage, framing: Framing, side: Int = 28) -> [UInt8] {
        var ink = image.pixels
        if borderMean(image) > 127 { ink = ink.map { 255 - $0 } }
        if image.width == side && image.height == side { return ink }
        // The ink's bounding box (pixels brighter than a faint threshold).
        var (minX, minY, maxX, maxY) = (Int.max, Int.max, -1, -1)
        for y in 0..<image.height {
            for x in 0..<image.width where ink[y * image.width + x] > 24 {
                (minX, minY, maxX, maxY) = (min(minX, x), min(minY, y), max(maxX, x), max(maxY, y))
            }
        }
        guard maxX >= 0 else { return [UInt8](repeating: 0, count: side * side) }
        let boxWidth = Double(maxX - minX + 1)
        let boxHeight = Double(maxY - minY + 1)
        let target = framing == .quickdraw ? Double(side) * 256 / 304 : Double(side) * 20 / 28
        let scale = target / max(boxWidth, boxHeight)  // output pixels per source pixel
        var centerX = (Double(minX) + boxWidth / 2)
        var centerY = (Double(minY) + boxHeight / 2)
        if framing == .mnist {
            var (mass, sumX, sumY) = (0.0, 0.0, 0.0)
            for y in minY...maxY {
                for x in minX...maxX {
                    let v = Double(ink[y * image.width + x])
                    (mass, sumX, sumY) = (
                        mass + v, sumX + v * (Double(x) + 0.5), sumY + v * (Double(y) + 0.5)
                    )
                }
            }
            if mass > 0 { (centerX, centerY) = (sumX / mass, sumY / mass) }
        }
        return resample(
            ink, width: image.width, height: image.height, side: side, scale: scale, centerX: centerX,
            centerY: centerY)
    }

    /// Area-averaged resampling: output pixel (x, y) is the exact mean of the source over the square it
    /// covers, with the source point (centerX, centerY) at the output's centre and nothing (black)
    /// outside the source. The integral over any rectangle comes from a summed-area table, which
    /// bilinear interpolation extends exactly to fractional corners for a piecewise-constant image.
    static func resample(
        _ pixels: [UInt8], width: Int, height: Int, side: Int, scale: Double, centerX: Double, centerY: Double
    ) -> [UInt8] {
        let stride = width + 1
        var table = [Double](repeating: 0, count: stride * (height + 1))
        for y in 0..<height {
            var row = 0.0
            for x in 0..<width {
                row += Double(pixels[y * width + x])
                table[(y + 1) * stride + x + 1] = table[y * stride + x + 1] + row
            }
        }
        func integral(_ x: Double, _ y: Double) -> Double {
            let cx = min(max(x, 0), Double(width))
            let cy = min(max(y, 0), Double(height))
            let (x0, y0) = (min(Int(cx), width - 1), min(Int(cy), height - 1))
            let (tx, ty) = (cx - Double(x0), cy - Double(y0))
            let top = table[y0 * stride + x0] * (1 - tx) + table[y0 * stride + x0 + 1] * tx
            let bottom = table[(y0 + 1) * stride + x0] * (1 - tx) + table[(y0 + 1) * stride + x0 + 1] * tx
            return top * (1 - ty) + bottom * ty
        }
        var output = [UInt8](repeating: 0, count: side * side)
        let half = Double(side) / 2
        let footprint = 1 / (scale * scale)
        for oy in 0..<side {
            let y0 = centerY + (Double(oy) - half) / scale
            let y1 = centerY + (Double(oy + 1) - half) / scale
            for ox in 0..<side {
                let x0 = centerX + (Double(ox) - half) / scale
                let x1 = centerX + (Double(ox + 1) - half) / scale
                let sum = integral(x1, y1) - integral(x0, y1) - integral(x1, y0) + integral(x0, y0)
                output[oy * side + ox] = UInt8(min(255, max(0, sum / footprint).rounded()))
            }
        }
        return output
    }

    /// The mean of the outermost rows and columns: high for a light background.
    static func borderMean(_ image: GrayImage) -> Double {
        var (sum, count) = (0, 0)
        for x in 0..<image.width {
            sum += Int(image.pixels[x]) + Int(image.pixels[(image.height - 1) * image.width + x])
            count += 2
        }
        for y in 0..<image.height {
            sum += Int(image.pixels[y * image.width]) + Int(image.pixels[y * image.width + image.width - 1])
            count += 2
        }
        return Double(sum) / Double(count)
    }
}

extension ImageInput {
    /// A model input from strokes in any coordinates (a canvas, a tablet, a stroke file).
    ///
    /// Strokes are first normalised as Google simplified raw drawings, then rendered with Google's
    /// recipe: at 28 pixels for the `quickdraw` framing, exactly as the training bitmaps were made;
    /// for `mnist`, larger, then framed as MNIST digits are.
    ///
    /// - Throws: `DataError` for NaN, infinite or out-of-range coordinates.
    public static func modelInput(strokes: [Stroke], framing: Framing, side: Int = 28) throws -> [UInt8] {
        let normalized = try StrokeNormalizer().normalize(Drawing(strokes: strokes))
        switch framing {
        case .quickdraw:
            return try Rasterizer(side: side).render(normalized)
        case .mnist:
            let large = 4 * side
            let pixels = try Rasterizer(side: large).render(normalized)
            return modelInput(
                from: GrayImage(width: large, height: large, pixels: pixels), framing: .mnist, side: side)
        }
    }
}
