// Runs Sources/DoodleServer/Resources/sketch.js on many drawings in one Node process, for the Swift
// tests that compare it with ImageInput (Tests/DoodleServerTests/SketchScriptTests.swift).
//
// Usage: node Scripts/sketch_harness.mjs OUTPUT.bin < requests.jsonl
//
// One JSON request per line of stdin; the strings "NaN", "Infinity" and "-Infinity" stand for those
// numbers, which JSON cannot hold:
//   {"strokes": S}               modelInput(S, "quickdraw"), modelInput(S, "mnist") and normalize(S)
//   {"strokes": S, "framing": F} modelInput(S, F) alone
//   {"strokes": S, "side": N}    render(S, N)
// For each request, one line on stdout: "ok" (followed, for the first form, by a space and the
// normalised strokes as JSON) or "error " and the message thrown; the bytes of an answered request's
// bitmaps are appended to OUTPUT.bin (784 + 784, 784, or N*N). A last line reports the median time
// of one modelInput call per framing: "timing quickdraw <µs> mnist <µs> calls <n>".

import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { modelInput, normalize, render } from "../Sources/DoodleServer/Resources/sketch.js";

const special = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };
const revive = (_, value) => (typeof value === "string" && value in special ? special[value] : value);

const output = process.argv[2];
if (!output) {
  console.error("usage: node sketch_harness.mjs OUTPUT.bin < requests.jsonl");
  process.exit(2);
}

const lines = readFileSync(0, "utf8").split("\n");
const answers = [];
const chunks = [];
const times = { quickdraw: [], mnist: [] };

function timed(strokes, framing) {
  const start = performance.now();
  const bitmap = modelInput(strokes, framing);
  times[framing].push(performance.now() - start);
  return bitmap;
}

for (const line of lines) {
  if (line.trim() === "") continue;
  const request = JSON.parse(line, revive);
  try {
    if (request.side !== undefined) {
      chunks.push(render(request.strokes, request.side));
      answers.push("ok");
    } else if (request.framing !== undefined) {
      chunks.push(modelInput(request.strokes, request.framing));
      answers.push("ok");
    } else {
      const quickdraw = timed(request.strokes, "quickdraw");
      const mnist = timed(request.strokes, "mnist");
      const normalized = normalize(request.strokes);
      chunks.push(quickdraw, mnist);
      answers.push(`ok ${JSON.stringify(normalized)}`);
    }
  } catch (error) {
    answers.push(`error ${String(error.message).replaceAll("\n", " ")}`);
  }
}

function median(values) {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.floor(sorted.length / 2)] * 1000;
}

writeFileSync(output, Buffer.concat(chunks.map((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))));
answers.push(
  `timing quickdraw ${median(times.quickdraw).toFixed(1)} mnist ${median(times.mnist).toFixed(1)} ` +
    `calls ${times.quickdraw.length}`,
);
process.stdout.write(answers.join("\n") + "\n");
