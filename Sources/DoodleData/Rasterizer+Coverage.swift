// JavaScript twin, for the page: Sources/DoodleServer/Resources/sketch/coverage.js. Fix both together.

/// Coverage accumulation for one pixel row: sub-sampled spans or exact trapezoids per edge.
extension Sweep {
    /// One sub-row: fills the spans where the winding number is non-zero, then steps every
    /// edge down a sub-row, re-sorting the list by insertion and retiring finished edges.
    mutating func renderSubRow() {
        var edge = e[0].next
        var start = Int.min
        var previous = Int.min
        var winding = 0
        var stepped = false
        while edge != 1 {
            let p = e + Int(edge)
            let next = p.pointee.next
            let end = p.pointee.cell
            let heightLeft = p.pointee.heightLeft &- 1
            p.pointee.heightLeft = heightLeft
            if heightLeft != 0 {
                // x advances one sub-row: floored step, so at most one carry upwards.
                var cell = end &+ p.pointee.stepQuo
                var rem = p.pointee.cellRem &+ p.pointee.stepRem
                if rem >= p.pointee.dy {
                    cell &+= 1
                    rem &-= p.pointee.dy
                }
                p.pointee.cell = cell
                p.pointee.cellRem = rem
                if cell < previous {
                    var position = p.pointee.prev
                    e[Int(position)].next = next
                    e[Int(next)].prev = position
                    repeat {
                        position = e[Int(position)].prev
                    } while cell < e[Int(position)].cell
                    e[Int(e[Int(position)].next)].prev = edge
                    p.pointee.next = e[Int(position)].next
                    p.pointee.prev = position
                    e[Int(position)].next = edge
                } else {
                    previous = cell
                }
                stepped = true
            } else {
                unlink(edge)
            }
            winding &+= p.pointee.dir
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
        if stepped { minHeight = -1 }
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
            addCell(ix1, area: 2 &* fx1, height: 1)
            addCell(ix2, area: -2 &* fx2, height: -1)
        } else {
            addCell(ix1, area: 2 &* (fx1 &- fx2), height: 0)
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
                stepRow(right)
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

    /// Adds the coverage right of edge `i` over a full pixel row, the edge taken as the exact
    /// segment between its x at this row's top and the next row's top (stepped back half a
    /// sub-row from the sample points), with crossing heights in sub-rows rounded down.
    mutating func addTrapezoid(_ i: Int32, sign: Int) {
        let edge = e[Int(i)]
        stepRow(i)
        let dy = edge.dy
        var (quo1, rem1) = edge.x
        var (quo2, rem2) = e[Int(i)].x
        if !edge.isVertical {
            (quo1, rem1) = normalized(quo1 - edge.halfStepQuo, rem1 - edge.halfStepRem, dy)
            (quo2, rem2) = normalized(quo2 - edge.halfStepQuo, rem2 - edge.halfStepRem, dy)
        }
        var ix1 = quo1 >> 8
        var fx1 = quo1 & 255
        var ix2 = quo2 >> 8
        var fx2 = quo2 & 255
        if ix1 == ix2 {
            addCell(ix1, area: sign * (fx1 + fx2) * gridY, height: sign * gridY)
            return
        }
        if ix2 < ix1 {
            swap(&ix1, &ix2)
            swap(&fx1, &fx2)
            swap(&quo1, &quo2)
            swap(&rem1, &rem2)
        }
        let dx = (quo2 - quo1) * dy + (rem2 - rem1)
        let t = ((ix1 + 1) * 256 * dy - (quo1 * dy + rem1)) * gridY
        var y = t / dx
        var rem = t % dx
        addCell(ix1, area: sign * y * (256 + fx1), height: sign * y)
        var last = y
        if ix1 + 1 < ix2 {
            let fullQuo = gridY * 256 * dy / dx
            let fullRem = gridY * 256 * dy % dx
            for x in (ix1 + 1)..<ix2 {
                y += fullQuo
                rem += fullRem
                if rem >= dx {
                    y += 1
                    rem -= dx
                }
                addCell(x, area: sign * (y - last) * 256, height: sign * (y - last))
                last = y
            }
        }
        addCell(ix2, area: sign * (gridY - last) * fx2, height: sign * (gridY - last))
    }
}

/// A quotient and remainder brought back to 0 <= remainder < `denominator` by one carry.
@inline(__always)
func normalized(_ quo: Int, _ rem: Int, _ denominator: Int) -> (Int, Int) {
    if rem < 0 { return (quo - 1, rem + denominator) }
    if rem >= denominator { return (quo + 1, rem - denominator) }
    return (quo, rem)
}
