// The working buffers of sketch.js, kept between calls and grown when a drawing needs more, so that
// a guess allocates little more than its answer. No Swift twin: the Swift code makes its arrays per
// call (only RasterizerSession keeps the rasterizer's, as sketch/raster.js does here). Stroke input
// (sketch/strokes.js) fills in*, normalisation (sketch/normalize.js) reads it and fills norm*, and
// the mnist framing (sketch/frame.js) keeps its summed-area table and corners here.

/** Working buffers, kept between calls and grown when a drawing needs more. */
export const work = {
  inX: new Float64Array(4096),
  inY: new Float64Array(4096),
  inStart: new Int32Array(65),
  inCount: 0,
  normX: new Float64Array(4096),
  normY: new Float64Array(4096),
  normStart: new Int32Array(65),
  normCount: 0,
  scaledX: new Float64Array(4096),
  scaledY: new Float64Array(4096),
  sampleX: new Float64Array(4096),
  sampleY: new Float64Array(4096),
  keep: new Uint8Array(4096),
  pending: new Int32Array(1024),
  bytes: new Uint8Array(0),
  table: new Float64Array(0),
  corners: new Float64Array(0),
};

export function grownFloats(array, needed) {
  const bigger = new Float64Array(Math.max(needed, 2 * array.length));
  bigger.set(array);
  return bigger;
}

export function grownInts(array, needed) {
  const bigger = new Int32Array(Math.max(needed, 2 * array.length));
  bigger.set(array);
  return bigger;
}

export function scratchBytes(count) {
  if (work.bytes.length < count) work.bytes = new Uint8Array(count);
  return work.bytes.subarray(0, count);
}
