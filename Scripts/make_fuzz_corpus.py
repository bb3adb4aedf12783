#!/usr/bin/env python3
"""Builds the seed corpora of doodle-fuzz's harnesses (Scripts/fuzz.sh) in a git-ignored folder.

Seeds come from the committed test fixtures (Tests/DoodleDataTests/Fixtures/png_fixtures.json,
Tests/DoodleNNTests/Fixtures/*.safetensors) and from small files generated here: .npy arrays, IDX
files (plain and gzip), Quick, Draw! ndjson (simplified and raw) and .bin records, tiny Doodle model
files, predict requests and JSON values. Only the standard library is used.

    Scripts/make_fuzz_corpus.py [OUT]      (default: .fuzz/corpus; one folder per target)
"""
import base64
import gzip
import json
import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".fuzz" / "corpus"


def write(target, name, data):
    folder = OUT / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


# PNG: every committed fixture, plus a palette image with transparency and a 16-bit colour one.
def png(width, height, bit_depth, color_type, raw, extra=()):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    chunks = [chunk(b"IHDR", header)] + [chunk(k, d) for k, d in extra]
    chunks += [chunk(b"IDAT", zlib.compress(raw)), chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


for fixture in json.loads((ROOT / "Tests/DoodleDataTests/Fixtures/png_fixtures.json").read_text()):
    write("png", f"{fixture['name']}.png", base64.b64decode(fixture["png"]))
write("png", "palette_trns.png",
      png(3, 2, 2, 3, bytes([0, 0b00011011, 4, 0b11100100]), [(b"PLTE", bytes(range(12))), (b"tRNS", b"\x00\x80")]))
write("png", "rgb16_filters.png",
      png(2, 3, 16, 2, b"".join(bytes([f]) + bytes(range(f, f + 12)) for f in (1, 3, 4))))


# .npy: format 1.0, 2.0 and 3.0 headers, uint8 and float32, 0- to 3-dimensional.
def npy(descr, shape, data, version=1):
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    text = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}"
    size = 2 if version == 1 else 4
    text += " " * (63 - (8 + size + len(text)) % 64) + "\n"
    length = struct.pack("<H" if version == 1 else "<I", len(text))
    return b"\x93NUMPY" + bytes([version, 0]) + length + text.encode() + data


write("npy", "u1_2x4.npy", npy("|u1", (2, 4), bytes(range(8))))
write("npy", "f4_3.npy", npy("<f4", (3,), struct.pack("<3f", 0.5, -1, 2)))
write("npy", "f4_scalar_v2.npy", npy("<f4", (), struct.pack("<f", 7), version=2))
write("npy", "u1_1x2x2_v3.npy", npy("|u1", (1, 2, 2), bytes(4), version=3))
write("npy", "u1_empty.npy", npy("|u1", (0, 784), b""))


# IDX: an image file and a label file, each plain and gzip-compressed (one of two members).
images = struct.pack(">IIII", 2051, 2, 3, 2) + bytes(range(12))
labels = struct.pack(">II", 2049, 3) + bytes([7, 0, 9])
write("idx", "images.idx3", images)
write("idx", "labels.idx1", labels)
write("idx", "images.idx3.gz", gzip.compress(images))
write("idx", "labels_two_members.idx1.gz", gzip.compress(labels[:5]) + gzip.compress(labels[5:]))

# Quick, Draw! ndjson: simplified, raw (with times), a numeric key_id, blank and malformed lines.
simplified = {"word": "cat", "countrycode": "US", "timestamp": "2017-03-09 00:28:55.637750 UTC",
              "recognized": True, "key_id": "5201136883597312",
              "drawing": [[[130, 113, 99], [72, 40, 27]], [[76, 28], [136, 128]]]}
raw = {"key_id": 4624546381955072, "word": "sun", "recognized": False, "countrycode": None,
       "drawing": [[[10.5, -2, 1e2], [0, 0.25, 3], [0, 17, 33]], [[5], [5], [40]]]}
write("ndjson", "simplified.ndjson", json.dumps(simplified) + "\n")
write("ndjson", "raw.ndjson", json.dumps(raw, separators=(",", ":")) + "\n")
write("ndjson", "mixed.ndjson", "\ufeff" + json.dumps(simplified) + "\n\n  \r\n" + json.dumps(raw)
      + '\n{"word":"caf\\u00e9 \\ud83d\\ude00","extra":{"a":[1,{"b":null}]},"drawing":[]}\n{"drawing":[[[1],[2,3]]]}\n')


# Quick, Draw! .bin: Google's binary_file_parser.py layout.
def record(key, code, recognized, timestamp, strokes):
    data = struct.pack("<Q2sBIH", key, code, recognized, timestamp, len(strokes))
    for xs, ys in strokes:
        data += struct.pack("<H", len(xs)) + bytes(xs) + bytes(ys)
    return data


