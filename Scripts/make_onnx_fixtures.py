#!/usr/bin/env python3
"""Writes ONNX models made outside Doodle, for the tests of `doodle import`, with what ONNX Runtime
computes for them on the same random inputs.

    make_onnx_fixtures.py OUTDIR        (needs onnx, onnxruntime, numpy; torch for the PyTorch models)

OUTDIR gets inputs.f32 (7 images, little-endian float32, 7×28×28), and for each model NAME.onnx and
NAME.expected.f32 (its probabilities, 7×classes, softmax applied where the graph ends in logits):
- keras: a Keras-style NHWC graph, as tf2onnx writes one: Transpose to NCHW, Conv, BatchNormalization
  (epsilon 1e-3), Relu, MaxPool, Dropout, Transpose back to NHWC, Reshape, MatMul + Add, Softmax;
- torch_small, torch_medium, torch_mnist: ../shared/peers/torch_peer.py's networks (random weights),
  exported by torch.onnx.export, when torch is installed.
Prints the names written, one a line.
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
inputs = rng.random((7, 28, 28), dtype=np.float32)
inputs.astype("<f4").tofile(os.path.join(out, "inputs.f32"))


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def save(name, model, feed_shape, apply_softmax):
    path = os.path.join(out, name + ".onnx")
    onnx.save(model, path)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    (result,) = session.run(None, {session.get_inputs()[0].name: inputs.reshape(feed_shape)})
    (softmax(result) if apply_softmax else result).astype("<f4").tofile(os.path.join(out, name + ".expected.f32"))
    print(name)


# Keras style, NHWC.
c = 6
w = lambda *shape: (rng.standard_normal(shape) * 0.3).astype(np.float32)
init = [
    numpy_helper.from_array(w(c, 1, 3, 3), "conv_w"), numpy_helper.from_array(w(c), "conv_b"),
    numpy_helper.from_array(1 + w(c), "bn_scale"), numpy_helper.from_array(w(c), "bn_bias"),
    numpy_helper.from_array(w(c), "bn_mean"), numpy_helper.from_array((0.5 + rng.random(c)).astype(np.float32), "bn_var"),
    numpy_helper.from_array(np.array([-1, 13 * 13 * c], dtype=np.int64), "shape"),
    numpy_helper.from_array(w(13 * 13 * c, 4) / 10, "dense_w"), numpy_helper.from_array(w(4), "dense_b"),
]
nodes = [
    helper.make_node("Transpose", ["image"], ["nchw"], perm=[0, 3, 1, 2]),
    helper.make_node("Conv", ["nchw", "conv_w", "conv_b"], ["conv"], kernel_shape=[3, 3], auto_pad="VALID"),
    helper.make_node("BatchNormalization", ["conv", "bn_scale", "bn_bias", "bn_mean", "bn_var"], ["bn"], epsilon=1e-3),
    helper.make_node("Relu", ["bn"], ["relu"]),
    helper.make_node("MaxPool", ["relu"], ["pool"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Dropout", ["pool"], ["drop"]),
    helper.make_node("Transpose", ["drop"], ["nhwc"], perm=[0, 2, 3, 1]),
    helper.make_node("Reshape", ["nhwc", "shape"], ["flat"]),
    helper.make_node("MatMul", ["flat", "dense_w"], ["dense"]),
    helper.make_node("Add", ["dense", "dense_b"], ["logits"]),
    helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
]
graph = helper.make_graph(
    nodes, "keras_style", [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 28, 28, 1])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 4])], init)
keras = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_onnx_fixtures")
keras.ir_version = 8
onnx.checker.check_model(keras, full_check=True)
save("keras", keras, (7, 28, 28, 1), apply_softmax=False)

try:
    import torch
except ImportError:
    sys.exit(0)
sys.path.insert(0, os.environ.get(
    "DOODLE_PEERS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "peers")))
from torch_peer import build  # noqa: E402

torch.manual_seed(0)
for arch, classes in [("small", 7), ("medium", 7), ("mnist", 10)]:
    net = build(arch, classes).eval()
    path = os.path.join(out, f"torch_{arch}.onnx")
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28), path, input_names=["x"], output_names=["logits"],
                      dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17, dynamo=False)
    save(f"torch_{arch}", onnx.load(path), (7, 1, 28, 28), apply_softmax=True)
