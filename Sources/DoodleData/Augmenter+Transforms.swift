import Foundation

extension Augmenter {
    /// Warps a bitmap: image (side, side) -> output (side, side).
    ///
    /// Each output pixel is sampled, bilinearly, at the point the inverse of the variation takes it
    /// to (scale and rotation about the image's centre, then the shift); samples outside the image
    /// are black. The identity variation copies the image exactly.
    public static func warp(
        _ image: UnsafeBufferPointer<UInt8>, side: Int, by augmentation: Augmentation,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) {
        precondition(image.count == side * side && output.count == side * side, "need two side × side images")
        let centre = Double(side - 1) / 2
        let radians = augmentation.degrees * .pi / 180
        // The inverse of scale × rotation is the transposed rotation divided by the scale.
        let a = cos(radians) / augmentation.scale
        let b = sin(radians) / augmentation.scale
        let limit = side - 1
        @inline(__always) func pixel(_ x: Int, _ y: Int) -> Double {
            x < 0 || y < 0 || x > limit || y > limit ? 0 : Double(image[y * side + x])
        }
        for y in 0..<side {
            let dy = Double(y) - centre - augmentation.shiftY
            for x in 0..<side {
                let dx = Double(x) - centre - augmentation.shiftX
                let sx = a * dx + b * dy + centre
                let sy = -b * dx + a * dy + centre
                guard sx > -1, sy > -1, sx < Double(side), sy < Double(side) else {
                    output[y * side + x] = 0
                    continue
                }
                let x0 = Int(sx.rounded(.down))
                let y0 = Int(sy.rounded(.down))
                let fx = sx - Double(x0)
                let fy = sy - Double(y0)
                let top = pixel(x0, y0) * (1 - fx) + pixel(x0 + 1, y0) * fx
                let bottom = pixel(x0, y0 + 1) * (1 - fx) + pixel(x0 + 1, y0 + 1) * fx
                let value = top * (1 - fy) + bottom * fy
                output[y * side + x] = UInt8(min(255, value + 0.5))
            }
        }
    }

    /// Varies a drawing in simplified 0–255 coordinates so that `Rasterizer(side:)` draws it varied.
    ///
    /// The rotation turns the drawing about the centre of its bounding box; the turned drawing is
    /// then re-fitted into the box it had (same top-left corner, same larger extent), as Google's
    /// simplification fits every drawing into its box, so it renders at the size a player's drawing
    /// at that angle would. The scaling and the shift then act on the picture as `warp` does, about
    /// the centre and in pixels; since the rasterizer centres each drawing on its maximum, the
    /// coordinates move by twice the wanted shift, corrected for the scaled maximum. Line width is
    /// not scaled: it is Google's 16 units whatever the variation. The identity variation returns
    /// the drawing unchanged.
    ///
    /// - Parameter side: the side of the bitmap the drawing will be rendered at, which sets the size
    ///   of a pixel in drawing units (304 / side).
    public static func transform(_ drawing: Drawing, by augmentation: Augmentation, side: Int = 28) -> Drawing
    {
        var strokes = drawing.strokes.map { Stroke(x: $0.x, y: $0.y) }
        guard var box = Box(strokes) else { return Drawing(strokes: strokes) }
        if augmentation.degrees != 0 {
            let radians = augmentation.degrees * .pi / 180
            let (c, s) = (cos(radians), sin(radians))
            let (cx, cy) = box.centre
            for i in strokes.indices {
                for j in strokes[i].x.indices {
                    let (x, y) = (strokes[i].x[j] - cx, strokes[i].y[j] - cy)
                    strokes[i].x[j] = c * x - s * y + cx
                    strokes[i].y[j] = s * x + c * y + cy
                }
            }
            let turned = Box(strokes)!
            let fit = turned.extent > 0 ? box.extent / turned.extent : 1
            for i in strokes.indices {
                strokes[i].x = strokes[i].x.map { ($0 - turned.minX) * fit + box.minX }
                strokes[i].y = strokes[i].y.map { ($0 - turned.minY) * fit + box.minY }
            }
            box = Box(strokes)!
        }
        let k = augmentation.scale
        let unitsPerPixel = 304 / Double(side)
        let (cx, cy) = box.centre
        let moveX = (k - 1) * (box.maxX - cx) + 2 * augmentation.shiftX * unitsPerPixel
        let moveY = (k - 1) * (box.maxY - cy) + 2 * augmentation.shiftY * unitsPerPixel
        if k != 1 || moveX != 0 || moveY != 0 {
            for i in strokes.indices {
                strokes[i].x = strokes[i].x.map { k * ($0 - cx) + cx + moveX }
                strokes[i].y = strokes[i].y.map { k * ($0 - cy) + cy + moveY }
            }
        }
        return Drawing(strokes: strokes)
    }
}

/// The bounding box of some strokes.
private struct Box {
    var minX = Double.infinity
    var minY = Double.infinity
    var maxX = -Double.infinity
    var maxY = -Double.infinity

    /// The box of `strokes`, or nil when they have no point.
    init?(_ strokes: [Stroke]) {
        for stroke in strokes {
            for x in stroke.x {
                minX = min(minX, x)
                maxX = max(maxX, x)
            }
            for y in stroke.y {
                minY = min(minY, y)
                maxY = max(maxY, y)
            }
        }
        guard minX <= maxX else { return nil }
    }

    var centre: (Double, Double) { ((minX + maxX) / 2, (minY + maxY) / 2) }
    var extent: Double { max(maxX - minX, maxY - minY) }
}
