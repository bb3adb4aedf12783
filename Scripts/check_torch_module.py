#!/usr/bin/env python3
"""Loads a model `doodle export --format safetensors-torch` wrote into the nn.Sequential its Python
module builds, strictly, and prints the logits for the inputs as JSON: {"logits": [[...], ...],
"labels": [...]}.

    check_torch_module.py MODEL.safetensors MODEL.py INPUTS.f32 BATCH    (needs torch, safetensors, numpy)

INPUTS.f32: little-endian float32 (BATCH, C, H, W).
"""
import importlib.util
import json
import sys

import numpy as np
import torch
from safetensors.torch import load_file

weights, module_path, inputs_path, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
spec = importlib.util.spec_from_file_location("doodle_export", module_path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = module.build()
model.load_state_dict(load_file(weights), strict=True)
model.eval()
inputs = torch.from_numpy(np.fromfile(inputs_path, dtype="<f4").reshape(batch, 1, 28, 28))
torch.set_num_threads(1)
with torch.no_grad():
    logits = model(inputs)
print(json.dumps({"logits": logits.tolist(), "labels": module.LABELS}))
