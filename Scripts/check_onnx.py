#!/usr/bin/env python3
"""Checks an ONNX file Doodle exported: onnx.checker (full check, with shape inference), then ONNX
Runtime on the given inputs, compared with the probabilities Doodle's engine gave. Prints JSON:
{"max_difference", "shape", "labels", "opset", "input", "output"}.

    check_onnx.py MODEL.onnx INPUTS.f32 EXPECTED.f32 BATCH     (needs `pip install onnx onnxruntime numpy`)

INPUTS.f32 and EXPECTED.f32 are little-endian float32: (BATCH, C, H, W) and (BATCH, classes).
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime

path, inputs_path, expected_path, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
model = onnx.load(path)
onnx.checker.check_model(model, full_check=True)
session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
input_info = session.get_inputs()[0]
shape = [batch] + list(input_info.shape[1:])
inputs = np.fromfile(inputs_path, dtype="<f4").reshape(shape)
(probabilities,) = session.run(["probabilities"], {input_info.name: inputs})
expected = np.fromfile(expected_path, dtype="<f4").reshape(probabilities.shape)
properties = {p.key: p.value for p in model.metadata_props}
print(json.dumps({
    "max_difference": float(np.abs(probabilities - expected).max()),
    "shape": list(probabilities.shape),
    "labels": json.loads(properties["labels"]),
    "opset": model.opset_import[0].version,
    "input": [d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim],
    "output": model.graph.output[0].name,
}))