write("quickdraw-bin", "two.bin", record(1, b"US", 1, 1489019335, [([130, 113, 99], [72, 40, 27])])
      + record(2, b"\0\0", 0, 0, [([0, 255], [255, 0]), ([5], [5])]))
write("quickdraw-bin", "empty_drawing.bin", record(3, b"GB", 1, 7, []))


# Model files: the committed safetensors fixtures (containers, no Doodle metadata), and tiny Doodle models.
for fixture in sorted((ROOT / "Tests/DoodleNNTests/Fixtures").glob("*.safetensors")):
    if fixture.stat().st_size <= 16384:
        write("model", fixture.name, fixture.read_bytes())


def safetensors(tensors, metadata):
    header, data = {"__metadata__": metadata}, b""
    for name, (dtype, shape, payload) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    text = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text)) + text + data


def f32(*shape):
    count = 1
    for d in shape:
        count *= d
    return ("F32", list(shape), struct.pack(f"<{count}f", *[(i % 7 - 3) / 8 for i in range(count)]))


def doodle_model(spec, labels, tensors, preprocessing="quickdraw"):
    metadata = {"format": "doodle-model/1", "arch": spec["name"], "classes": str(len(labels)),
                "spec": json.dumps(spec), "labels": json.dumps(labels), "preprocessing": preprocessing,
                "training": json.dumps({"val_top1": "0.5"})}
    return safetensors(tensors, metadata)


linear_spec = {"name": "tiny", "input": [4, 4, 1], "layers": [{"type": "flatten"}, {"type": "linear", "units": "classes"}]}
write("model", "doodle_linear.safetensors",
      doodle_model(linear_spec, ["cat", "dog"], {"1.weight": f32(2, 16), "1.bias": f32(2)}))
conv_spec = {"name": "conv", "input": [6, 6, 1], "layers": [
    {"type": "conv", "filters": 2, "kernel": 3, "padding": "same"}, {"type": "batchnorm"}, {"type": "relu"},
    {"type": "maxpool", "size": 2}, {"type": "avgpool", "size": 1}, {"type": "conv", "filters": 2, "kernel": 2,
    "stride": 2, "padding": "1"}, {"type": "globalavgpool"}, {"type": "dropout", "rate": 0.3},
    {"type": "linear", "units": 3}, {"type": "relu"}, {"type": "linear", "units": "classes"}]}
write("model", "doodle_conv.safetensors", doodle_model(conv_spec, ["0", "1", "2", "3"], {
    "0.weight": f32(2, 1, 3, 3), "0.bias": f32(2), "1.weight": f32(2), "1.bias": f32(2),
    "1.running_mean": f32(2), "1.running_var": f32(2), "1.num_batches_tracked": ("I64", [], struct.pack("<q", 9)),
    "5.weight": f32(2, 2, 2, 2), "5.bias": f32(2), "8.weight": f32(3, 2), "8.bias": f32(3),
    "10.weight": f32(4, 3), "10.bias": f32(4)}, preprocessing="mnist"))

# Predict requests, as the page and the API clients send them.
strokes = [[[10, 200, 105, 10], [300, 300, 40, 300]], [[105, 105, 140], [300, 420, 460], [0, 16, 33]]]
write("predict", "strokes.json", json.dumps({"strokes": strokes}))
write("predict", "strokes_digits_top.json", json.dumps({"model": "digits", "top": 3, "strokes": strokes}))
write("predict", "pixels.json", json.dumps({"pixels": [(i * 37) % 256 for i in range(784)], "top": 2}))
write("predict", "decoder_fallback.json", '{"strokes": [[[1.5e1, 2], [3, 4]]], "top": 2.0, "model": null, "x": [true]}')
write("predict", "dot.json", '{"strokes":[[[5],[5]]]}')

# Drawings players save (POST /api/drawings), with times, guesses and each source.
write("drawing", "correction.json", json.dumps({"strokes": strokes, "label": " Alarm  Clock", "source": "correction",
      "model": "doodles", "guesses": [{"label": "clock", "confidence": 0.5}, {"label": "cat", "confidence": 0.25}]}))
write("drawing", "game.json", json.dumps({"strokes": strokes, "label": "cat", "source": "game"}))
write("drawing", "taught.json", '{"strokes":[[[1.5,2],[3,4],[0,16]]],"label":"cr\u00e8me br\u00fbl\u00e9e","source":"taught"}')

