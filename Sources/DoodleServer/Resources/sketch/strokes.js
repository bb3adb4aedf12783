// The form of API strokes, checked as Stroke.strokes(fromArrays:name:maxCoordinate:) checks it.
// Twin: Sources/DoodleData/Stroke+Arrays.swift.

import { work } from "./work.js";

/**
 * Checks the form of strokes as Stroke.strokes(fromArrays:) does and copies their points into
 * work.inX/inY, stroke s being points inStart[s] up to inStart[s + 1]. Whether the numbers are finite
 * is checked where the Swift code checks it: when normalising, or when rasterizing.
 */
export function readStrokes(strokes, name) {
  if (!Array.isArray(strokes)) {
    throw new Error(`${name}: expected an array of strokes [[x, ...], [y, ...]]`);
  }
  let total = 0;
  for (let s = 0; s < strokes.length; s++) {
    const stroke = strokes[s];
    if (!Array.isArray(stroke) || (stroke.length !== 2 && stroke.length !== 3)) {
      const arrays = Array.isArray(stroke) ? `${stroke.length} arrays` : "no arrays";
      throw new Error(`${name}: stroke ${s} has ${arrays}; expected [[x, ...], [y, ...]]`);
    }
    const [xs, ys] = stroke;
    if (!Array.isArray(xs) || !Array.isArray(ys)) {
      throw new Error(`${name}: stroke ${s} has coordinates that are not arrays; expected [[x, ...], [y, ...]]`);
    }
    if (xs.length !== ys.length) {
      throw new Error(`${name}: stroke ${s} has ${xs.length} x but ${ys.length} y coordinates`);
    }
    total += xs.length;
  }
  if (work.inX.length < total) {
    work.inX = new Float64Array(Math.max(total, 2 * work.inX.length));
    work.inY = new Float64Array(work.inX.length);
  }
  if (work.inStart.length < strokes.length + 1) work.inStart = new Int32Array(2 * strokes.length + 1);
  const { inX, inY, inStart } = work;
  let n = 0;
  for (let s = 0; s < strokes.length; s++) {
    inStart[s] = n;
    const xs = strokes[s][0];
    const ys = strokes[s][1];
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      const y = ys[i];
      if (typeof x !== "number" || typeof y !== "number") {
        throw new Error(`${name}: stroke ${s}, point ${i}: (${x}, ${y}) is not a pair of numbers`);
      }
      inX[n] = x;
      inY[n] = y;
      n++;
    }
  }
  inStart[strokes.length] = n;
  work.inCount = strokes.length;
}
