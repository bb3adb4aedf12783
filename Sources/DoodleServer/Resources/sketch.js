// Doodle's stroke preprocessing in the browser: the same 28×28 model input, byte for byte, as the
// server's ImageInput.modelInput(strokes:framing:), without a request.
//
// A port of Sources/DoodleData: StrokeNormalizer.swift (Google's simplification of raw strokes),
// Rasterizer*.swift (cairo 1.16's stroker and scan converter with Google's recipe) and ImageInput.swift
// (the quickdraw and mnist framings). Every step keeps the Swift code's order of Double operations,
// and its 64-bit integer arithmetic is done in doubles only where the values stay below 2^53, where
// they are exact; the few products that can grow past that with extreme coordinates fall back to
// BigInt. hypot is glibc's (the Swift code calls it), not Math.hypot, which rounds differently.
// Runs unchanged in a browser and in Node; one set of working buffers is kept between calls.
//
// This file is the public entry. The work is in sketch/, one module per Swift file, each naming its
// twin, so that a fix on one side finds its other half:
//   sketch/strokes.js         Stroke+Arrays.swift             the form of API strokes
//   sketch/normalize.js       StrokeNormalizer.swift          align, scale, resample, simplify, round
//   sketch/raster.js          Rasterizer.swift, +Session      Google's recipe, the path, one per side
//   sketch/fixed-point.js     Rasterizer.swift (fixed, Slope) exact 24.8 and 64-bit arithmetic, hypot
//   sketch/pen.js             Rasterizer+Pen.swift            the polygonal pen
//   sketch/stroker.js         Rasterizer+Stroker.swift        outlines, joins and caps
//   sketch/scan-converter.js  Rasterizer+ScanConverter.swift  edges, the row sweep, compositing
//   sketch/active-list.js     Rasterizer+ActiveList.swift     the sorted edges crossing a row
//   sketch/coverage.js        Rasterizer+Coverage.swift       sub-row spans and full-row trapezoids
//   sketch/frame.js           ImageInput.swift                the mnist framing
//   sketch/work.js            (none)                          the buffers kept between calls

import { frameImage } from "./sketch/frame.js";
import { normalizeInput } from "./sketch/normalize.js";
import { rasterize } from "./sketch/raster.js";
import { readStrokes } from "./sketch/strokes.js";
import { scratchBytes, work } from "./sketch/work.js";

/**
 * Strokes normalised as Google simplified its raw drawings: top-left aligned, the longer side 255,
 * resampled every unit, simplified (RDP, ε = 2), rounded. Empty strokes are dropped.
 * @param {Array} strokes API-form strokes: [[x...], [y...]] or [[x...], [y...], [t...]] each.
 * @returns {Array} [[x...], [y...]] per stroke, integers 0...255.
 * @throws {Error} for malformed strokes or a coordinate that is not a finite number.
 */
export function normalize(strokes) {
  readStrokes(strokes, "strokes");
  normalizeInput();
  const out = [];
  for (let s = 0; s < work.normCount; s++) {
    const start = work.normStart[s];
    const end = work.normStart[s + 1];
    out.push([Array.from(work.normX.subarray(start, end)), Array.from(work.normY.subarray(start, end))]);
  }
  return out;
}

/**
 * The `side × side` bitmap of strokes in Google's simplified coordinates, drawn with Google's recipe
 * (line width 16 and padding 16 in 256 units, round caps and joins, centred on the maximum).
 * @param {Array} normalizedStrokes [[x...], [y...]] per stroke (a third array is ignored).
 * @param {number} side The bitmap side, 1...4096 (28 gives Google's numpy_bitmap).
 * @returns {Uint8Array} side*side bytes, row-major: strokes 255 on 0.
 * @throws {Error} for malformed strokes or a coordinate not finite or beyond ±65536.
 */
export function render(normalizedStrokes, side = 28) {
  checkSide(side);
  readStrokes(normalizedStrokes, "drawing");
  const bitmap = new Uint8Array(side * side);
  rasterize(work.inX, work.inY, work.inStart, work.inCount, side, bitmap);
  return bitmap;
}

/**
 * The 28×28 model input of API-form strokes, as ImageInput.modelInput(strokes:framing:) gives it:
 * normalised, then rendered at 28 (`quickdraw`), or rendered at 112 and framed as MNIST digits are
 * (`mnist`: ink's longer side 20 pixels, centred on its centre of mass).
 * @param {Array} strokes API-form strokes, any coordinates.
 * @param {"quickdraw"|"mnist"} framing How the model's training images were framed.
 * @returns {Uint8Array} 784 bytes, row-major, light ink on black.
 * @throws {Error} for malformed strokes, a coordinate that is not a finite number, or a drawing
 *   whose size is not finite.
 */
export function modelInput(strokes, framing) {
  const side = 28;
  if (framing !== "quickdraw" && framing !== "mnist") {
    throw new Error(`framing: unknown framing ${JSON.stringify(framing)}; expected "quickdraw" or "mnist"`);
  }
  readStrokes(strokes, "strokes");
  normalizeInput();
  if (framing === "quickdraw") {
    const bitmap = new Uint8Array(side * side);
    rasterize(work.normX, work.normY, work.normStart, work.normCount, side, bitmap);
    return bitmap;
  }
  const large = 4 * side;
  const pixels = scratchBytes(large * large);
  pixels.fill(0);
  rasterize(work.normX, work.normY, work.normStart, work.normCount, large, pixels);
  return frameImage(pixels, large, large, side);
}

function checkSide(side) {
  if (!Number.isInteger(side) || side < 1 || side > 4096) {
    throw new Error(`side: ${side} is not a bitmap side of 1...4096 pixels`);
  }
}