# Words players teach (POST /api/words): five to ten drawings of a word the model does not know.
write("words", "kite.json", json.dumps({"word": " Kite ", "drawings": [strokes] * 5}))
write("words", "digits_ten.json", json.dumps({"model": "digits", "word": "seven-ish", "drawings": [strokes[:1]] * 10}))
write("words", "unicode_times.json",
      '{"word":"cr\u00e8me br\u00fbl\u00e9e","drawings":[[[[1.5,2],[3,4],[0,16]]],[[[1],[2]]],[[[0,9],[9,0]]],[[[5],[5]]],[[[1,2,3],[3,2,1]]]]}')

# ONNX models (doodle import): a small Doodle-style graph, protobuf encoded by hand (this script runs on
# the system's Python, without the onnx package): Conv, Relu, MaxPool, Flatten, Gemm, Softmax, with its
# labels in the metadata; and the same with a BatchNormalization and an NHWC input transposed.
def varint(n):
    n &= (1 << 64) - 1
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out
def field(number, value):
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    if isinstance(value, float):
        return varint(number << 3 | 5) + struct.pack("<f", value)
    value = value.encode() if isinstance(value, str) else value
    return varint(number << 3 | 2) + varint(len(value)) + value
def tensor(name, dims, values):
    return b"".join(field(1, d) for d in dims) + field(2, 1) + field(8, name) + field(9, struct.pack(f"<{len(values)}f", *values))
def attribute(name, value):
    if isinstance(value, list):
        return field(1, name) + field(20, 7) + b"".join(field(8, v) for v in value)
    return field(1, name) + field(20, 2) + field(3, value)
def node(op, inputs, output, attributes=()):
    return (b"".join(field(1, i) for i in inputs) + field(2, output) + field(3, op) + field(4, op)
            + b"".join(field(5, a) for a in attributes))
def value_info(name, dims):
    shape = b"".join(field(1, field(2, d) if isinstance(d, str) else field(1, d)) for d in dims)
    return field(1, name) + field(2, field(1, field(1, 1) + field(2, shape)))
def onnx_model(nhwc=False, batchnorm=False):
    nodes, inits, x = [], [], "x"
    if nhwc:
        nodes.append(node("Transpose", ["x"], "t", [attribute("perm", [0, 3, 1, 2])]))
        x = "t"
    inits += [tensor("w", [2, 1, 3, 3], [0.1 * i for i in range(18)]), tensor("b", [2], [0.5, -0.5])]
    nodes.append(node("Conv", [x, "w", "b"], "c", [attribute("kernel_shape", [3, 3]), attribute("pads", [1, 1, 1, 1])]))
    x = "c"
    if batchnorm:
        inits += [tensor(n, [2], v) for n, v in [("g", [1, 2]), ("be", [0, 1]), ("m", [0.5, 0]), ("v", [1, 2])]]
        nodes.append(node("BatchNormalization", ["c", "g", "be", "m", "v"], "n"))
        x = "n"
    nodes += [node("Relu", [x], "r"), node("MaxPool", ["r"], "p", [attribute("kernel_shape", [2, 2]),
              attribute("strides", [2, 2])]), node("Flatten", ["p"], "f", [attribute("axis", 1)])]
    inits += [tensor("gw", [3, 392], [((i * 7) % 13 - 6) / 100 for i in range(3 * 392)]), tensor("gb", [3], [0, 0.1, 0.2])]
    nodes += [node("Gemm", ["f", "gw", "gb"], "l", [attribute("transB", 1)]), node("Softmax", ["l"], "probabilities")]
    graph = (b"".join(field(1, n) for n in nodes) + field(2, "fuzz") + b"".join(field(5, t) for t in inits)
             + field(11, value_info("x", ["N", 28, 28, 1] if nhwc else ["N", 1, 28, 28]))
             + field(12, value_info("probabilities", ["N", 3])))
    labels = field(1, "labels") + field(2, '["a","b","c"]')
    return field(1, 8) + field(2, "fuzz") + field(7, graph) + field(8, field(2, 17)) + field(14, labels)
write("onnx", "conv_gemm.onnx", onnx_model())
write("onnx", "nhwc_batchnorm.onnx", onnx_model(nhwc=True, batchnorm=True))

# The JSON scanner: a mode byte (value, strokes, numbers, string, number), then the JSON.
for mode, text in enumerate([
        '{"a": [1, -2.5e-3, "x\\u00e9\\ud83d\\ude00\\n"], "b": {"c": null, "d": true, "e": false}}',
        json.dumps(strokes), "[0, -0, 1e308, 12345678901234567890, 0.5]", '"caf\\u00e9 \\"q\\" \\\\ \\/"', "-1.25E+2"]):
    write("json", f"mode{mode}.json", bytes([mode]) + text.encode())

print(f"seed corpora in {OUT}: " + ", ".join(f"{d.name} {len(list(d.iterdir()))}" for d in sorted(OUT.iterdir())))
