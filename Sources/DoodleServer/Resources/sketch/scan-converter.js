// cairo 1.16's "tor" scan converter: polygon edges snapped to a 256×15 sub-pixel grid and filed by the
// pixel row they start in, the row-by-row sweep (non-zero winding), and 8-bit OVER compositing.
// Twin: Sources/DoodleData/Rasterizer+ScanConverter.swift (RasterWorkspace.beginPolygon, addEdge,
// SweepEdge, Sweep.run, composite); Raster methods, mixed in by raster.js. An edge's SweepEdge fields
// are parallel typed arrays indexed by edge, 0 and 1 the active list's head and tail sentinels.

import { divideProduct, quotient, remainder } from "./fixed-point.js";

export const GRID_Y = 15; // scan-converter sub-rows per pixel row

/** Raster's edges and sweep. */
export const scanConverterMethods = {
  allocateEdges(capacity) {
    const old = this.next === undefined ? null : this;
    const floats = [
      "cell", "cellRem", "stepQuo", "stepRem", "dy", "heightLeft", "ytop", "rowStepQuo", "rowStepRem",
      "halfStepQuo", "halfStepRem",
    ];
    for (const name of floats) {
      const array = new Float64Array(capacity);
      if (old) array.set(old[name]);
      this[name] = array;
    }
    for (const name of ["next", "prev", "dir"]) {
      const array = new Int32Array(capacity);
      if (old) array.set(old[name]);
      this[name] = array;
    }
    const vertical = new Uint8Array(capacity);
    if (old) vertical.set(old.vertical);
    this.vertical = vertical;
    this.edgeCapacity = capacity;
  },

  /** Empties the polygon before a stroke is outlined. */
  beginPolygon() {
    this.edgeCount = 2;
    for (const e of [0, 1]) {
      this.cellRem[e] = 0;
      this.stepQuo[e] = 0;
      this.stepRem[e] = 0;
      this.dy[e] = 1;
      this.heightLeft[e] = Infinity;
      this.vertical[e] = 1;
      this.dir[e] = 0;
    }
    this.cell[0] = -Infinity;
    this.cell[1] = Infinity;
    this.next[0] = 1;
    this.prev[0] = -1;
    this.next[1] = -1;
    this.prev[1] = 0;
    this.rowHeads.fill(-1);
  },

  /**
   * Adds the polygon edge a–b with winding `direction`, snapped to the 256×15 sub-pixel grid and
   * filed under the pixel row it starts in; horizontal edges and edges off the bitmap vanish.
   */
  addEdge(ax, ay, bx, by, direction) {
    if (ay === by) return;
    const down = ay < by;
    const topX = down ? ax : bx;
    const topY = down ? ay : by;
    const bottomX = down ? bx : ax;
    const bottomY = down ? by : ay;
    const dir = down ? direction : -direction;
    const side = this.side;
    const ytop = Math.max(Math.floor((GRID_Y * topY + 128) / 256), 0);
    const ybot = Math.min(Math.floor((GRID_Y * bottomY + 128) / 256), side * GRID_Y);
    if (!(ybot > ytop)) return;
    if (this.edgeCount === this.edgeCapacity) this.allocateEdges(2 * this.edgeCapacity);
    const e = this.edgeCount++;
    let cell = topX;
    let cellRem = 0;
    let stepQuo = 0;
    let stepRem = 0;
    let dy = 1;
    let rowStepQuo = 0;
    let rowStepRem = 0;
    let halfStepQuo = 0;
    let halfStepRem = 0;
    const heightLeft = ybot - ytop;
    if (topX !== bottomX) {
      // x is tracked exactly as quotient and remainder of a fraction with denominator dy.
      const ex = (bottomX - topX) * 256;
      const ey = (bottomY - topY) * GRID_Y * 512;
      dy = ey;
      divideProduct(ex, 512, ey);
      const truncQuo = quotient;
      const truncRem = remainder;
      halfStepQuo = Math.trunc(truncQuo / 2);
      halfStepRem = Math.trunc(truncRem / 2);
      if (truncRem < 0) {
        stepQuo = truncQuo - 1;
        stepRem = truncRem + ey;
      } else {
        stepQuo = truncQuo;
        stepRem = truncRem;
      }
      divideProduct((2 * ytop + 1) * 256 - topY * GRID_Y * 2, ex, ey);
      let quo = quotient + topX;
      let rem = remainder;
      if (rem < 0) {
        quo -= 1;
        rem += ey;
      } else if (rem >= ey) {
        quo += 1;
        rem -= ey;
      }
      if (heightLeft >= GRID_Y) {
        // ex * 15 * 512 / ey, from the sub-row step: both parts share the sign of ex.
        divideProduct(GRID_Y, truncRem, ey);
        rowStepQuo = GRID_Y * truncQuo + quotient;
        rowStepRem = remainder;
      }
      const half = Math.floor(ey / 2);
      if (rem >= half) {
        cell = quo + 1;
        cellRem = rem - half;
      } else {
        cell = quo;
        cellRem = rem + half;
      }
    }
    this.cell[e] = cell;
    this.cellRem[e] = cellRem;
    this.stepQuo[e] = stepQuo;
    this.stepRem[e] = stepRem;
    this.dy[e] = dy;
    this.vertical[e] = topX === bottomX ? 1 : 0;
    this.ytop[e] = ytop;
    this.heightLeft[e] = heightLeft;
    this.dir[e] = dir;
    this.rowStepQuo[e] = rowStepQuo;
    this.rowStepRem[e] = rowStepRem;
    this.halfStepQuo[e] = halfStepQuo;
    this.halfStepRem[e] = halfStepRem;
    const row = Math.floor(ytop / GRID_Y);
    this.next[e] = this.rowHeads[row];
    this.prev[e] = -1;
    this.rowHeads[row] = e;
  },

  /**
   * Sweeps all pixel rows (non-zero winding), using exact trapezoid coverage for rows where no edge
   * starts, ends or crosses another and 15 sub-sampled rows otherwise, and composites white OVER
   * the bitmap (Sweep.run).
   */
  sweep(bitmap) {
    const side = this.side;
    const { rowHeads, buckets, next } = this;
    this.leftHeight = 0;
    this.minHeight = 0;
    this.isVertical = true;
    this.touchedLow = side;
    this.touchedHigh = 0;
    let i = 0;
    while (i < side) {
      let fullRow = false;
      let j = i + 1;
      if (this.fillBuckets(rowHeads[i], i * GRID_Y) === 0) {
        if (buckets[0] >= 0) {
          next[0] = this.merge(next[0], this.sortEdges(buckets[0], Infinity));
          buckets[0] = -1;
        }
        if (next[0] === 1) {
          this.minHeight = Infinity;
          this.isVertical = true;
          while (j < side && rowHeads[j] < 0) j++;
          i = j;
          continue;
        }
        fullRow = this.canDoFullRow();
      }
      if (fullRow) {
        this.renderFullRow();
        if (this.isVertical) {
          while (j < side && rowHeads[j] < 0 && this.minHeight >= 2 * GRID_Y) {
            this.minHeight -= GRID_Y;
            j++;
          }
          if (j !== i + 1) this.stepEdges(j - (i + 1));
        }
      } else {
        for (let sub = 0; sub < GRID_Y; sub++) {
          const bucket = buckets[sub];
          if (bucket >= 0) {
            if (next[bucket] < 0) this.insert(bucket);
            else next[0] = this.merge(next[0], this.sortEdges(bucket, Infinity));
            buckets[sub] = -1;
          }
          this.renderSubRow();
        }
      }
      this.composite(i, j, bitmap);
      this.minHeight -= GRID_Y;
      i = j;
    }
  },

  /**
   * Turns the row's cells into 8-bit coverage and composites white OVER rows `from` up to `to`,
   * with cairo's rounding: a + (255 - a) * dst / 255, the division rounded as pixman's MUL_UN8.
   */
  composite(from, to, pixels) {
    const side = this.side;
    const cells = this.cells;
    let cover = this.leftHeight * 512;
    const first = cover === 0 ? this.touchedLow : 0;
    const touchedHigh = this.touchedHigh;
    for (let x = first; x < side; x++) {
      if (x >= touchedHigh && cover === 0) break;
      cover += cells[2 * x + 1] * 512;
      const area = cover - cells[2 * x];
      cells[2 * x] = 0;
      cells[2 * x + 1] = 0;
      const alpha = ((area + (area << 4) + 256) >> 9) & 255;
      if (alpha === 0) continue;
      for (let y = from; y < to; y++) {
        const p = y * side + x;
        if (alpha === 255) {
          pixels[p] = 255;
        } else {
          const t = pixels[p] * (255 - alpha) + 0x7f;
          pixels[p] = Math.min(255, alpha + ((t + (t >> 8)) >> 8));
        }
      }
    }
    this.touchedLow = side;
    this.touchedHigh = 0;
    this.leftHeight = 0;
  },
};
