// Doodle's CNN in the browser: a model file, as `doodle train` writes it and
// GET /api/models/{name}/weights serves it, run on the 28×28 bitmap that sketch.js makes.
//
// A port of the engine's inference path (Sources/DoodleNN, Sequential+Inference.swift): a batch norm
// right after a convolution is folded into the convolution's weights and bias, in Float arithmetic as
// the engine folds it; dropout is dropped; every other layer runs as the architecture spec in the
// file lists it, so any spec the engine builds runs here too. Activations are (H, W, C), the engine's
// layout; Flatten reads them in PyTorch's (C, H, W) order, as the engine does. Sums run in doubles,
// so results match the engine's Float sums to about 1e-6.
//
// Two kernels for the convolutions and linear layers: WebAssembly SIMD (Resources/kernels.wasm, built
// from Sources/DoodleServer/Wasm/kernels.c) when a compiled module is given, and plain JavaScript
// otherwise: the reference the tests hold the fast one to. Every weight and activation lives in one
// arena, the module's memory when it runs, laid out once when the network is built; a guess
// allocates nothing but its answer. Runs unchanged in a browser and in Node.

const BATCH_NORM_EPSILON = Math.fround(1e-5); // BatchNorm2D's default, the only one the engine builds
const f32 = Math.fround;

/** A model file that cannot be used: not safetensors, truncated, or not what its spec needs. */
export class ModelFileError extends Error {
  constructor(message) {
    super(message);
    this.name = "ModelFileError";
  }
}

/**
 * The tensors and metadata of a safetensors file.
 * @param {ArrayBuffer} buffer The file's bytes.
 * @returns {{tensors: Map<string, {dtype: string, shape: number[], data: Float32Array|null}>,
 *   metadata: Object<string, string>}} Float tensors as Float32Array copies; other dtypes without data.
 * @throws {ModelFileError} for a file that is too short, a header that is not JSON, or a tensor whose
 *   bytes lie outside the file or do not fit its shape and dtype.
 */
export function readSafetensors(buffer) {
  if (!(buffer instanceof ArrayBuffer)) throw new ModelFileError("a model file must be an ArrayBuffer");
  if (buffer.byteLength < 8) throw new ModelFileError("not a safetensors file: fewer than 8 bytes");
  const view = new DataView(buffer);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > buffer.byteLength - 8) {
    throw new ModelFileError(`truncated: a ${headerLength}-byte header in a ${buffer.byteLength}-byte file`);
  }
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, headerLength)));
  } catch (error) {
    throw new ModelFileError(`the header is not JSON: ${error.message}`);
  }
  const dataStart = 8 + headerLength;
  const tensors = new Map();
  const sizes = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype, shape, data_offsets: offsets } = entry ?? {};
    if (!(dtype in sizes) || !Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2) {
      throw new ModelFileError(`tensor '${name}': a malformed header entry`);
    }
    const [begin, end] = offsets;
    const count = shape.reduce((a, b) => a * b, 1);
    if (!(begin >= 0 && end >= begin && dataStart + end <= buffer.byteLength)) {
      throw new ModelFileError(`truncated: tensor '${name}' lies past the end of the file`);
    }
    if (end - begin !== count * sizes[dtype]) {
      throw new ModelFileError(`tensor '${name}': ${end - begin} bytes for shape [${shape}] of ${dtype}`);
    }
    // A copy: the tensor's bytes need not be 4-byte aligned within the file.
    const data = dtype === "F32" ? new Float32Array(buffer.slice(dataStart + begin, dataStart + end)) : null;
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata: header.__metadata__ ?? {} };
}

/**
 * Compiles the WebAssembly kernels once, for every network built with them.
 * @param {BufferSource|Response|Promise<Response>} source kernels.wasm's bytes, or a fetch of them.
 * @returns {Promise<WebAssembly.Module|null>} null where WebAssembly SIMD is not available.
 */
export async function compileKernels(source) {
  if (typeof WebAssembly === "undefined") return null;
  try {
    const resolved = await source;
    if (typeof Response !== "undefined" && resolved instanceof Response) {
      if (!resolved.ok) return null;
      return await WebAssembly.compile(await resolved.arrayBuffer());
    }
    return await WebAssembly.compile(resolved);
  } catch {
    return null;
  }
}

