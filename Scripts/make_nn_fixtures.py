#!/usr/bin/env python3
"""Writes the PyTorch golden fixtures for DoodleNN's tests into Tests/DoodleNNTests/Fixtures/.

    /tmp/peer/bin/python Scripts/make_nn_fixtures.py

Deterministic: every case draws from its own generator seeded with a CRC of its file name, and the
maths runs in float64 on float32-representable inputs before the results are stored as float32, so
the goldens carry no float32 rounding noise of PyTorch's own. Layouts are PyTorch's: images NCHW,
conv weights (K, C, kh, kw), linear weights (out, in). Each file's __metadata__["case"] is JSON with
the layer kind and hyper-parameters. See Tests/DoodleNNTests/Fixtures/README.md for every file.
"""
import json
import os
import struct
import sys
import zlib

import torch
from safetensors.torch import save_file
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "DoodleNNTests", "Fixtures")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "peers"))
D = torch.float64


def rng(name):
    return torch.Generator().manual_seed(zlib.crc32(name.encode()))


def randn(g, *shape):
    """Standard normal values that are exact in float32, held in float64."""
    return torch.randn(*shape, generator=g).to(D)


def save_canonical(tensors, path, metadata):
    """save_file, then the metadata keys sorted: the package writes them in hash order, which would
    change the file's bytes on every run."""
    save_file(tensors, path, metadata=metadata)
    with open(path, "rb") as f:
        blob = f.read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n], object_pairs_hook=dict)
    header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    header = {"__metadata__": header.pop("__metadata__"), **header}
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    assert len(text) == len(blob[8:8 + n].rstrip(b" ")), path
    with open(path, "wb") as f:
        f.write(blob[:8] + text.ljust(n) + blob[8 + n:])


def save(name, tensors, case):
    out = {k: v.detach().to(torch.float32).contiguous() for k, v in tensors.items()}
    meta = {"case": json.dumps(case, sort_keys=True), "generator": "Scripts/make_nn_fixtures.py",
            "torch": torch.__version__}
    save_canonical(out, os.path.join(OUT, name + ".safetensors"), meta)


def run_layer(name, layer, x, case, g, params=("weight", "bias")):
    """Forward, then backward of a fixed random upstream gradient; saves input, params, grads."""
    layer = layer.to(D)
    with torch.no_grad():
        for p in params:
            getattr(layer, p).copy_(randn(g, *getattr(layer, p).shape))
    x = x.clone().requires_grad_(True)
    y = layer(x)
    dy = randn(g, *y.shape)
    y.backward(dy)
    t = {"input": x, "output": y, "dOutput": dy, "dInput": x.grad}
    for p in params:
        t[p] = getattr(layer, p)
        t["d" + p.capitalize()] = getattr(layer, p).grad
    save(name, t, case)


def conv_cases():
    # (padding name, kernel, stride, padding, batch, channels, height, width)
    specs = [("same", 3, 1, 1, 7, 3, 5, 7), ("same", 3, 1, 1, 1, 1, 1, 1), ("same", 3, 1, 1, 1, 1, 28, 28),
             ("valid", 3, 1, 0, 7, 3, 5, 7), ("valid", 3, 1, 0, 1, 1, 3, 3), ("same", 5, 1, 2, 2, 3, 6, 6),
             ("same", 5, 1, 2, 1, 1, 5, 7), ("stride2_pad1", 3, 2, 1, 7, 3, 5, 7),
             ("stride2_pad1", 3, 2, 1, 1, 1, 6, 6)]
    for pad_name, k, stride, pad, n, c, h, w in specs:
        name = f"conv2d_{pad_name}_{k}x{k}_b{n}_c{c}_{h}x{w}"
        g = rng(name)
        out_channels = 4
        layer = nn.Conv2d(c, out_channels, k, stride=stride, padding=pad)
        case = dict(kind="conv2d", in_channels=c, out_channels=out_channels, kernel_size=k,
                    stride=stride, padding=pad, batch=n, height=h, width=w)
        run_layer(name, layer, randn(g, n, c, h, w), case, g)


