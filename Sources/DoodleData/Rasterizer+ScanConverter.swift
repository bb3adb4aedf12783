// JavaScript twin, for the page: Sources/DoodleServer/Resources/sketch/scan-converter.js. Fix both together.

/// Reusable buffers for rendering one drawing: the current stroke's path, its outline contours, its
/// polygon edges, and the coverage cells of one pixel row.
struct RasterWorkspace {
    let side: Int
    let scale: Double
    let inverseScale: Double
    var path: [FixedPoint] = []
    var cwContour: [FixedPoint] = []
    var ccwContour: [FixedPoint] = []
    /// Polygon edges; 0 and 1 are the active list's head and tail sentinels.
    var edges: [SweepEdge] = []
    /// For each pixel row, the first edge starting in it (linked through `next`), or -1.
    var rowHeads: [Int32]
    /// For each sub-row of the pixel row being swept, the edges starting in it; all -1 between rows.
    var buckets = [Int32](repeating: -1, count: gridY)
    var cells: [Int]

    init(side: Int) {
        self.side = side
        scale = Double(side) / (256.0 + 48.0)
        // cairo keeps the inverse matrix as the product of inverted steps: 1 / scale.
        inverseScale = 1.0 / scale
        rowHeads = [Int32](repeating: -1, count: side)
        cells = [Int](repeating: 0, count: 2 * side)
        edges.reserveCapacity(512)
    }

    /// Empties the polygon before a stroke is outlined.
    mutating func beginPolygon() {
        edges.removeAll(keepingCapacity: true)
        edges.append(SweepEdge.sentinel(cell: Int.min))
        edges.append(SweepEdge.sentinel(cell: Int.max))
        edges[0].next = 1
        edges[1].prev = 0
        for i in rowHeads.indices { rowHeads[i] = -1 }
    }

    /// Adds the polygon edge `a`–`b` with winding `direction`, snapped to the 256×15 sub-pixel grid
    /// and filed under the pixel row it starts in; horizontal edges and edges off the bitmap vanish.
    mutating func addEdge(from a: FixedPoint, to b: FixedPoint, direction: Int) {
        guard a.y != b.y else { return }
        let (top, bottom, dir) = a.y < b.y ? (a, b, direction) : (b, a, -direction)
        let ytop = max((gridY * top.y + 128) >> 8, 0)
        let ybot = min((gridY * bottom.y + 128) >> 8, side * gridY)
        guard ybot > ytop else { return }
        var edge = SweepEdge.sentinel(cell: top.x)
        edge.ytop = ytop
        edge.heightLeft = ybot - ytop
        edge.dir = dir
        if top.x != bottom.x {
            // x is tracked exactly as quotient and remainder of a fraction with denominator dy.
            let ex = (bottom.x - top.x) * 256
            let ey = (bottom.y - top.y) * gridY * 512
            edge.dy = ey
            edge.isVertical = false
            let (stepQuo, stepRem) = (ex * 512).quotientAndRemainder(dividingBy: ey)
            edge.halfStepQuo = stepQuo / 2
            edge.halfStepRem = stepRem / 2
            (edge.stepQuo, edge.stepRem) = stepRem < 0 ? (stepQuo - 1, stepRem + ey) : (stepQuo, stepRem)
            let t = (((2 * ytop + 1) << 8) - top.y * gridY * 2) * ex
            let (quo, rem) = normalized(t / ey + top.x, t % ey, ey)
            if edge.heightLeft >= gridY {
                // ex * 15 * 512 / ey, from the sub-row step: both parts share the sign of ex.
                let (carry, rowRem) = (gridY * stepRem).quotientAndRemainder(dividingBy: ey)
                edge.rowStepQuo = gridY * stepQuo + carry
                edge.rowStepRem = rowRem
            }
            (edge.cell, edge.cellRem) = rounded(quo, rem, ey)
        }
        let row = ytop / gridY
        edge.next = rowHeads[row]
        rowHeads[row] = Int32(edges.count)
        edges.append(edge)
    }

    /// Scan-converts the polygon (non-zero winding) and composites it, white, over `bitmap`.
    mutating func sweepAndComposite(into bitmap: inout [UInt8]) {
        guard edges.count > 2 else { return }
        let side = self.side
        edges.withUnsafeMutableBufferPointer { edgeBuffer in
            rowHeads.withUnsafeBufferPointer { heads in
                buckets.withUnsafeMutableBufferPointer { buckets in
                    cells.withUnsafeMutableBufferPointer { cellBuffer in
                        bitmap.withUnsafeMutableBufferPointer { pixels in
                            var sweep = Sweep(
                                e: edgeBuffer.baseAddress!, cells: cellBuffer.baseAddress!, side: side)
                            sweep.run(
                                rowHeads: heads.baseAddress!, buckets: buckets.baseAddress!,
                                pixels: pixels.baseAddress!)
                        }
                    }
                }
            }
        }
    }
}

