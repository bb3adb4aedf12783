// Raw strokes normalised as Google simplified its drawings: aligned to the top left, the longer side
// scaled to 255, resampled every unit, simplified (Ramer–Douglas–Peucker, ε = 2), rounded.
// Twin: Sources/DoodleData/StrokeNormalizer.swift (normalize, resample, simplify), whose header lists
// the precise choices both sides make.

import { grownFloats, grownInts, work } from "./work.js";

const EXTENT = 255; // the longer side after normalising (Google: 255)
const SPACING = 1; // resampling distance (Google: 1)
const EPSILON = 2; // Ramer–Douglas–Peucker tolerance (Google: 2.0)

/** Normalises work.in* into work.norm*, as StrokeNormalizer.normalize does. */
export function normalizeInput() {
  const { inX, inY, inStart, inCount } = work;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  let strokes = 0;
  let longest = 0;
  for (let s = 0; s < inCount; s++) {
    const start = inStart[s];
    const end = inStart[s + 1];
    if (end === start) continue;
    strokes++;
    longest = Math.max(longest, end - start);
    for (let i = start; i < end; i++) {
      const x = inX[i];
      const y = inY[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        throw new Error(`drawing: stroke ${strokes - 1} has a non-finite coordinate (${x}, ${y})`);
      }
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
  }
  work.normCount = 0;
  work.normStart[0] = 0;
  if (strokes === 0) return;
  const size = Math.max(maxX - minX, maxY - minY);
  if (!Number.isFinite(size)) throw new Error(`drawing: its size ${size} is not a finite number`);
  const scale = size > 0 ? EXTENT / size : 1.0;
  if (work.scaledX.length < longest) {
    work.scaledX = new Float64Array(Math.max(longest, 2 * work.scaledX.length));
    work.scaledY = new Float64Array(work.scaledX.length);
  }
  if (work.normStart.length < strokes + 1) work.normStart = new Int32Array(2 * strokes + 1);
  let out = 0;
  for (let s = 0; s < inCount; s++) {
    const start = inStart[s];
    const count = inStart[s + 1] - start;
    if (count === 0) continue;
    const { scaledX, scaledY } = work;
    for (let i = 0; i < count; i++) {
      scaledX[i] = (inX[start + i] - minX) * scale;
      scaledY[i] = (inY[start + i] - minY) * scale;
    }
    const samples = resample(scaledX, scaledY, count);
    simplify(samples);
    const { sampleX, sampleY, keep } = work;
    if (work.normX.length < out + samples) {
      work.normX = grownFloats(work.normX, out + samples);
      work.normY = grownFloats(work.normY, work.normX.length);
    }
    const { normX, normY, normStart } = work;
    const first = out;
    for (let i = 0; i < samples; i++) {
      if (keep[i] === 0) continue;
      const x = Math.min(Math.max(roundHalfAway(sampleX[i]), 0), EXTENT);
      const y = Math.min(Math.max(roundHalfAway(sampleY[i]), 0), EXTENT);
      if (out > first && normX[out - 1] === x && normY[out - 1] === y) continue;
      normX[out] = x;
      normY[out] = y;
      out++;
    }
    work.normCount++;
    normStart[work.normCount] = out;
  }
}

/** Swift's rounded(.toNearestOrAwayFromZero). */
function roundHalfAway(value) {
  return value < 0 ? -Math.round(-value) : Math.round(value);
}

/** Resamples a stroke every SPACING units into work.sampleX/Y; returns the number of samples. */
function resample(xs, ys, count) {
  let n = 0;
  let sampleX = work.sampleX;
  let sampleY = work.sampleY;
  const append = (x, y) => {
    if (n === sampleX.length) {
      work.sampleX = sampleX = grownFloats(sampleX, n + 1);
      work.sampleY = sampleY = grownFloats(sampleY, n + 1);
    }
    sampleX[n] = x;
    sampleY[n] = y;
    n++;
  };
  append(xs[0], ys[0]);
  let next = SPACING; // distance from the current segment's start to the next sample
  for (let i = 1; i < count; i++) {
    const dx = xs[i] - xs[i - 1];
    const dy = ys[i] - ys[i - 1];
    const length = Math.sqrt(dx * dx + dy * dy);
    if (!(length > 0)) continue;
    let along = next;
    while (along <= length) {
      const t = along / length;
      append(xs[i - 1] + dx * t, ys[i - 1] + dy * t);
      along += SPACING;
    }
    next = along - length;
  }
  const lastX = xs[count - 1];
  const lastY = ys[count - 1];
  if (sampleX[n - 1] !== lastX || sampleY[n - 1] !== lastY) append(lastX, lastY);
  return n;
}

/** Marks in work.keep the samples Ramer–Douglas–Peucker keeps (iteratively, as the Swift code). */
function simplify(n) {
  if (work.keep.length < n) work.keep = new Uint8Array(Math.max(n, 2 * work.keep.length));
  const { sampleX: xs, sampleY: ys, keep } = work;
  if (n <= 2) {
    keep.fill(1, 0, n);
    return;
  }
  keep.fill(0, 0, n);
  keep[0] = 1;
  keep[n - 1] = 1;
  let pending = work.pending;
  let top = 0;
  pending[top++] = 0;
  pending[top++] = n - 1;
  while (top > 0) {
    const last = pending[--top];
    const first = pending[--top];
    const dx = xs[last] - xs[first];
    const dy = ys[last] - ys[first];
    const length = Math.sqrt(dx * dx + dy * dy);
    let farthest = -1;
    let distance = EPSILON;
    for (let i = first + 1; i < last; i++) {
      const px = xs[i] - xs[first];
      const py = ys[i] - ys[first];
      const d = length > 0 ? Math.abs(dx * py - dy * px) / length : Math.sqrt(px * px + py * py);
      if (d > distance) {
        distance = d;
        farthest = i;
      }
    }
    if (farthest >= 0) {
      keep[farthest] = 1;
      if (top + 4 > pending.length) work.pending = pending = grownInts(pending, top + 4);
      if (farthest - first > 1) {
        pending[top++] = first;
        pending[top++] = farthest;
      }
      if (last - farthest > 1) {
        pending[top++] = farthest;
        pending[top++] = last;
      }
    }
  }
}