/** A trained network, ready to guess: its labels, how its input is framed, and its layers. */
export class Network {
  /**
   * The network of a Doodle model file.
   * @param {ArrayBuffer} buffer The model file's bytes.
   * @param {WebAssembly.Module|null} kernels From `compileKernels`; null runs the JavaScript kernels.
   * @returns {Promise<Network>}
   * @throws {ModelFileError} for a file that is not a Doodle model, or whose tensors do not fit its spec.
   */
  static async fromModelFile(buffer, kernels = null) {
    const { tensors, metadata } = readSafetensors(buffer);
    if (metadata.format !== "doodle-model/1") {
      throw new ModelFileError(`not a Doodle model: format '${metadata.format ?? "none"}'`);
    }
    let spec, labels;
    try {
      spec = JSON.parse(metadata.spec);
      labels = JSON.parse(metadata.labels);
    } catch (error) {
      throw new ModelFileError(`unreadable metadata: ${error.message}`);
    }
    if (!Array.isArray(labels) || labels.length === 0) throw new ModelFileError("the model has no class labels");
    const network = new Network(spec, labels, metadata.preprocessing ?? "quickdraw", tensors);
    await network.bind(kernels);
    return network;
  }

  /**
   * An unbound network: `bind` gives it memory and kernels.
   * @param {Object} spec The architecture, as `ArchitectureSpec` encodes it.
   * @param {string[]} labels The class names, in output order.
   * @param {string} framing `quickdraw` or `mnist`: how sketch.js makes the input.
   * @param {Map} tensors The state dict, by PyTorch `nn.Sequential` name, as `readSafetensors` gives it.
   */
  constructor(spec, labels, framing, tensors) {
    this.labels = labels;
    this.framing = framing;
    this.architecture = spec.name;
    const input = spec.input ?? [28, 28, 1];
    if (!Array.isArray(input) || input.length !== 3 || !input.every((n) => n > 0)) {
      throw new ModelFileError(`${spec.name}: input must be [height, width, channels], got [${input}]`);
    }
    this.arena = new Arena();
    this.input = this.arena.take(input[0] * input[1] * input[2]);
    this.layers = buildLayers(spec, labels.length, tensors, this.arena);
    this.kernel = "javascript";
    this.taught = [];
  }

  /**
   * Lays the arena out in memory: the WebAssembly module's, or a plain buffer.
   * @param {WebAssembly.Module|null} kernels
   */
  async bind(kernels) {
    let exports = null;
    let buffer;
    if (kernels) {
      const base = 1 << 16; // the module's stack; its data and __heap_base come before this
      this.arena.offset(base);
      const memory = new WebAssembly.Memory({ initial: Math.ceil(this.arena.size / 65536) + 1 });
      const instance = await WebAssembly.instantiate(kernels, { env: { memory } });
      exports = instance.exports;
      if (exports.__heap_base.value > base) throw new Error("kernels.wasm needs more than its 64 kB");
      buffer = memory.buffer;
      this.kernel = "wasm";
    } else {
      buffer = new ArrayBuffer(this.arena.size);
    }
    this.arena.bind(buffer);
    for (const layer of this.layers) layer.bind?.(exports);
  }

  /**
   * Class probabilities for one input image: the model's labels, then the words it was taught.
   * @param {Uint8Array|number[]} pixels height × width × channels values 0...255, light ink on black.
   * @returns {Float32Array} one probability per label and taught word, summing to 1.
   */
  probabilities(pixels) {
    const logits = this.logits(pixels);
    if (this.taught.length === 0) return softmax(logits);
    const all = new Float32Array(logits.length + this.taught.length);
    all.set(logits);
    const features = this.lastInput;
    this.taught.forEach(({ weight, bias }, w) => {
      let sum = bias;
      for (let i = 0; i < weight.length; i++) sum += weight[i] * features[i];
      all[logits.length + w] = sum;
    });
    return softmax(all);
  }

