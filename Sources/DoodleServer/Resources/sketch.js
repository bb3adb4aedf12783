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

const EXTENT = 255; // the longer side after normalising (Google: 255)
const SPACING = 1; // resampling distance (Google: 1)
const EPSILON = 2; // Ramer–Douglas–Peucker tolerance (Google: 2.0)
const COORDINATE_LIMIT = 65536; // the rasterizer's largest |coordinate|
const GRID_Y = 15; // scan-converter sub-rows per pixel row
const TWO_53 = 2 ** 53;

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

// MARK: - Input

/** Working buffers, kept between calls and grown when a drawing needs more. */
const work = {
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

function grownFloats(array, needed) {
  const bigger = new Float64Array(Math.max(needed, 2 * array.length));
  bigger.set(array);
  return bigger;
}

function grownInts(array, needed) {
  const bigger = new Int32Array(Math.max(needed, 2 * array.length));
  bigger.set(array);
  return bigger;
}

function scratchBytes(count) {
  if (work.bytes.length < count) work.bytes = new Uint8Array(count);
  return work.bytes.subarray(0, count);
}

function checkSide(side) {
  if (!Number.isInteger(side) || side < 1 || side > 4096) {
    throw new Error(`side: ${side} is not a bitmap side of 1...4096 pixels`);
  }
}

/**
 * Checks the form of strokes as Stroke.strokes(fromArrays:) does and copies their points into
 * work.inX/inY, stroke s being points inStart[s] up to inStart[s + 1]. Whether the numbers are finite
 * is checked where the Swift code checks it: when normalising, or when rasterizing.
 */
function readStrokes(strokes, name) {
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

// MARK: - Normalisation (StrokeNormalizer.swift)

/** Normalises work.in* into work.norm*, as StrokeNormalizer.normalize does. */
function normalizeInput() {
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

// MARK: - Exact integer helpers

/** Swift's Double.rounded(.toNearestOrEven) times 256 as an integer: cairo's fixed-point value. */
function fixed(value) {
  const scaled = value * 256.0;
  let r = Math.round(scaled); // ties upwards; fix ties at odd integers to even
  if (r - scaled === 0.5 && r % 2 !== 0) r -= 1;
  return r;
}

/** The sign of a*b - c*d for integers, exactly. */
function compareProducts(a, b, c, d) {
  const lhs = a * b;
  const rhs = c * d;
  if (Math.abs(lhs) < TWO_53 && Math.abs(rhs) < TWO_53) return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
  const bigLHS = BigInt(a) * BigInt(b);
  const bigRHS = BigInt(c) * BigInt(d);
  return bigLHS < bigRHS ? -1 : bigLHS > bigRHS ? 1 : 0;
}

let quotient = 0;
let remainder = 0;

/**
 * (a * b) / c truncated towards zero into `quotient` and `remainder`, as Swift's Int division, for
 * integers and c > 0. Below 2^53 the double quotient truncates to the exact one (the true quotient
 * is at least 1/c from the next integer, more than half an ulp), and q * c and a * b - q * c are exact.
 */
function divideProduct(a, b, c) {
  const product = a * b;
  if (Math.abs(product) < TWO_53) {
    quotient = Math.trunc(product / c);
    remainder = product - quotient * c;
    return;
  }
  const bigProduct = BigInt(a) * BigInt(b);
  const bigC = BigInt(c);
  quotient = Number(bigProduct / bigC);
  remainder = Number(bigProduct % bigC);
}

/** glibc's hypot (2.35+, without FMA), which the Swift code calls, for finite non-zero x and y. */
function hypot(x, y) {
  x = Math.abs(x);
  y = Math.abs(y);
  const ax = x < y ? y : x;
  const ay = x < y ? x : y;
  // The huge and tiny scaling branches are left out: the stroker's directions never reach them.
  if (ay <= ax * 2 ** -54) return ax + ay;
  let h = Math.sqrt(ax * ax + ay * ay);
  let t1;
  let t2;
  if (h <= 2.0 * ay) {
    const delta = h - ay;
    t1 = ax * (2.0 * delta - ax);
    t2 = (delta - 2.0 * (ax - ay)) * delta;
  } else {
    const delta = h - ax;
    t1 = 2.0 * delta * (ax - 2.0 * ay);
    t2 = (4.0 * delta - ay) * ay + delta * delta;
  }
  h -= (t1 + t2) / (2.0 * h);
  return h;
}

// MARK: - Rasterizer (Rasterizer*.swift)

/** One rasterizer per bitmap side, made on first use: its pen and working memory. */
const rasters = new Map();

/**
 * Draws strokes (points xs/ys, stroke s from starts[s] to starts[s + 1]) into the zeroed bitmap,
 * as Rasterizer.render does.
 */
function rasterize(xs, ys, starts, count, side, bitmap) {
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
  }

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

  pushCw(x, y) {
    if (this.cwCount === this.cwX.length) {
      this.cwX = grownFloats(this.cwX, this.cwCount + 1);
      this.cwY = grownFloats(this.cwY, this.cwX.length);
    }
    this.cwX[this.cwCount] = x;
    this.cwY[this.cwCount] = y;
    this.cwCount++;
  }

  pushCcw(x, y) {
    if (this.ccwCount === this.ccwX.length) {
      this.ccwX = grownFloats(this.ccwX, this.ccwCount + 1);
      this.ccwY = grownFloats(this.ccwY, this.ccwX.length);
    }
    this.ccwX[this.ccwCount] = x;
    this.ccwY[this.ccwCount] = y;
    this.ccwCount++;
  }

  // MARK: Stroker (Rasterizer+Stroker.swift)

  /** Outlines the path into polygon edges, as cairo's polygon stroker does. */
  strokePath() {
    this.beginPolygon();
    if (this.penCount <= 1 || this.pathCount === 0) return;
    this.cwCount = 0;
    this.ccwCount = 0;
    const { pathX, pathY } = this;
    // The current face: its point, corners and direction; and the first face.
    let pointX = pathX[0];
    let pointY = pathY[0];
    let cwX = pointX;
    let cwY = pointY;
    let ccwX = pointX;
    let ccwY = pointY;
    let dirX = 0;
    let dirY = 0;
    let firstX = pointX;
    let firstY = pointY;
    let firstCwX = pointX;
    let firstCwY = pointY;
    let firstCcwX = pointX;
    let firstCcwY = pointY;
    let firstDirX = 0;
    let firstDirY = 0;
    let hasCurrentFace = false;
    let hasFirstFace = false;
    for (let k = 1; k < this.pathCount; k++) {
      const x = pathX[k];
      const y = pathY[k];
      if (x === pointX && y === pointY) continue;
      const dx = x - pointX;
      const dy = y - pointY;
      this.face(dx, dy);
      const startCwX = pointX - this.offsetX;
      const startCwY = pointY - this.offsetY;
      const startCcwX = pointX + this.offsetX;
      const startCcwY = pointY + this.offsetY;
      if (hasCurrentFace) {
        const turn = compareSlopes(dirX, dirY, dx, dy);
        if (turn !== 0) {
          const clockwise = turn < 0;
          if (cwX !== startCwX || cwY !== startCwY || ccwX !== startCcwX || ccwY !== startCcwY) {
            this.addFan(dirX, dirY, dx, dy, pointX, pointY, clockwise);
            if (clockwise) this.pushCw(startCwX, startCwY);
            else this.pushCcw(startCcwX, startCcwY);
          }
          if (clockwise) {
            this.pushCcw(pointX, pointY);
            this.pushCcw(startCcwX, startCcwY);
          } else {
            this.pushCw(pointX, pointY);
            this.pushCw(startCwX, startCwY);
          }
        }
      } else {
        if (!hasFirstFace) {
          firstX = pointX;
          firstY = pointY;
          firstCwX = startCwX;
          firstCwY = startCwY;
          firstCcwX = startCcwX;
          firstCcwY = startCcwY;
          firstDirX = dx;
          firstDirY = dy;
          hasFirstFace = true;
        }
        hasCurrentFace = true;
        this.pushCw(startCwX, startCwY);
        this.pushCcw(startCcwX, startCcwY);
      }
      pointX = x;
      pointY = y;
      cwX = startCwX + dx;
      cwY = startCwY + dy;
      ccwX = startCcwX + dx;
      ccwY = startCcwY + dy;
      dirX = dx;
      dirY = dy;
      this.pushCw(cwX, cwY);
      this.pushCcw(ccwX, ccwY);
    }
    if (!hasCurrentFace) {
      // A path that never moves (a dot): a full circle of pen vertices around the point.
      this.face(256, 0);
      const dotCwX = pointX - this.offsetX;
      const dotCwY = pointY - this.offsetY;
      const dotCcwX = pointX + this.offsetX;
      const dotCcwY = pointY + this.offsetY;
      this.addCap(pointX, pointY, dotCcwX, dotCcwY, -256, 0);
      this.addCap(pointX, pointY, dotCwX, dotCwY, 256, 0);
      this.pushCcw(this.ccwX[0], this.ccwY[0]);
      this.addContour(this.ccwX, this.ccwY, this.ccwCount, -1);
      return;
    }
    this.addCap(pointX, pointY, cwX, cwY, dirX, dirY);
    this.addContour(this.ccwX, this.ccwY, this.ccwCount, -1);
    this.ccwCount = 0;
    this.pushCcw(firstCwX, firstCwY);
    this.addCap(firstX, firstY, firstCcwX, firstCcwY, -firstDirX, -firstDirY);
    this.addContour(this.ccwX, this.ccwY, this.ccwCount, -1);
    this.addContour(this.cwX, this.cwY, this.cwCount, 1);
  }

  /**
   * The corner offset (offsetX, offsetY) of a segment leaving in direction (dx, dy): computed in user
   * space from the renormalised direction, then scaled back and rounded, as cairo does.
   */
  face(dx, dy) {
    let ux = dx / 256.0;
    let uy = dy / 256.0;
    if (ux === 0) {
      uy = uy > 0 ? 1 : -1;
    } else if (uy === 0) {
      ux = ux > 0 ? 1 : -1;
    } else {
      const length = hypot(ux, uy);
      ux /= length;
      uy /= length;
    }
    ux *= this.inverseScale;
    uy *= this.inverseScale;
    if (ux === 0) {
      uy = uy > 0 ? 1 : -1;
    } else if (uy === 0) {
      ux = ux > 0 ? 1 : -1;
    } else {
      const length = hypot(ux, uy);
      ux /= length;
      uy /= length;
    }
    this.offsetX = fixed(this.scale * (-uy * 8.0));
    this.offsetY = fixed(this.scale * (ux * 8.0));
  }

  /** A round cap at a face pointing out of the stroke, on the counter-clockwise side. */
  addCap(pointX, pointY, cwX, cwY, dirX, dirY) {
    this.addFan(dirX, dirY, -dirX, -dirY, pointX, pointY, false);
    this.pushCcw(cwX, cwY);
  }

  /** Appends the pen vertices between two directions around (centerX, centerY) to one side. */
  addFan(inX, inY, outX, outY, centerX, centerY, clockwise) {
    const n = this.penCount;
    const { penX, penY } = this;
    if (clockwise) {
      this.clockwiseRange(inX, inY, outX, outY);
      let i = this.rangeStart;
      const stop = this.rangeStop;
      while (i !== stop) {
        this.pushCw(centerX + penX[i], centerY + penY[i]);
        i = i + 1 === n ? 0 : i + 1;
      }
    } else {
      this.counterClockwiseRange(inX, inY, outX, outY);
      let i = this.rangeStart;
      const stop = this.rangeStop;
      while (i !== stop) {
        this.pushCcw(centerX + penX[i], centerY + penY[i]);
        i = i === 0 ? n - 1 : i - 1;
      }
    }
  }

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
  }

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
  }

  /** Hands the edges between consecutive contour points to the scan converter. */
  addContour(xs, ys, count, direction) {
    for (let k = 1; k < count; k++) this.addEdge(xs[k - 1], ys[k - 1], xs[k], ys[k], direction);
  }

  // MARK: Scan converter (Rasterizer+ScanConverter.swift)

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
  }

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
  }

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
  }

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
  }

  // MARK: Active list (Rasterizer+ActiveList.swift)

  addCell(x, area, height) {
    if (x < 0) {
      this.leftHeight += height;
    } else if (x < this.side) {
      this.cells[2 * x] += area;
      this.cells[2 * x + 1] += height;
      if (x < this.touchedLow) this.touchedLow = x;
      if (x + 1 > this.touchedHigh) this.touchedHigh = x + 1;
    }
  }

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
  }

  unlink(e) {
    this.next[this.prev[e]] = this.next[e];
    this.prev[this.next[e]] = this.prev[e];
  }

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
  }

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
  }

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
  }

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
  }

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
  }

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
  }

  // MARK: Coverage (Rasterizer+Coverage.swift)

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
  }

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
  }

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
  }

  retire(e, rows) {
    this.heightLeft[e] -= rows;
    if (this.heightLeft[e] === 0) {
      this.unlink(e);
      this.minHeight = -1;
    }
  }

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
  }
}

/** The order of two directions by angle, exactly as cairo compares slopes (Slope.compare). */
function compareSlopes(adx, ady, bdx, bdy) {
  const order = compareProducts(ady, bdx, bdy, adx);
  if (order !== 0) return order;
  const aZero = adx === 0 && ady === 0;
  const bZero = bdx === 0 && bdy === 0;
  if (aZero || bZero) return aZero === bZero ? 0 : aZero ? 1 : -1;
  if (adx < 0 !== bdx < 0 || ady < 0 !== bdy < 0) return adx > 0 || (adx === 0 && ady > 0) ? -1 : 1;
  return 0;
}

// MARK: - MNIST framing (ImageInput.swift)

/**
 * ImageInput.modelInput(from:framing: .mnist) for a width × height image that is not side × side:
 * inverted if its border is light, the ink's longer side scaled to 20/28 of `side`, centred on its
 * centre of mass, by area-averaged resampling. `ink` is scratch memory and may be overwritten.
 */
function frameImage(ink, width, height, side) {
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
