// The scan converter's active list: the edges crossing the current row, linked through next/prev and
// sorted by cell, and the coverage cells of one pixel row. Twin: Sources/DoodleData/
// Rasterizer+ActiveList.swift (Sweep's addCell, stepRow, unlink, insert, merge, sortEdges,
// canDoFullRow, fillBuckets, stepEdges); Raster methods, mixed in by raster.js.

import { GRID_Y } from "./scan-converter.js";

/** Raster's active list and row cells. */
export const activeListMethods = {
  addCell(x, area, height) {
    if (x < 0) {
      this.leftHeight += height;
    } else if (x < this.side) {
      this.cells[2 * x] += area;
      this.cells[2 * x + 1] += height;
      if (x < this.touchedLow) this.touchedLow = x;
      if (x + 1 > this.touchedHigh) this.touchedHigh = x + 1;
    }
  },

  /** Advances an edge's x by one pixel row (cairo's truncated row step, then one carry). */
  stepRow(e) {
    let cell = this.cell[e] + this.rowStepQuo[e];
    let rem = this.cellRem[e] + this.rowStepRem[e];
    if (rem < 0) {
      cell -= 1;
      rem += this.dy[e];
    } else if (rem >= this.dy[e]) {
      cell += 1;
      rem -= this.dy[e];
    }
    this.cell[e] = cell;
    this.cellRem[e] = rem;
  },

  unlink(e) {
    this.next[this.prev[e]] = this.next[e];
    this.prev[this.next[e]] = this.prev[e];
  },

  /** Links the lone edge e into the active list before the first edge with a greater cell. */
  insert(e) {
    const { cell, next, prev } = this;
    const x = cell[e];
    let after = next[0];
    while (cell[after] <= x) after = next[after];
    const before = prev[after];
    prev[e] = before;
    next[e] = after;
    next[before] = e;
    prev[after] = e;
  },

  /** Merges two lists sorted by cell; on ties the run being copied continues (cairo's merge). */
  merge(headA, headB) {
    const { cell, next, prev } = this;
    let a = headA;
    let b = headB;
    let before = prev[a];
    let head;
    let link = -1;
    let takeA = true;
    if (cell[a] <= cell[b]) {
      head = a;
    } else {
      head = b;
      prev[b] = before;
      takeA = false;
    }
    for (;;) {
      if (takeA) {
        const x = cell[b];
        while (a >= 0 && cell[a] <= x) {
          before = a;
          link = a;
          a = next[a];
        }
        prev[b] = before;
        if (link < 0) head = b;
        else next[link] = b;
        if (a < 0) return head;
      }
      takeA = true;
      const x = cell[a];
      while (b >= 0 && cell[b] <= x) {
        before = b;
        link = b;
        b = next[b];
      }
      prev[a] = before;
      if (link < 0) head = a;
      else next[link] = a;
      if (b < 0) return head;
    }
  },

  /** Sorts the first 2^(level+1) edges of `list` by cell; returns them, the rest in `remaining`. */
  sortEdges(list, level) {
    const { cell, next, prev } = this;
    const other = next[list];
    if (other < 0) {
      this.remaining = -1;
      return list;
    }
    let remaining = next[other];
    let head;
    if (cell[list] <= cell[other]) {
      head = list;
      next[other] = -1;
    } else {
      head = other;
      prev[other] = prev[list];
      next[other] = list;
      prev[list] = other;
      next[list] = -1;
    }
    for (let i = 0; i < level && remaining >= 0; i++) {
      const part = this.sortEdges(remaining, i);
      remaining = this.remaining;
      head = this.merge(head, part);
    }
    this.remaining = remaining;
    return head;
  },

  /** Whether every active edge lasts the whole next pixel row without changing order. */
  canDoFullRow() {
    const { cell, cellRem, dy, next, vertical } = this;
    if (this.minHeight <= 0) {
      let lowest = Infinity;
      let allVertical = true;
      for (let e = next[0]; e >= 0; e = next[e]) {
        lowest = Math.min(lowest, this.heightLeft[e]);
        allVertical = allVertical && vertical[e] === 1;
      }
      this.isVertical = allVertical;
      this.minHeight = lowest;
    }
    if (this.minHeight < GRID_Y) return false;
    let previous = -Infinity;
    for (let e = next[0]; e !== 1; e = next[e]) {
      let x = cell[e];
      if (vertical[e] === 0) {
        const d = dy[e];
        const half = Math.floor(d / 2);
        let quo = cellRem[e] >= half ? cell[e] : cell[e] - 1;
        let rem = cellRem[e] >= half ? cellRem[e] - half : cellRem[e] + d - half;
        // A whole row from this sample, as cairo's can_do_full_row (Rasterizer+ActiveList).
        quo += this.rowStepQuo[e];
        rem += this.rowStepRem[e];
        if (rem < 0) {
          quo -= 1;
          rem += d;
        } else if (rem >= d) {
          quo += 1;
          rem -= d;
        }
        x = quo + (rem >= half ? 1 : 0);
      }
      if (x < previous) return false;
      previous = x;
    }
    return true;
  },

  /** Moves the edges starting in this pixel row into per-sub-row buckets; returns the last sub-row. */
  fillBuckets(list, y) {
    const { buckets, next, prev } = this;
    let lastSub = 0;
    let e = list;
    while (e >= 0) {
      const following = next[e];
      const sub = this.ytop[e] - y;
      if (buckets[sub] >= 0) prev[buckets[sub]] = e;
      next[e] = buckets[sub];
      prev[e] = -1;
      buckets[sub] = e;
      this.minHeight = Math.min(this.minHeight, this.heightLeft[e]);
      this.isVertical = this.isVertical && this.vertical[e] === 1;
      e = following;
      lastSub = Math.max(lastSub, sub);
    }
    return lastSub;
  },

  /** Lowers every active edge's remaining height by `rows` pixel rows, retiring finished ones. */
  stepEdges(rows) {
    const next = this.next;
    for (let e = next[0]; e !== 1; e = next[e]) {
      this.heightLeft[e] -= rows * GRID_Y;
      if (this.heightLeft[e] === 0) {
        this.unlink(e);
        this.minHeight = -1;
      }
    }
  },
};