  /**
   * Words taught to the model from a few drawings (GET /api/words), scored beside the model's classes
   * as the server scores them (Sources/DoodleNN/WordImprinter.swift): each a weight row on the
   * features the last layer reads, and a bias.
   * @param {{word: string, weight: number[], bias: number}[]} words
   * @throws {ModelFileError} for a word whose row does not fit the model.
   */
  teach(words) {
    const last = this.layers.at(-1);
    if (!(last instanceof Linear)) {
      throw new ModelFileError(`${this.architecture} cannot learn words: it does not end in a linear layer`);
    }
    const width = last.inFeatures;
    for (const { word, weight } of words) {
      if (weight?.length !== width) {
        throw new ModelFileError(`taught word '${word}': ${weight?.length} weights for ${width} features`);
      }
    }
    this.taught = words.map(({ word, weight, bias }) => ({ word, weight: Float32Array.from(weight), bias }));
  }

  /** Every label the network guesses among: its classes, then its taught words. */
  get allLabels() {
    return this.labels.concat(this.taught.map((t) => t.word));
  }

  /**
   * The last layer's outputs for one input image, before softmax.
   * @param {Uint8Array|number[]} pixels As for `probabilities`.
   * @returns {Float32Array} one logit per label, in the network's memory: the next call overwrites it.
   */
  logits(pixels) {
    const input = this.input.view;
    if (pixels.length !== input.length) {
      throw new Error(`an input of ${pixels.length} pixels is not the model's ${input.length}`);
    }
    for (let i = 0; i < input.length; i++) input[i] = pixels[i] / 255;
    let x = input;
    for (const layer of this.layers) {
      this.lastInput = x; // the last layer's input: the features taught words are scored on
      x = layer.forward(x);
    }
    return x;
  }

  /**
   * The `top` most likely labels, most likely first (ties: the lower index), as the server ranks them.
   * @param {Float32Array} probabilities As `probabilities` returns them.
   * @param {number} top How many.
   * @returns {{label: string, confidence: number}[]}
   */
  best(probabilities, top) {
    const order = Array.from(probabilities.keys());
    order.sort((a, b) => probabilities[b] - probabilities[a] || a - b);
    const label = (i) => (i < this.labels.length ? this.labels[i] : this.taught[i - this.labels.length].word);
    return order.slice(0, top).map((i) => ({ label: label(i), confidence: probabilities[i] }));
  }
}

/**
 * Float32 buffers laid out one after another, 16-byte aligned: planned first, then bound to memory.
 * Each `take` gives a slot whose `view` exists once the arena is bound.
 */
class Arena {
  constructor() {
    this.slots = [];
    this.size = 0;
    this.base = 0;
  }

  take(count, values = null) {
    const slot = { at: this.size, count, values, view: null };
    this.size += Math.ceil((count * 4) / 16) * 16;
    this.slots.push(slot);
    return slot;
  }

  /** Moves every slot `base` bytes up, past memory that belongs to someone else. */
  offset(base) {
    this.base = base;
    this.size += base;
  }

  bind(buffer) {
    for (const slot of this.slots) {
      slot.view = new Float32Array(buffer, this.base + slot.at, slot.count);
      if (slot.values) slot.view.set(slot.values);
    }
  }
}

/** Softmax in doubles over the logits, stored as Float. */
function softmax(logits) {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const exps = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += exps[i] = Math.exp(logits[i] - max);
  return Float32Array.from(exps, (e) => e / sum);
}