def pool_cases():
    for kind, layer in [("maxpool2d", nn.MaxPool2d(2)), ("avgpool2d", nn.AvgPool2d(2))]:
        for n, c, h, w in [(2, 3, 6, 6), (2, 3, 5, 7)]:
            name = f"{kind}_2_b{n}_c{c}_{h}x{w}"
            g = rng(name)
            case = dict(kind=kind, kernel_size=2, stride=2, batch=n, channels=c, height=h, width=w)
            run_layer(name, layer, randn(g, n, c, h, w), case, g, params=())
    name = "global_avgpool_b2_c3_5x7"
    g = rng(name)
    case = dict(kind="global_avgpool", note="AdaptiveAvgPool2d(1): output (N, C, 1, 1)",
                batch=2, channels=3, height=5, width=7)
    run_layer(name, nn.AdaptiveAvgPool2d(1), randn(g, 2, 3, 5, 7), case, g, params=())


def simple_cases():
    g = rng("relu")
    x = randn(g, 4, 3, 5, 7)
    x.view(-1)[::10] = 0  # PyTorch's convention: the gradient at exactly 0 is 0
    run_layer("relu_b4_c3_5x7", nn.ReLU(), x, dict(kind="relu", shape=[4, 3, 5, 7],
                                                    note="every 10th input is exactly 0"), g, params=())
    g = rng("linear")
    run_layer("linear_b7_in20_out5", nn.Linear(20, 5), randn(g, 7, 20),
              dict(kind="linear", batch=7, in_features=20, out_features=5), g)
    g = rng("flatten")
    run_layer("flatten_b2_c3_4x5", nn.Flatten(), randn(g, 2, 3, 4, 5),
              dict(kind="flatten", shape=[2, 3, 4, 5], order="NCHW"), g, params=())
    g = rng("dropout")
    run_layer("dropout_eval_b4_c3_5x7", nn.Dropout(0.5).eval(), randn(g, 4, 3, 5, 7),
              dict(kind="dropout", p=0.5, mode="eval"), g, params=())
    g = rng("softmax")
    run_layer("softmax_b7_c5", nn.Softmax(dim=1), randn(g, 7, 5) * 3,
              dict(kind="softmax", dim=1, batch=7, classes=5), g, params=())


def batchnorm_cases():
    for mode in ["train", "eval"]:
        name = f"batchnorm2d_{mode}_b7_c3_5x7"
        g = rng(name)
        layer = nn.BatchNorm2d(3, eps=1e-5, momentum=0.1).to(D)
        with torch.no_grad():
            layer.running_mean.copy_(randn(g, 3) * 0.5)
            layer.running_var.copy_(randn(g, 3).abs() + 0.5)
        mean0, var0 = layer.running_mean.clone(), layer.running_var.clone()
        layer.train(mode == "train")
        x = randn(g, 7, 3, 5, 7) * 2 + 1
        case = dict(kind="batchnorm2d", mode=mode, channels=3, eps=1e-5, momentum=0.1, batch=7,
                    height=5, width=7, note="running_var update uses the unbiased batch variance")
        tensors_before = {"running_mean": mean0, "running_var": var0}
        run_layer_bn(name, layer, x, case, g, tensors_before)


def run_layer_bn(name, layer, x, case, g, extra):
    with torch.no_grad():
        layer.weight.copy_(randn(g, 3) * 0.5 + 1)
        layer.bias.copy_(randn(g, 3) * 0.5)
    x = x.clone().requires_grad_(True)
    y = layer(x)
    dy = randn(g, *y.shape)
    y.backward(dy)
    t = dict(extra, input=x, output=y, dOutput=dy, dInput=x.grad, weight=layer.weight,
             bias=layer.bias, dWeight=layer.weight.grad, dBias=layer.bias.grad,
             running_mean_updated=layer.running_mean, running_var_updated=layer.running_var)
    save(name, t, case)


def cross_entropy_cases():
    for smoothing in [0.0, 0.1]:
        name = "cross_entropy_b7_c5" + ("_smooth0.1" if smoothing else "")
        g = rng(name)
        logits = (randn(g, 7, 5) * 2).requires_grad_(True)
        targets = torch.randint(0, 5, (7,), generator=g)
        loss = nn.CrossEntropyLoss(label_smoothing=smoothing)(logits, targets)
        loss.backward()
        case = dict(kind="cross_entropy", reduction="mean", label_smoothing=smoothing, batch=7, classes=5)
        save(name, {"logits": logits, "targets": targets.to(D), "loss": loss, "dLogits": logits.grad}, case)