/// Sub-sample rows per pixel row in the scan converter (x is sampled at 1/256 pixel).
let gridY = 15

/// A polygon edge in the scan converter, linked into a row bucket or the active list.
///
/// x is the exact fraction `cell - 1/2 + cellRem / dy` (1/256 pixel), so `cell` is x rounded half
/// up, the sample the coverage uses; stepping x keeps it exact. A vertical edge has `dy` 1, zero
/// steps and `cell` its x.
struct SweepEdge {
    var next: Int32 = -1
    var prev: Int32 = -1
    var dir = 0
    var heightLeft = Int.max
    /// x (1/256 pixel) at the current sub-row's centre, rounded.
    var cell: Int
    var cellRem = 0
    /// The sub-row step, floored: 0 <= `stepRem` < `dy`.
    var stepQuo = 0
    var stepRem = 0
    /// The denominator of x's fraction.
    var dy = 1
    var isVertical = true
    var ytop = 0
    /// The pixel-row step, truncated towards zero as cairo computes it.
    var rowStepQuo = 0
    var rowStepRem = 0
    /// Half the sub-row step, each part of cairo's truncated quotient and remainder halved.
    var halfStepQuo = 0
    var halfStepRem = 0

    static func sentinel(cell: Int) -> SweepEdge { SweepEdge(cell: cell) }

    /// x as cairo keeps it: quotient and remainder, 0 <= remainder < `dy`.
    var x: (quo: Int, rem: Int) {
        let half = dy >> 1
        return cellRem >= half ? (cell, cellRem - half) : (cell - 1, cellRem + dy - half)
    }
}

/// The rounded sample `(cell, cellRem)` of x = `quo + rem / dy` (`dy` even, or 1 with `rem` 0).
@inline(__always)
func rounded(_ quo: Int, _ rem: Int, _ dy: Int) -> (Int, Int) {
    let half = dy >> 1
    return rem >= half ? (quo + 1, rem - half) : (quo, rem + half)
}

extension Sweep {
    /// Sweeps all pixel rows, using exact trapezoid coverage for rows where no edge starts, ends
    /// or crosses another, and 15 sub-sampled rows otherwise (cairo's "tor" converter).
    mutating func run(
        rowHeads: UnsafePointer<Int32>, buckets: UnsafeMutablePointer<Int32>,
        pixels: UnsafeMutablePointer<UInt8>
    ) {
        var i = 0
        while i < side {
            var fullRow = false
            var j = i + 1
            if fillBuckets(rowHeads[i], y: i * gridY, buckets: buckets) == 0 {
                if buckets[0] >= 0 {
                    e[0].next = merge(e[0].next, sortEdges(buckets[0], level: .max).head)
                    buckets[0] = -1
                }
                if e[0].next == 1 {
                    minHeight = Int.max
                    isVertical = true
                    while j < side && rowHeads[j] < 0 { j += 1 }
                    i = j
                    continue
                }
                fullRow = canDoFullRow()
            }
            if fullRow {
                renderFullRow()
                if isVertical {
                    while j < side && rowHeads[j] < 0 && minHeight >= 2 * gridY {
                        minHeight -= gridY
                        j += 1
                    }
                    if j != i + 1 { stepEdges(rows: j - (i + 1)) }
                }
            } else {
                for sub in 0..<gridY {
                    if buckets[sub] >= 0 {
                        if e[Int(buckets[sub])].next < 0 {
                            insert(buckets[sub])
                        } else {
                            e[0].next = merge(e[0].next, sortEdges(buckets[sub], level: .max).head)
                        }
                        buckets[sub] = -1
                    }
                    renderSubRow()
                }
            }
            composite(rows: i..<j, pixels: pixels)
            minHeight -= gridY
            i = j
        }
    }

    /// Turns the row's cells into 8-bit coverage and composites white OVER the pixels with cairo's
    /// rounding: `a + (255 - a) * dst / 255`, the division rounded as pixman's `MUL_UN8`.
    mutating func composite(rows: Range<Int>, pixels: UnsafeMutablePointer<UInt8>) {
        var cover = leftHeight * 512
        let first = cover == 0 ? touchedLow : 0
        for x in first..<side {
            if x >= touchedHigh && cover == 0 { break }
            cover += cells[2 * x + 1] * 512
            let area = cover - cells[2 * x]
            cells[2 * x] = 0
            cells[2 * x + 1] = 0
            let alpha = ((area + (area << 4) + 256) >> 9) & 255
            guard alpha != 0 else { continue }
            for y in rows {
                let p = pixels + (y * side + x)
                if alpha == 255 {
                    p.pointee = 255
                } else {
                    let t = Int(p.pointee) * (255 - alpha) + 0x7f
                    p.pointee = UInt8(min(255, alpha + ((t + (t >> 8)) >> 8)))
                }
            }
        }
        touchedLow = side
        touchedHigh = 0
        leftHeight = 0
    }
}