/** The layers of `spec`, with their weights, checked against the spec's shapes. */
function buildLayers(spec, classes, tensors, arena) {
  const specs = spec.layers ?? [];
  let shape = [...(spec.input ?? [28, 28, 1])];
  const layers = [];
  const used = new Set();
  const tensor = (name, expected) => {
    const t = tensors.get(name);
    if (!t) throw new ModelFileError(`the model file has no tensor '${name}'`);
    if (t.dtype !== "F32" || t.shape.join() !== expected.join()) {
      throw new ModelFileError(`'${name}' is ${t.dtype} [${t.shape}], expected F32 [${expected}]`);
    }
    used.add(name);
    return t.data;
  };
  const batchNorm = (index, channels) => {
    used.add(`${index}.num_batches_tracked`);
    return {
      gamma: tensor(`${index}.weight`, [channels]),
      beta: tensor(`${index}.bias`, [channels]),
      mean: tensor(`${index}.running_mean`, [channels]),
      variance: tensor(`${index}.running_var`, [channels]),
    };
  };
  let index = 0;
  // Whether the layer after the current one is a `type` that it absorbs (a batch norm to fold, a ReLU
  // to fuse): if so, that layer is taken too, and `index` moves onto it.
  const next = (type) => specs[index + 1]?.type === type && ++index > 0;
  for (; index < specs.length; index++) {
    const layer = specs[index];
    const fail = (problem) => new ModelFileError(`${spec.name}, layer ${index} (${layer.type}): ${problem}`);
    const image = shape.length === 3;
    if (layer.type !== "flatten" && layer.type !== "linear" && layer.type !== "dropout" && !image) {
      throw fail("needs an image input");
    }
    switch (layer.type) {
      case "conv": {
        const kernel = layer.kernel ?? 3;
        const stride = layer.stride ?? 1;
        const filters = layer.filters;
        const padding = layer.padding ?? "same";
        const [before, total] = padding === "same" ? [(kernel - 1) >> 1, kernel - 1]
          : padding === "valid" ? [0, 0] : [Number(padding), 2 * Number(padding)];
        if (!(filters > 0) || !(kernel > 0) || !(stride > 0) || !(before >= 0)) {
          throw fail("needs positive filters, kernel and stride, and padding same, valid or a count");
        }
        if (shape[0] + total < kernel || shape[1] + total < kernel) throw fail(`a ${kernel}×${kernel} kernel does not fit [${shape}]`);
        const weight = tensor(`${index}.weight`, [filters, shape[2], kernel, kernel]);
        const bias = tensor(`${index}.bias`, [filters]);
        const norm = next("batchnorm") ? batchNorm(index, filters) : null;
        const relu = next("relu");
        const conv = new Conv2D(shape, filters, kernel, stride, before, total, relu, arena);
        conv.setWeights(weight, bias, norm);
        layers.push(conv);
        shape = [conv.outHeight, conv.outWidth, filters];
        break;
      }
      case "batchnorm":
        layers.push(new BatchNorm(shape, batchNorm(index, shape[2]), arena));
        break;
      case "relu":
        layers.push(new ReLU());
        break;
      case "maxpool":
      case "avgpool": {
        const size = layer.size ?? layer.kernel ?? 2;
        const stride = layer.stride ?? size;
        if (!(size > 0 && stride > 0) || shape[0] < size || shape[1] < size) {
          throw fail(`cannot pool [${shape}] with window ${size}`);
        }
        const pool = new Pool2D(shape, size, stride, layer.type === "maxpool", arena);
        layers.push(pool);
        shape = [pool.outHeight, pool.outWidth, shape[2]];
        break;
      }
      case "globalavgpool":
        layers.push(new GlobalAvgPool(shape, arena));
        shape = [shape[2]];
        break;
      case "flatten":
        if (image) layers.push(new Flatten(shape, arena));
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case "dropout":
        break;
      case "linear": {
        if (image) throw fail("needs a flat input: add a flatten layer first");
        const units = layer.units === "classes" ? classes : layer.units;
        if (!(units > 0)) throw fail("needs positive units");
        const weight = tensor(`${index}.weight`, [units, shape[0]]);
        const bias = tensor(`${index}.bias`, [units]);
        const relu = next("relu");
        layers.push(new Linear(shape[0], units, weight, bias, relu, arena));
        shape = [units];
        break;
      }
      default:
        throw fail("unknown layer type");
    }
  }
  if (shape.length !== 1 || shape[0] !== classes) {
    throw new ModelFileError(`${spec.name}: the last layer outputs [${shape}], not ${classes} classes`);
  }
  const extra = [...tensors.keys()].filter((name) => !used.has(name));
  if (extra.length > 0) {
    throw new ModelFileError(`the model file has tensors this architecture lacks: ${extra.sort().join(", ")}`);
  }
  return layers;
}

/** s = γ / √(σ² + ε) in Float, as BatchNorm2D computes it. */
function batchNormScale({ gamma, variance }) {
  return Float32Array.from(gamma, (g, o) => f32(g / f32(Math.sqrt(f32(variance[o] + BATCH_NORM_EPSILON)))));
}