def optimizer_cases():
    sgd = dict(lr=0.01, momentum=0.9, weight_decay=1e-4)
    specs = [("sgd_momentum", torch.optim.SGD, dict(sgd, nesterov=False)),
             ("sgd_nesterov", torch.optim.SGD, dict(sgd, nesterov=True)),
             ("adamw", torch.optim.AdamW, dict(lr=1e-3, weight_decay=1e-2))]
    for name, cls, options in specs:
        g = rng(name)
        param = nn.Parameter(randn(g, 2, 3))
        opt = cls([param], **options)
        t = {"param_0": param.detach().clone()}
        for step in range(1, 4):
            grad = randn(g, 2, 3)
            param.grad = grad.clone()
            opt.step()
            t[f"grad_{step}"] = grad
            t[f"param_{step}"] = param.detach().clone()
        full = {k: v for k, v in opt.param_groups[0].items()
                if k != "params" and isinstance(v, (int, float, bool, tuple))}
        save(name, t, dict(kind=name, steps=3, **full))


def lr_schedule_cases():
    def run(make_scheduler, steps=50, lr=0.1, momentum=False):
        opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=lr, momentum=0.9)
        sched = make_scheduler(opt)
        lrs, moms = [], []
        for i in range(steps):
            lrs.append(opt.param_groups[0]["lr"])
            moms.append(opt.param_groups[0]["momentum"])
            opt.step()
            if i < steps - 1:
                sched.step()
        return torch.tensor(lrs, dtype=D), torch.tensor(moms, dtype=D)

    one_cycle_lr, one_cycle_momentum = run(
        lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.003, total_steps=50))
    cosine, _ = run(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=50))
    step, _ = run(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=10, gamma=0.5))
    warmup, _ = run(lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=10))
    case = dict(kind="lr_schedules", steps=50,
                note="lr used at each of 50 steps (scheduler stepped after each)",
                one_cycle=dict(max_lr=0.003, total_steps=50, pct_start=0.3, anneal_strategy="cos",
                               div_factor=25.0, final_div_factor=1e4, base_momentum=0.85, max_momentum=0.95),
                cosine=dict(base_lr=0.1, T_max=50, eta_min=0.0),
                step=dict(base_lr=0.1, step_size=10, gamma=0.5),
                linear_warmup=dict(base_lr=0.1, start_factor=0.1, end_factor=1.0, total_iters=10))
    save("lr_schedules", {"one_cycle_lr": one_cycle_lr, "one_cycle_momentum": one_cycle_momentum,
                          "cosine": cosine, "step": step, "linear_warmup": warmup}, case)


def interop_cases():
    from torch_peer import build
    for arch, classes in [("mnist", 10)]:
        torch.manual_seed(0)
        model = build(arch, classes).eval()
        meta = {"arch": arch, "classes": str(classes), "layout": "PyTorch nn.Sequential state_dict"}
        state = {k: v.contiguous() for k, v in model.state_dict().items()}
        save_canonical(state, os.path.join(OUT, f"{arch}_model.safetensors"), meta)
        g = rng(arch + "_io")
        x = torch.rand(4, 1, 28, 28, generator=g)
        with torch.no_grad():
            logits = model.to(D)(x.to(D))
        save(f"{arch}_io", {"input": x, "logits": logits},
             dict(kind="model_io", arch=arch, classes=classes, mode="eval", seed=0))


def dtype_case():
    """Every dtype the reader converts, as the Python package writes them, plus edge shapes."""
    t = {"f32": torch.tensor([1.5, -2.25, 3.0]),
         "f16": torch.tensor([0.5, -1.0, 65504.0], dtype=torch.float16),
         "bf16": torch.tensor([1.0, -3.5, 256.0], dtype=torch.bfloat16),
         "f64": torch.tensor([0.1, -1e10, 2.0], dtype=torch.float64),
         "i64": torch.tensor([-3, 0, 1 << 20], dtype=torch.int64),
         "i32": torch.tensor([7, -8, 9], dtype=torch.int32),
         "u8": torch.tensor([0, 128, 255], dtype=torch.uint8), "matrix": torch.arange(6.0).reshape(2, 3),
         "scalar": torch.tensor(42.0), "empty": torch.zeros(0, 3)}
    save_canonical(t, os.path.join(OUT, "dtypes.safetensors"), {"purpose": "reader test", "answer": "42"})


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT, exist_ok=True)
    for make in [conv_cases, pool_cases, simple_cases, batchnorm_cases, cross_entropy_cases,
                 optimizer_cases, lr_schedule_cases, interop_cases, dtype_case]:
        make()
    files = sorted(f for f in os.listdir(OUT) if f.endswith(".safetensors"))
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in files)
    print(f"wrote {len(files)} files, {total} bytes, to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
