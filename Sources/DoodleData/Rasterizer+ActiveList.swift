// JavaScript twin, for the page: Sources/DoodleServer/Resources/sketch/active-list.js. Fix both together.

/// The scan converter's state during one polygon sweep: the edges (0 and 1 are the head and tail
/// of the active list, sorted by `cell`) and one pixel row of coverage cells. Each cell x holds
/// the area left of the polygon's boundary in units of 1/7680 pixel (`cells[2x]`) and the signed
/// height of boundary crossing it in sub-rows (`cells[2x+1]`); cells left of the bitmap only add
/// their height to `leftHeight`, cells right of it are dropped.
struct Sweep {
    let e: UnsafeMutablePointer<SweepEdge>
    let cells: UnsafeMutablePointer<Int>
    let side: Int
    var leftHeight = 0
    /// A lower bound on the sub-rows left of any active edge; -1 asks for a recount.
    var minHeight = 0
    var isVertical = true
    /// The cells written since the last composite lie in `touchedLow..<touchedHigh` (empty when none).
    var touchedLow: Int
    var touchedHigh = 0

    init(e: UnsafeMutablePointer<SweepEdge>, cells: UnsafeMutablePointer<Int>, side: Int) {
        self.e = e
        self.cells = cells
        self.side = side
        touchedLow = side
    }

    @inline(__always)
    mutating func addCell(_ x: Int, area: Int, height: Int) {
        // Wrapping: the inner loop of `renderSubRow`, whose values `addEdge` bounded.
        if x < 0 {
            leftHeight &+= height
        } else if x < side {
            cells[2 &* x] &+= area
            cells[2 &* x &+ 1] &+= height
            touchedLow = min(touchedLow, x)
            touchedHigh = max(touchedHigh, x &+ 1)
        }
    }

    /// Advances an edge's x by one pixel row (cairo's truncated row step, then one carry).
    @inline(__always)
    func stepRow(_ i: Int32) {
        let p = e + Int(i)
        var cell = p.pointee.cell + p.pointee.rowStepQuo
        var rem = p.pointee.cellRem + p.pointee.rowStepRem
        if rem < 0 {
            cell -= 1
            rem += p.pointee.dy
        } else if rem >= p.pointee.dy {
            cell += 1
            rem -= p.pointee.dy
        }
        p.pointee.cell = cell
        p.pointee.cellRem = rem
    }

    @inline(__always)
    func unlink(_ i: Int32) {
        e[Int(e[Int(i)].prev)].next = e[Int(i)].next
        e[Int(e[Int(i)].next)].prev = e[Int(i)].prev
    }

    /// Links the lone edge `i` into the active list before the first edge with a greater cell,
    /// where merging the one-edge list would put it.
    @inline(__always)
    func insert(_ i: Int32) {
        let cell = e[Int(i)].cell
        var after = e[0].next
        // The tail sentinel's cell is Int.max, which stops the walk.
        while e[Int(after)].cell <= cell { after = e[Int(after)].next }
        let before = e[Int(after)].prev
        e[Int(i)].prev = before
        e[Int(i)].next = after
        e[Int(before)].next = i
        e[Int(after)].prev = i
    }

    /// Merges two lists sorted by cell; on ties the run being copied continues (cairo's merge).
    func merge(_ headA: Int32, _ headB: Int32) -> Int32 {
        var a = headA
        var b = headB
        var prev = e[Int(a)].prev
        var head: Int32
        var link: Int32 = -1
        var takeA = true
        if e[Int(a)].cell <= e[Int(b)].cell {
            head = a
        } else {
            head = b
            e[Int(b)].prev = prev
            takeA = false
        }
        while true {
            if takeA {
                let x = e[Int(b)].cell
                while a >= 0 && e[Int(a)].cell <= x {
                    prev = a
                    link = a
                    a = e[Int(a)].next
                }
                e[Int(b)].prev = prev
                if link < 0 { head = b } else { e[Int(link)].next = b }
                if a < 0 { return head }
            }
            takeA = true
            let x = e[Int(a)].cell
            while b >= 0 && e[Int(b)].cell <= x {
                prev = b
                link = b
                b = e[Int(b)].next
            }
            e[Int(a)].prev = prev
            if link < 0 { head = a } else { e[Int(link)].next = a }
            if b < 0 { return head }
        }
    }

    /// Sorts the first 2^(level+1) edges of `list` by cell; returns them and the rest of the list.
    func sortEdges(_ list: Int32, level: UInt) -> (head: Int32, remaining: Int32) {
        let other = e[Int(list)].next
        if other < 0 { return (list, -1) }
        var remaining = e[Int(other)].next
        var head: Int32
        if e[Int(list)].cell <= e[Int(other)].cell {
            head = list
            e[Int(other)].next = -1
        } else {
            head = other
            e[Int(other)].prev = e[Int(list)].prev
            e[Int(other)].next = list
            e[Int(list)].prev = other
            e[Int(list)].next = -1
        }
        var i: UInt = 0
        while i < level && remaining >= 0 {
            let part = sortEdges(remaining, level: i)
            remaining = part.remaining
            head = merge(head, part.head)
            i += 1
        }
        return (head, remaining)
    }

    /// Whether every active edge lasts the whole next pixel row without changing order.
    mutating func canDoFullRow() -> Bool {
        if minHeight <= 0 {
            var lowest = Int.max
            var vertical = true
            var i = e[0].next
            while i >= 0 {
                lowest = min(lowest, e[Int(i)].heightLeft)
                vertical = vertical && e[Int(i)].isVertical
                i = e[Int(i)].next
            }
            isVertical = vertical
            minHeight = lowest
        }
        if minHeight < gridY { return false }
        var previous = Int.min
        var i = e[0].next
        while i != 1 {
            let edge = e[Int(i)]
            var cell = edge.cell
            if !edge.isVertical {
                // x at the next row's first sample, a whole row on, as cairo's can_do_full_row
                // steps it. Checking half a sub-row earlier let two edges that cross in between
                // pass as ordered: the next row then swept an unsorted list, and a pixel's
                // overlapping spans could sum past full coverage (255 wrapped to 0).
                let x = edge.x
                let (quo, rem) = normalized(x.quo + edge.rowStepQuo, x.rem + edge.rowStepRem, edge.dy)
                cell = quo + (rem >= edge.dy / 2 ? 1 : 0)
            }
            if cell < previous { return false }
            previous = cell
            i = edge.next
        }
        return true
    }

    /// Moves the edges starting in this pixel row into per-sub-row buckets; returns the last
    /// sub-row any of them starts in.
    mutating func fillBuckets(_ list: Int32, y: Int, buckets: UnsafeMutablePointer<Int32>) -> Int {
        var lastSub = 0
        var i = list
        while i >= 0 {
            let next = e[Int(i)].next
            let sub = e[Int(i)].ytop - y
            if buckets[sub] >= 0 { e[Int(buckets[sub])].prev = i }
            e[Int(i)].next = buckets[sub]
            e[Int(i)].prev = -1
            buckets[sub] = i
            minHeight = min(minHeight, e[Int(i)].heightLeft)
            isVertical = isVertical && e[Int(i)].isVertical
            i = next
            lastSub = max(lastSub, sub)
        }
        return lastSub
    }

    /// Lowers every active edge's remaining height by `rows` pixel rows, retiring finished ones.
    mutating func stepEdges(rows: Int) {
        var i = e[0].next
        while i != 1 {
            e[Int(i)].heightLeft -= rows * gridY
            if e[Int(i)].heightLeft == 0 {
                unlink(i)
                minHeight = -1
            }
            i = e[Int(i)].next
        }
    }
}
