// Runs Sources/DoodleServer/Resources/network.js on many inputs in one Node process, for the Swift
// tests that compare it with the engine (Tests/DoodleServerTests/NetworkScriptTests.swift).
//
// Usage: node Scripts/network_harness.mjs MODEL.safetensors javascript|wasm INPUTS.bin OUTPUT.bin
//
// INPUTS.bin holds one model input after another (height × width × channels bytes each, as the model's
// spec says); OUTPUT.bin gets each input's logits then its probabilities, as little-endian float32.
// On stdout: "ok <kernel> <architecture> <classes> <inputs> <median µs of one probabilities call>", or
// "error <message>" for a model file network.js refuses.

import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Network, compileKernels } from "../Sources/DoodleServer/Resources/network.js";

const [modelPath, kernel, inputsPath, outputPath] = process.argv.slice(2);
if (!outputPath || !["javascript", "wasm"].includes(kernel)) {
  console.error("usage: node network_harness.mjs MODEL.safetensors javascript|wasm INPUTS.bin OUTPUT.bin");
  process.exit(2);
}
const bytes = (path) => {
  const file = readFileSync(path);
  return file.buffer.slice(file.byteOffset, file.byteOffset + file.length);
};
const wasm = kernel === "wasm"
  ? await compileKernels(bytes(new URL("../Sources/DoodleServer/Resources/kernels.wasm", import.meta.url)))
  : null;
if (kernel === "wasm" && !wasm) {
  console.error("this Node cannot compile kernels.wasm");
  process.exit(1);
}
let network;
try {
  network = await Network.fromModelFile(bytes(modelPath), wasm);
} catch (error) {
  process.stdout.write(`error ${String(error.message).replaceAll("\n", " ")}\n`);
  process.exit(0);
}
const inputs = new Uint8Array(bytes(inputsPath));
const size = network.input.view.length;
const count = inputs.length / size;
const classes = network.labels.length;
const output = new Float32Array(count * 2 * classes);
const times = [];
for (let i = 0; i < count; i++) {
  const pixels = inputs.subarray(i * size, (i + 1) * size);
  output.set(network.logits(pixels), i * 2 * classes);
  const started = performance.now();
  output.set(network.probabilities(pixels), (i * 2 + 1) * classes);
  times.push(performance.now() - started);
}
writeFileSync(outputPath, new Uint8Array(output.buffer));
const median = count ? Float64Array.from(times).sort()[count >> 1] * 1000 : 0;
process.stdout.write(`ok ${network.kernel} ${network.architecture} ${classes} ${count} ${median.toFixed(1)}\n`);
