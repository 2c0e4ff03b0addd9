"""`export(model, example)`: the integer-only forward of a quantised model, recorded as a
foundation Network (NAME.json + NAME.npz via `generator.ir.io.save_network`).

The model's forward takes a float image batch (N, 3, H, W) in [0, 1] and returns a dict of
`QTensor` outputs (or one QTensor). Export runs the integer forward on `example` (batch 1)
under the tracer, so the arrays written are exactly those the torch integer forward used;
tests check `run_golden(export(...))` against `int_outputs(...)` bit for bit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn

from generator.errors import AccelgenError
from generator.frontend import modules, trace
from generator.frontend.trace import QTensor
from generator.ir.network import Network


def _as_dict(out: QTensor | dict[str, QTensor]) -> dict[str, QTensor]:
    return out if isinstance(out, dict) else {"out": out}


@contextlib.contextmanager
def mode(model: nn.Module, m: str) -> Iterator[nn.Module]:
    """Temporarily switch every quantised module to mode `m` (float, fake or int), eval()."""
    old = {q: q.mode for q in modules.quant_modules(model)}
    was_training = model.training
    modules.set_mode(model, m)
    model.eval()
    try:
        yield model
    finally:
        for q, prev in old.items():
            q.mode = prev
        model.train(was_training)


def run(model: nn.Module, x: torch.Tensor, m: str) -> dict[str, QTensor]:
    with torch.no_grad(), mode(model, m):
        return _as_dict(model(x))


def int_outputs(model: nn.Module, x: torch.Tensor) -> dict[str, np.ndarray]:
    """Integer-only forward; outputs as int64 arrays (N, H, W, C)."""
    return {k: v.x.round().long().permute(0, 2, 3, 1).cpu().numpy() for k, v in run(model, x, "int").items()}


def fake_outputs(model: nn.Module, x: torch.Tensor) -> dict[str, np.ndarray]:
    """Fake-quant forward divided by each output's scale (integers up to float error), NHWC."""
    out = {}
    for k, v in run(model, x, "fake").items():
        out[k] = (v.x / v.scale).double().permute(0, 2, 3, 1).cpu().numpy()
    return out


def output_scales(model: nn.Module, x: torch.Tensor) -> dict[str, float]:
    return {k: float(v.scale) for k, v in run(model, x, "int").items()}


def export(model: nn.Module, example: torch.Tensor, name: str = "net") -> Network:
    """The integer network of a folded, calibrated model; `example` is one image (1, 3, H, W).

    Network outputs are the model's output tensors in the order of its output dict. Raises
    AccelgenError (e.g. an accumulator that cannot fit 32 bits, an uncalibrated quantizer).
    """
    if example.dim() != 4 or example.shape[0] != 1:
        raise AccelgenError(f"export: example must be one image (1, C, H, W), got shape {list(example.shape)}")
    model = model.cpu()
    with torch.no_grad(), mode(model, "int"), trace.tracing(name) as tr:
        outs = _as_dict(model(example.cpu().float()))
        names = []
        for key, t in outs.items():
            if t.node is None:
                raise AccelgenError(f"export: output '{key}' was not produced by a quantised module")
            names.append(t.node)
        return tr.network(names)