/**
 * input (H, W, C), weight (KH, KW, C, K) -> output (OH, OW, K), with bias and an optional fused ReLU.
 * The JavaScript kernel sums each output pixel's window as rank-1 updates of its K outputs, skipping
 * zero inputs; the WebAssembly one pads the input first and runs kernels.c's `conv2d`.
 */
class Conv2D {
  constructor([h, w, c], k, kernel, stride, before, total, relu, arena) {
    Object.assign(this, { h, w, c, k, kernel, stride, before, total, relu });
    this.outHeight = Math.floor((h + total - kernel) / stride) + 1;
    this.outWidth = Math.floor((w + total - kernel) / stride) + 1;
    this.weight = arena.take(kernel * kernel * c * k);
    this.bias = arena.take(k);
    this.padded = total > 0 ? arena.take((h + total) * (w + total) * c) : null;
    this.output = arena.take(this.outHeight * this.outWidth * k);
    this.sums = new Float64Array(k);
    this.wasm = null;
  }

  /**
   * PyTorch's (K, C, KH, KW) weight as the engine's (KH, KW, C, K), with a following inference-mode
   * batch norm folded in, in Float as the engine folds it: w' = w·s and b' = (b − μ)·s + β.
   */
  setWeights(weight, bias, norm) {
    const { c, k, kernel } = this;
    const taps = kernel * kernel;
    const scale = norm ? batchNormScale(norm) : null;
    const w = new Float32Array(weight.length);
    for (let o = 0; o < k; o++) {
      for (let ch = 0; ch < c; ch++) {
        for (let t = 0; t < taps; t++) {
          const value = weight[(o * c + ch) * taps + t];
          w[(t * c + ch) * k + o] = scale ? f32(value * scale[o]) : value;
        }
      }
    }
    const b = Float32Array.from(bias);
    if (norm) for (let o = 0; o < k; o++) b[o] = f32(f32(f32(b[o] - norm.mean[o]) * scale[o]) + norm.beta[o]);
    this.weight.values = w;
    this.bias.values = b;
  }

  bind(wasm) {
    this.wasm = wasm;
  }

  forward(x) {
    return this.wasm ? this.forwardWasm(x) : this.forwardJS(x);
  }

  forwardWasm(x) {
    const { h, w, c, k, kernel, stride, before, total, outHeight, outWidth, relu, wasm } = this;
    let input = x.byteOffset;
    if (this.padded) {
      wasm.pad(input, h, w, c, before, total - before, this.padded.view.byteOffset);
      input = this.padded.view.byteOffset;
    }
    const output = this.output.view;
    wasm.conv2d(input, w + total, c, this.weight.view.byteOffset, this.bias.view.byteOffset, k, kernel, stride,
      outHeight, outWidth, relu ? 1 : 0, output.byteOffset);
    return output;
  }

  forwardJS(x) {
    const { h, w, c, k, kernel, stride, before, outHeight, outWidth, sums, relu } = this;
    const weight = this.weight.view, bias = this.bias.view, output = this.output.view;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (let o = 0; o < k; o++) sums[o] = bias[o];
        for (let ky = 0; ky < kernel; ky++) {
          const iy = oy * stride - before + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kernel; kx++) {
            const ix = ox * stride - before + kx;
            if (ix < 0 || ix >= w) continue;
            const input = (iy * w + ix) * c;
            const taps = (ky * kernel + kx) * c * k;
            for (let ch = 0; ch < c; ch++) {
              const v = x[input + ch];
              if (v === 0) continue;
              const row = taps + ch * k;
              for (let o = 0; o < k; o++) sums[o] += v * weight[row + o];
            }
          }
        }
        const out = (oy * outWidth + ox) * k;
        for (let o = 0; o < k; o++) output[out + o] = relu && sums[o] < 0 ? 0 : sums[o];
      }
    }
    return output;
  }
}

