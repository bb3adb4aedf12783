// Strokes drawn with Google's recipe for Quick, Draw!'s numpy_bitmap: the 256-unit box plus padding
// scaled onto the bitmap, the drawing centred on its maximum, each stroke's points taken to cairo's
// 24.8 fixed-point path, outlined and scan-converted in turn. Twins: Sources/DoodleData/Rasterizer.swift
// (render, maximum(of:), draw, appendToPath) and Rasterizer+Session.swift (one rasterizer and its
// working memory kept from drawing to drawing).
//
// Raster holds the state that the Swift code spreads over Rasterizer, Pen, RasterWorkspace and Sweep,
// in typed arrays kept from drawing to drawing. Its methods live in the modules beside their Swift
// twins (pen.js, stroker.js, scan-converter.js, active-list.js, coverage.js) and are mixed into
// Raster.prototype here, so that every call stays a plain method call on one object.

import { activeListMethods } from "./active-list.js";
import { coverageMethods } from "./coverage.js";
import { compareProducts, fixed } from "./fixed-point.js";
import { penMethods } from "./pen.js";
import { GRID_Y, scanConverterMethods } from "./scan-converter.js";
import { strokerMethods } from "./stroker.js";

const COORDINATE_LIMIT = 65536; // the rasterizer's largest |coordinate|

/** One rasterizer per bitmap side, made on first use: its pen and working memory. */
const rasters = new Map();

/**
 * Draws strokes (points xs/ys, stroke s from starts[s] to starts[s + 1]) into the zeroed bitmap,
 * as Rasterizer.render does.
 */
export function rasterize(xs, ys, starts, count, side, bitmap) {
  let maxX = -Infinity;
  let maxY = -Infinity;
  const points = starts[count];
  for (let i = 0; i < points; i++) {
    const x = xs[i];
    const y = ys[i];
    if (!(Math.abs(x) <= COORDINATE_LIMIT && Math.abs(y) <= COORDINATE_LIMIT)) {
      throw new Error(`drawing: coordinate (${x}, ${y}) is not a finite value within ±65536`);
    }
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  if (points === 0) return;
  let raster = rasters.get(side);
  if (raster === undefined) {
    raster = new Raster(side);
    rasters.set(side, raster);
  }
  raster.draw(xs, ys, starts, count, maxX, maxY, bitmap);
}

/**
 * cairo 1.16's stroker and "tor" scan converter for one bitmap side, with Google's recipe.
 * Fixed-point values are integers in 1/256 pixel held in doubles; edges live in parallel typed
 * arrays (0 and 1 are the active list's head and tail sentinels, with cells -∞ and +∞).
 */
class Raster {
  constructor(side) {
    this.side = side;
    this.scale = side / (256.0 + 48.0);
    this.translation = 24.0 * this.scale;
    // cairo keeps the inverse matrix as the product of inverted steps: 1 / scale.
    this.inverseScale = 1.0 / this.scale;
    this.makePen(8.0);
    this.pathX = new Float64Array(256);
    this.pathY = new Float64Array(256);
    this.pathCount = 0;
    this.cwX = new Float64Array(256);
    this.cwY = new Float64Array(256);
    this.cwCount = 0;
    this.ccwX = new Float64Array(256);
    this.ccwY = new Float64Array(256);
    this.ccwCount = 0;
    this.allocateEdges(512);
    this.edgeCount = 0;
    this.rowHeads = new Int32Array(side);
    this.buckets = new Int32Array(GRID_Y).fill(-1);
    this.cells = new Float64Array(2 * side);
    // The face of the last segment, written by face(): the offset of its corners from its point.
    this.offsetX = 0;
    this.offsetY = 0;
    this.rangeStart = 0;
    this.rangeStop = 0;
    this.remaining = -1;
    // The sweep's state (Sweep in Rasterizer+ActiveList.swift).
    this.leftHeight = 0;
    this.minHeight = 0;
    this.isVertical = true;
    this.touchedLow = side;
    this.touchedHigh = 0;
  }

  /** Strokes every stroke, centred on the maximum (maxX, maxY), over the bitmap. */
  draw(xs, ys, starts, count, maxX, maxY, bitmap) {
    // Google centres on the maximum only: offset = ((256, 256) - max) / 2.
    const offsetX = (256.0 - maxX) / 2.0;
    const offsetY = (256.0 - maxY) / 2.0;
    for (let s = 0; s < count; s++) {
      const start = starts[s];
      const end = starts[s + 1];
      if (end === start) continue;
      if (this.pathX.length < end - start + 1) {
        this.pathX = new Float64Array(2 * (end - start + 1));
        this.pathY = new Float64Array(this.pathX.length);
      }
      this.pathCount = 0;
      // Google's loop: move_to the first point, then line_to every point including the first.
      this.appendToPath(xs[start] + offsetX, ys[start] + offsetY, true);
      for (let i = start; i < end; i++) this.appendToPath(xs[i] + offsetX, ys[i] + offsetY, false);
      this.strokePath();
      if (this.edgeCount > 2) this.sweep(bitmap);
    }
  }

  /** Adds a point to the fixed-point path as cairo's path builder does (Rasterizer.appendToPath). */
  appendToPath(x, y, isMove) {
    const px = fixed(this.scale * x + this.translation);
    const py = fixed(this.scale * y + this.translation);
    const pathX = this.pathX;
    const pathY = this.pathY;
    let n = this.pathCount;
    if (!isMove && n >= 2) {
      const cx = pathX[n - 1];
      const cy = pathY[n - 1];
      if (px === cx && py === cy) return;
      const bx = pathX[n - 2];
      const by = pathY[n - 2];
      if (bx === cx && by === cy) {
        n--;
      } else {
        const pdx = cx - bx;
        const pdy = cy - by;
        const ndx = px - cx;
        const ndy = py - cy;
        const parallel = compareProducts(pdy, ndx, ndy, pdx) === 0;
        const opposed = pdx < 0 !== ndx < 0 || pdy < 0 !== ndy < 0;
        if (parallel && !opposed) n--;
      }
    }
    pathX[n] = px;
    pathY[n] = py;
    this.pathCount = n + 1;
  }
}

Object.assign(
  Raster.prototype,
  penMethods,
  strokerMethods,
  scanConverterMethods,
  activeListMethods,
  coverageMethods,
);
