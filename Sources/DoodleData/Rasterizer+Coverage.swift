/// Coverage accumulation for one pixel row: sub-sampled spans or exact trapezoids per edge.
extension Sweep {
    /// One sub-row: fills the spans where the winding number is non-zero, then steps every
    /// edge down a sub-row, re-sorting the list by insertion and retiring finished edges.
    mutating func renderSubRow() {
        var edge = e[0].next
        var start = Int.min
        var previous = Int.min
        var winding = 0
        while edge != 1 {
            let i = Int(edge)
            let next = e[i].next
            let end = e[i].cell
            e[i].heightLeft -= 1
            if e[i].heightLeft != 0 {
                step(edge, byRow: false)
                if e[i].cell < previous {
                    var position = e[i].prev
                    e[Int(position)].next = next
                    e[Int(next)].prev = position
                    repeat {
                        position = e[Int(position)].prev
                    } while e[i].cell < e[Int(position)].cell
                    e[Int(e[Int(position)].next)].prev = edge
                    e[i].next = e[Int(position)].next
                    e[i].prev = position
                    e[Int(position)].next = edge
                } else {
                    previous = e[i].cell
                }
                minHeight = -1
            } else {
                unlink(edge)
            }
            winding += e[i].dir
            if winding == 0 {
                if e[Int(next)].cell != end {
                    addSubspan(start, end)
                    start = Int.min
                }
            } else if start == Int.min {
                start = end
            }
            edge = next
        }
    }

    /// Adds one sub-row's coverage of [x1, x2) (1/256 pixel).
    @inline(__always)
    mutating func addSubspan(_ x1: Int, _ x2: Int) {
        guard x1 != x2 else { return }
        let ix1 = x1 >> 8
        let fx1 = x1 & 255
        let ix2 = x2 >> 8
        let fx2 = x2 & 255
        if ix1 != ix2 {
            addCell(ix1, area: 2 * fx1, height: 1)
            addCell(ix2, area: -2 * fx2, height: -1)
        } else {
            addCell(ix1, area: 2 * (fx1 - fx2), height: 0)
        }
    }

    /// A whole pixel row at once: pairs each left edge with the right edge where the winding
    /// returns to zero and adds both edges' trapezoids; edges between them only step.
    mutating func renderFullRow() {
        var left = e[0].next
        while left != 1 {
            retire(left, after: gridY)
            var winding = e[Int(left)].dir
            var right = e[Int(left)].next
            while true {
                // A closed outline always returns to zero winding; stop safely if it did not.
                if right == 1 { return }
                retire(right, after: gridY)
                winding += e[Int(right)].dir
                if winding == 0 && e[Int(e[Int(right)].next)].cell != e[Int(right)].cell { break }
                step(right, byRow: true)
                right = e[Int(right)].next
            }
            addTrapezoid(left, sign: 1)
            addTrapezoid(right, sign: -1)
            left = e[Int(right)].next
        }
    }

    @inline(__always)
    mutating func retire(_ i: Int32, after rows: Int) {
        e[Int(i)].heightLeft -= rows
        if e[Int(i)].heightLeft == 0 {
            unlink(i)
            minHeight = -1
        }
    }

    /// Adds the coverage of the area right of edge `i` over a full pixel row, approximating the
    /// edge by the segment between its x at this row's and the next row's first sub-row centre.
    mutating func addTrapezoid(_ i: Int32, sign: Int) {
        let x1 = e[Int(i)].cell
        step(i, byRow: true)
        let x2 = e[Int(i)].cell
        var ix1 = x1 >> 8
        var fx1 = x1 & 255
        var ix2 = x2 >> 8
        var fx2 = x2 & 255
        if ix1 == ix2 {
            addCell(ix1, area: sign * (fx1 + fx2) * gridY, height: sign * gridY)
            return
        }
        var sign = sign
        var dx = x2 - x1
        var y1 = 0
        var y2 = gridY
        if dx < 0 {
            swap(&ix1, &ix2)
            swap(&fx1, &fx2)
            dx = -dx
            sign = -sign
            y1 = gridY
            y2 = 0
        }
        let dy = y2 - y1
        var (quo, rem) = flooredDivision((256 - fx1) * dy, dx)
        addCell(ix1, area: sign * quo * (256 + fx1), height: sign * quo)
        quo += y1
        if ix1 + 1 < ix2 {
            let (fullQuo, fullRem) = flooredDivision(256 * dy, dx)
            for x in (ix1 + 1)..<ix2 {
                var skip = fullQuo
                rem += fullRem
                if rem >= dx {
                    skip += 1
                    rem -= dx
                }
                quo += skip
                addCell(x, area: sign * skip * 256, height: sign * skip)
            }
        }
        addCell(ix2, area: sign * (y2 - quo) * fx2, height: sign * (y2 - quo))
    }
}

/// `a / b` rounded towards minus infinity, and the matching non-negative-for-positive-b remainder.
@inline(__always)
func flooredDivision(_ a: Int, _ b: Int) -> (quo: Int, rem: Int) {
    var quo = a / b
    var rem = a % b
    if (a ^ b) < 0 && rem != 0 {
        quo -= 1
        rem += b
    }
    return (quo, rem)
}
