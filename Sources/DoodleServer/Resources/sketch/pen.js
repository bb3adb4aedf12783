// The polygon cairo draws round caps and joins with, and the vertices a fan between two directions
// passes. Twin: Sources/DoodleData/Rasterizer+Pen.swift (Pen.init(radius:scale:), clockwiseRange,
// counterClockwiseRange); Raster methods, mixed in by raster.js.

import { compareSlopes, fixed } from "./fixed-point.js";

/** Raster's pen: its vertices (penX, penY) and their slopes in and out. */
export const penMethods = {
  /** The polygonal pen of a `radius` circle (Rasterizer+Pen.swift). */
  makePen(radius) {
    const tolerance = 0.1;
    const scale = this.scale;
    const majorAxis = radius * Math.sqrt(scale * scale);
    let count;
    if (tolerance >= 4 * majorAxis) {
      count = 1;
    } else if (tolerance >= majorAxis) {
      count = 4;
    } else {
      count = Math.ceil((2 * Math.PI) / Math.acos(1 - tolerance / majorAxis));
      if (count % 2 === 1) count += 1;
      count = Math.max(count, 4);
    }
    this.penCount = count;
    this.penX = new Float64Array(count);
    this.penY = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const theta = (2 * Math.PI * i) / count;
      this.penX[i] = fixed(scale * (radius * Math.cos(theta)));
      this.penY[i] = fixed(scale * (radius * Math.sin(theta)));
    }
    this.slopeInX = new Float64Array(count);
    this.slopeInY = new Float64Array(count);
    this.slopeOutX = new Float64Array(count);
    this.slopeOutY = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const before = (i + count - 1) % count;
      const after = (i + 1) % count;
      this.slopeInX[i] = this.penX[i] - this.penX[before];
      this.slopeInY[i] = this.penY[i] - this.penY[before];
      this.slopeOutX[i] = this.penX[after] - this.penX[i];
      this.slopeOutY[i] = this.penY[after] - this.penY[i];
    }
  },

  /** The pen vertices of a clockwise fan, as rangeStart up to rangeStop (Pen.clockwiseRange). */
  clockwiseRange(inX, inY, outX, outY) {
    const n = this.penCount;
    const { slopeInX, slopeInY, slopeOutX, slopeOutY } = this;
    let lo = 0;
    let hi = n;
    let i = (lo + hi) >> 1;
    do {
      if (compareSlopes(slopeInX[i], slopeInY[i], inX, inY) < 0) lo = i;
      else hi = i;
      i = (lo + hi) >> 1;
    } while (hi - lo > 1);
    if (compareSlopes(slopeInX[i], slopeInY[i], inX, inY) < 0) {
      i += 1;
      if (i === n) i = 0;
    }
    this.rangeStart = i;
    if (compareSlopes(outX, outY, slopeOutX[i], slopeOutY[i]) >= 0) {
      lo = i;
      hi = i + n;
      i = (lo + hi) >> 1;
      do {
        const j = i >= n ? i - n : i;
        if (compareSlopes(slopeInX[j], slopeInY[j], outX, outY) > 0) hi = i;
        else lo = i;
        i = (lo + hi) >> 1;
      } while (hi - lo > 1);
      if (i >= n) i -= n;
    }
    this.rangeStop = i;
  },

  /** The pen vertices of a counter-clockwise fan, as rangeStart down to rangeStop. */
  counterClockwiseRange(inX, inY, outX, outY) {
    const n = this.penCount;
    const { slopeInX, slopeInY, slopeOutX, slopeOutY } = this;
    let lo = 0;
    let hi = n;
    let i = (lo + hi) >> 1;
    do {
      if (compareSlopes(inX, inY, slopeOutX[i], slopeOutY[i]) < 0) lo = i;
      else hi = i;
      i = (lo + hi) >> 1;
    } while (hi - lo > 1);
    if (compareSlopes(inX, inY, slopeOutX[i], slopeOutY[i]) < 0) {
      i += 1;
      if (i === n) i = 0;
    }
    this.rangeStart = i;
    if (compareSlopes(slopeInX[i], slopeInY[i], outX, outY) <= 0) {
      lo = i;
      hi = i + n;
      i = (lo + hi) >> 1;
      do {
        const j = i >= n ? i - n : i;
        if (compareSlopes(outX, outY, slopeOutX[j], slopeOutY[j]) > 0) hi = i;
        else lo = i;
        i = (lo + hi) >> 1;
      } while (hi - lo > 1);
      if (i >= n) i -= n;
    }
    this.rangeStop = i;
  },
};
