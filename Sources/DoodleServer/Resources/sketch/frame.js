// The mnist framing of a rendered drawing: the ink's longer side 20 of 28 pixels, centred on its centre
// of mass, by area-averaged resampling. Twin: Sources/DoodleData/ImageInput.swift
// (modelInput(from:framing:side:), resample, borderMean).

import { work } from "./work.js";

/**
 * ImageInput.modelInput(from:framing: .mnist) for a width × height image that is not side × side:
 * inverted if its border is light, the ink's longer side scaled to 20/28 of `side`, centred on its
 * centre of mass, by area-averaged resampling. `ink` is scratch memory and may be overwritten.
 */
export function frameImage(ink, width, height, side) {
  let borderSum = 0;
  let borderCount = 0;
  for (let x = 0; x < width; x++) {
    borderSum += ink[x] + ink[(height - 1) * width + x];
    borderCount += 2;
  }
  for (let y = 0; y < height; y++) {
    borderSum += ink[y * width] + ink[y * width + width - 1];
    borderCount += 2;
  }
  if (borderSum / borderCount > 127) {
    for (let i = 0; i < width * height; i++) ink[i] = 255 - ink[i];
  }
  // The ink's bounding box (pixels brighter than a faint threshold).
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0, row = 0; y < height; y++, row += width) {
    for (let x = 0; x < width; x++) {
      if (ink[row + x] > 24) {
        if (x < minX) minX = x;
        if (y < minY) minY = y;
        if (x > maxX) maxX = x;
        if (y > maxY) maxY = y;
      }
    }
  }
  const output = new Uint8Array(side * side);
  if (maxX < 0) return output;
  const boxWidth = maxX - minX + 1;
  const boxHeight = maxY - minY + 1;
  const target = (side * 20) / 28;
  const scale = target / Math.max(boxWidth, boxHeight); // output pixels per source pixel
  let centerX = minX + boxWidth / 2;
  let centerY = minY + boxHeight / 2;
  let mass = 0.0;
  let sumX = 0.0;
  let sumY = 0.0;
  for (let y = minY, row = minY * width; y <= maxY; y++, row += width) {
    for (let x = minX; x <= maxX; x++) {
      const v = ink[row + x];
      mass = mass + v;
      sumX = sumX + v * (x + 0.5);
      sumY = sumY + v * (y + 0.5);
    }
  }
  if (mass > 0) {
    centerX = sumX / mass;
    centerY = sumY / mass;
  }
  resampleImage(ink, width, height, side, scale, centerX, centerY, output);
  return output;
}

/**
 * Area-averaged resampling (ImageInput.resample): output pixel (x, y) is the exact mean of the source
 * over the square it covers, from a summed-area table, bilinear between its corners. Neighbouring
 * output pixels share corners (the same doubles), so each corner's integral is computed once.
 */
function resampleImage(pixels, width, height, side, scale, centerX, centerY, output) {
  const stride = width + 1;
  const size = stride * (height + 1);
  if (work.table.length !== size) work.table = new Float64Array(size); // row and column 0 stay 0
  const table = work.table;
  for (let y = 0, source = 0; y < height; y++) {
    let row = 0.0;
    const above = y * stride + 1;
    const here = above + stride;
    for (let x = 0; x < width; x++, source++) {
      row += pixels[source];
      table[here + x] = table[above + x] + row;
    }
  }
  // The corners' coordinates, clamped to the image: cell index and fraction, in x and in y.
  const corners = side + 1;
  if (work.corners.length < 4 * corners + corners * corners) {
    work.corners = new Float64Array(4 * corners + corners * corners);
  }
  const c = work.corners;
  const half = side / 2;
  for (let i = 0; i < corners; i++) {
    const cx = Math.min(Math.max(centerX + (i - half) / scale, 0), width);
    const cy = Math.min(Math.max(centerY + (i - half) / scale, 0), height);
    c[i] = Math.min(Math.trunc(cx), width - 1);
    c[corners + i] = cx - c[i];
    c[2 * corners + i] = Math.min(Math.trunc(cy), height - 1);
    c[3 * corners + i] = cy - c[2 * corners + i];
  }
  // integral(x, y) at every corner (ImageInput.resample's integral, operation for operation).
  const integrals = 4 * corners;
  for (let j = 0; j < corners; j++) {
    const y0 = c[2 * corners + j];
    const ty = c[3 * corners + j];
    for (let i = 0; i < corners; i++) {
      const x0 = c[i];
      const tx = c[corners + i];
      const top = table[y0 * stride + x0] * (1 - tx) + table[y0 * stride + x0 + 1] * tx;
      const bottom = table[(y0 + 1) * stride + x0] * (1 - tx) + table[(y0 + 1) * stride + x0 + 1] * tx;
      c[integrals + j * corners + i] = top * (1 - ty) + bottom * ty;
    }
  }
  const footprint = 1 / (scale * scale);
  for (let oy = 0; oy < side; oy++) {
    const upper = integrals + oy * corners;
    const lower = upper + corners;
    for (let ox = 0; ox < side; ox++) {
      const sum = c[lower + ox + 1] - c[lower + ox] - c[upper + ox + 1] + c[upper + ox];
      output[oy * side + ox] = Math.min(255, Math.round(Math.max(0, sum / footprint)));
    }
  }
}
