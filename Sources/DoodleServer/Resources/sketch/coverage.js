// One pixel row's coverage: 15 sub-sampled spans, or, where no edge starts, ends or crosses another,
// each edge's exact trapezoid. Twin: Sources/DoodleData/Rasterizer+Coverage.swift (Sweep's
// renderSubRow, addSubspan, renderFullRow, retire, addTrapezoid); Raster methods, mixed in by raster.js.

import { divideProduct, quotient, remainder } from "./fixed-point.js";
import { GRID_Y } from "./scan-converter.js";

/** Raster's coverage. */
export const coverageMethods = {
  /**
   * One sub-row: fills the spans where the winding number is non-zero, then steps every edge down
   * a sub-row, re-sorting the list by insertion and retiring finished edges.
   */
  renderSubRow() {
    const { cell, cellRem, stepQuo, stepRem, dy, heightLeft, next, prev, dir } = this;
    let e = next[0];
    let start = -Infinity;
    let previous = -Infinity;
    let winding = 0;
    let stepped = false;
    while (e !== 1) {
      const following = next[e];
      const end = cell[e];
      const left = heightLeft[e] - 1;
      heightLeft[e] = left;
      if (left !== 0) {
        // x advances one sub-row: floored step, so at most one carry upwards.
        let x = end + stepQuo[e];
        let rem = cellRem[e] + stepRem[e];
        if (rem >= dy[e]) {
          x += 1;
          rem -= dy[e];
        }
        cell[e] = x;
        cellRem[e] = rem;
        if (x < previous) {
          let position = prev[e];
          next[position] = following;
          prev[following] = position;
          do {
            position = prev[position];
          } while (x < cell[position]);
          prev[next[position]] = e;
          next[e] = next[position];
          prev[e] = position;
          next[position] = e;
        } else {
          previous = x;
        }
        stepped = true;
      } else {
        this.unlink(e);
      }
      winding += dir[e];
      if (winding === 0) {
        if (cell[following] !== end) {
          this.addSubspan(start, end);
          start = -Infinity;
        }
      } else if (start === -Infinity) {
        start = end;
      }
      e = following;
    }
    if (stepped) this.minHeight = -1;
  },

  /** Adds one sub-row's coverage of [x1, x2) (1/256 pixel). */
  addSubspan(x1, x2) {
    if (x1 === x2) return;
    const ix1 = Math.floor(x1 / 256);
    const fx1 = x1 - ix1 * 256;
    const ix2 = Math.floor(x2 / 256);
    const fx2 = x2 - ix2 * 256;
    if (ix1 !== ix2) {
      this.addCell(ix1, 2 * fx1, 1);
      this.addCell(ix2, -2 * fx2, -1);
    } else {
      this.addCell(ix1, 2 * (fx1 - fx2), 0);
    }
  },

  /**
   * A whole pixel row at once: pairs each left edge with the right edge where the winding returns
   * to zero and adds both edges' trapezoids; edges between them only step.
   */
  renderFullRow() {
    const { cell, next, dir } = this;
    let left = next[0];
    while (left !== 1) {
      this.retire(left, GRID_Y);
      let winding = dir[left];
      let right = next[left];
      for (;;) {
        // A closed outline always returns to zero winding; stop safely if it did not.
        if (right === 1) return;
        this.retire(right, GRID_Y);
        winding += dir[right];
        if (winding === 0 && cell[next[right]] !== cell[right]) break;
        this.stepRow(right);
        right = next[right];
      }
      this.addTrapezoid(left, 1);
      this.addTrapezoid(right, -1);
      left = next[right];
    }
  },

  retire(e, rows) {
    this.heightLeft[e] -= rows;
    if (this.heightLeft[e] === 0) {
      this.unlink(e);
      this.minHeight = -1;
    }
  },

  /**
   * Adds the coverage right of edge e over a full pixel row, the edge taken as the exact segment
   * between its x at this row's top and the next row's top, with crossing heights rounded down.
   */
  addTrapezoid(e, sign) {
    const dy = this.dy[e];
    const half = Math.floor(dy / 2);
    // x before and after the row step, as quotient and remainder (SweepEdge.x).
    let quo1 = this.cellRem[e] >= half ? this.cell[e] : this.cell[e] - 1;
    let rem1 = this.cellRem[e] >= half ? this.cellRem[e] - half : this.cellRem[e] + dy - half;
    this.stepRow(e);
    let quo2 = this.cellRem[e] >= half ? this.cell[e] : this.cell[e] - 1;
    let rem2 = this.cellRem[e] >= half ? this.cellRem[e] - half : this.cellRem[e] + dy - half;
    if (this.vertical[e] === 0) {
      quo1 -= this.halfStepQuo[e];
      rem1 -= this.halfStepRem[e];
      if (rem1 < 0) {
        quo1 -= 1;
        rem1 += dy;
      } else if (rem1 >= dy) {
        quo1 += 1;
        rem1 -= dy;
      }
      quo2 -= this.halfStepQuo[e];
      rem2 -= this.halfStepRem[e];
      if (rem2 < 0) {
        quo2 -= 1;
        rem2 += dy;
      } else if (rem2 >= dy) {
        quo2 += 1;
        rem2 -= dy;
      }
    }
    let ix1 = Math.floor(quo1 / 256);
    let fx1 = quo1 - ix1 * 256;
    let ix2 = Math.floor(quo2 / 256);
    let fx2 = quo2 - ix2 * 256;
    if (ix1 === ix2) {
      this.addCell(ix1, sign * (fx1 + fx2) * GRID_Y, sign * GRID_Y);
      return;
    }
    if (ix2 < ix1) {
      [ix1, ix2] = [ix2, ix1];
      [fx1, fx2] = [fx2, fx1];
      [quo1, quo2] = [quo2, quo1];
      [rem1, rem2] = [rem2, rem1];
    }
    const dx = (quo2 - quo1) * dy + (rem2 - rem1);
    // ((ix1 + 1) * 256 * dy - (quo1 * dy + rem1)) * 15, with the terms grouped to stay below 2^53.
    divideProduct(((ix1 + 1) * 256 - quo1) * dy - rem1, GRID_Y, dx);
    let y = quotient;
    let rem = remainder;
    this.addCell(ix1, sign * y * (256 + fx1), sign * y);
    let last = y;
    if (ix1 + 1 < ix2) {
      divideProduct(GRID_Y * 256, dy, dx);
      const fullQuo = quotient;
      const fullRem = remainder;
      for (let x = ix1 + 1; x < ix2; x++) {
        y += fullQuo;
        rem += fullRem;
        if (rem >= dx) {
          y += 1;
          rem -= dx;
        }
        this.addCell(x, sign * (y - last) * 256, sign * (y - last));
        last = y;
      }
    }
    this.addCell(ix2, sign * (GRID_Y - last) * fx2, sign * (GRID_Y - last));
  },
};