/** input (F) -> output (U), weight (U, F) from PyTorch, stored (F, U) for rank-1 updates. */
class Linear {
  constructor(inFeatures, outFeatures, weight, bias, relu, arena) {
    Object.assign(this, { inFeatures, outFeatures, relu });
    const transposed = new Float32Array(weight.length);
    for (let o = 0; o < outFeatures; o++) {
      for (let i = 0; i < inFeatures; i++) transposed[i * outFeatures + o] = weight[o * inFeatures + i];
    }
    this.weight = arena.take(weight.length, transposed);
    this.bias = arena.take(outFeatures, Float32Array.from(bias));
    this.output = arena.take(outFeatures);
    this.sums = new Float64Array(outFeatures);
    this.wasm = null;
  }

  bind(wasm) {
    this.wasm = wasm;
  }

  forward(x) {
    const { inFeatures: n, outFeatures: m, sums, relu } = this;
    const weight = this.weight.view, output = this.output.view;
    if (this.wasm) {
      this.wasm.linear(x.byteOffset, n, weight.byteOffset, this.bias.view.byteOffset, m, relu ? 1 : 0,
        output.byteOffset);
      return output;
    }
    sums.set(this.bias.view);
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (v === 0) continue;
      const row = i * m;
      for (let o = 0; o < m; o++) sums[o] += v * weight[row + o];
    }
    for (let o = 0; o < m; o++) output[o] = relu && sums[o] < 0 ? 0 : sums[o];
    return output;
  }
}

/** An inference-mode batch norm on its own (not after a convolution): y = (x − μ)·s + β. */
class BatchNorm {
  constructor([h, w, c], norm, arena) {
    this.channels = c;
    this.scale = batchNormScale(norm);
    this.mean = norm.mean;
    this.beta = norm.beta;
    this.output = arena.take(h * w * c);
  }

  forward(x) {
    const { channels, scale, mean, beta } = this;
    const output = this.output.view;
    for (let i = 0; i < x.length; i++) {
      const ch = i % channels;
      output[i] = (x[i] - mean[ch]) * scale[ch] + beta[ch];
    }
    return output;
  }
}

class ReLU {
  forward(x) {
    for (let i = 0; i < x.length; i++) if (x[i] < 0) x[i] = 0;
    return x;
  }
}

/** input (H, W, C) -> output (OH, OW, C), OH = (H − size) / stride + 1: max or mean of each window. */
class Pool2D {
  constructor([h, w, c], size, stride, max, arena) {
    Object.assign(this, { h, w, c, size, stride, max });
    this.outHeight = Math.floor((h - size) / stride) + 1;
    this.outWidth = Math.floor((w - size) / stride) + 1;
    this.output = arena.take(this.outHeight * this.outWidth * c);
  }

  forward(x) {
    const { w, c, size, stride, max, outHeight, outWidth } = this;
    const output = this.output.view;
    const count = size * size;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const out = (oy * outWidth + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          let value = max ? -Infinity : 0;
          for (let ky = 0; ky < size; ky++) {
            for (let kx = 0; kx < size; kx++) {
              const v = x[((oy * stride + ky) * w + ox * stride + kx) * c + ch];
              value = max ? (v > value ? v : value) : value + v;
            }
          }
          output[out + ch] = max ? value : value / count;
        }
      }
    }
    return output;
  }
}

/** input (H, W, C) -> output (C): each channel's mean. */
class GlobalAvgPool {
  constructor([h, w, c], arena) {
    Object.assign(this, { pixels: h * w, c });
    this.output = arena.take(c);
  }

  forward(x) {
    const { pixels, c } = this;
    const output = this.output.view;
    for (let ch = 0; ch < c; ch++) {
      let sum = 0;
      for (let p = 0; p < pixels; p++) sum += x[p * c + ch];
      output[ch] = sum / pixels;
    }
    return output;
  }
}

/** input (H, W, C) -> output (C·H·W) in PyTorch's (C, H, W) order. */
class Flatten {
  constructor([h, w, c], arena) {
    Object.assign(this, { pixels: h * w, c });
    this.output = arena.take(h * w * c);
  }

  forward(x) {
    const { pixels, c } = this;
    const output = this.output.view;
    for (let p = 0; p < pixels; p++) for (let ch = 0; ch < c; ch++) output[ch * pixels + p] = x[p * c + ch];
    return output;
  }
}
