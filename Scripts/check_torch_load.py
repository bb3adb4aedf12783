#!/usr/bin/env python3
"""Proves PyTorch can load a model file Doodle wrote: prints the logits it computes, as JSON.

    /tmp/peer/bin/python Scripts/check_torch_load.py MODEL.safetensors INPUTS.safetensors

MODEL's __metadata__ must name the architecture ("arch": small, medium or mnist, as in
../shared/peers/torch_peer.py) and the class count ("classes"). Its tensors are loaded into that
nn.Sequential with strict=True, so a missing, extra or misshapen tensor fails loudly. INPUTS holds a
float tensor "input" of shape (N, 1, 28, 28). Prints one JSON object:
{"arch": ..., "classes": ..., "logits": [[...], ...]} from the model in eval mode, in float32.
Exits 1 with a message on stderr when the file cannot be loaded.
"""
import argparse
import json
import os
import sys

# ../shared/peers beside the repository, as on the developers' machines and in CI.
PEERS = os.environ.get(
    "DOODLE_PEERS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "peers"))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="safetensors file with the state_dict and arch/classes metadata")
    parser.add_argument("inputs", help="safetensors file with an 'input' tensor (N, 1, 28, 28)")
    args = parser.parse_args()

    import torch
    from safetensors import safe_open
    from safetensors.torch import load_file
    sys.path.insert(0, PEERS)
    from torch_peer import build

    with safe_open(args.model, "pt") as f:
        meta = f.metadata() or {}
    if "arch" not in meta or "classes" not in meta:
        sys.exit(f"{args.model}: __metadata__ needs 'arch' and 'classes', has {sorted(meta)}")
    arch, classes = meta["arch"], int(meta["classes"])
    model = build(arch, classes)
    try:
        model.load_state_dict(load_file(args.model), strict=True)
    except RuntimeError as error:
        sys.exit(f"{args.model}: {error}")
    inputs = load_file(args.inputs)
    if "input" not in inputs:
        sys.exit(f"{args.inputs}: no tensor named 'input' (has {sorted(inputs)})")
    torch.set_num_threads(1)
    with torch.no_grad():
        logits = model.eval()(inputs["input"].to(torch.float32))
    print(json.dumps({"arch": arch, "classes": classes, "logits": logits.tolist()}))


if __name__ == "__main__":
    main()
