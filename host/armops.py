"""Ops the ARM runs between engine passes: concat, slice, shuffle, upsample, maxpool.

Same integer semantics as generator/golden.py (tested equal on random data), written for the
board's CPU: data-movement ops keep the input's container dtype (no widening to int64) and
maxpool is a running max over k*k strided views.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from host.errors import ProjectError


def concat(xs: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(xs, axis=2)


def channel_slice(x: np.ndarray, start: int, stop: int) -> np.ndarray:
    return np.ascontiguousarray(x[:, :, start:stop])


def shuffle(x: np.ndarray, groups: int) -> np.ndarray:
    """ShuffleNetV2 channel shuffle: output channel j*groups + g = input channel g*(C/groups) + j."""
    h, w, c = x.shape
    return np.ascontiguousarray(np.swapaxes(x.reshape(h, w, groups, c // groups), 2, 3)).reshape(h, w, c)


def upsample(x: np.ndarray, factor: int) -> np.ndarray:
    """Nearest neighbour: out[h, w] = x[h // factor, w // factor]."""
    h, w, c = x.shape
    out = np.empty((h, factor, w, factor, c), dtype=x.dtype)
    out[...] = x[:, None, :, None, :]
    return out.reshape(h * factor, w * factor, c)


def maxpool(x: np.ndarray, kernel: int, stride: int, padding: int, pad_value: int) -> np.ndarray:
    """Max over k x k windows (floor mode); padded cells hold `pad_value` (the type's minimum)."""
    h, w, c = x.shape
    ho = (h + 2 * padding - kernel) // stride + 1
    wo = (w + 2 * padding - kernel) // stride + 1
    xp = np.full((h + 2 * padding, w + 2 * padding, c), pad_value, dtype=x.dtype)
    xp[padding:padding + h, padding:padding + w] = x
    out = xp[:stride * (ho - 1) + 1:stride, :stride * (wo - 1) + 1:stride].copy()
    for i in range(kernel):
        for j in range(kernel):
            np.maximum(out, xp[i:i + stride * (ho - 1) + 1:stride, j:j + stride * (wo - 1) + 1:stride], out=out)
    return out


def _lo(bits: int, signed: bool) -> int:
    return -(1 << (bits - 1)) if signed else 0


# op key -> f(xs, fields, output tensor info) ; fields are the network JSON fields of the layer
ArmOp = Callable[[list[np.ndarray], dict[str, Any], Any], np.ndarray]

ARM_OPS: dict[str, ArmOp] = {
    "concat": lambda xs, f, out: concat(xs),
    "slice": lambda xs, f, out: channel_slice(xs[0], f["start"], f["stop"]),
    "shuffle": lambda xs, f, out: shuffle(xs[0], f["groups"]),
    "upsample": lambda xs, f, out: upsample(xs[0], f["factor"]),
    "maxpool": lambda xs, f, out: maxpool(xs[0], f["kernel"], f["stride"], f.get("padding", 0),
                                          _lo(out.bits, out.signed)),
}

REQUIRED_FIELDS = {"concat": (), "slice": ("start", "stop"), "shuffle": ("groups",),
                   "upsample": ("factor",), "maxpool": ("kernel", "stride")}


def check_step(layer: str, op: str, fields: dict[str, Any]) -> None:
    """Called when the schedule is loaded, so a bad ARM step fails before any frame runs."""
    if op not in ARM_OPS:
        raise ProjectError(f"schedule: layer {layer}: ARM op '{op}' is not supported by this host runtime "
                           f"(supported: {', '.join(sorted(ARM_OPS))})")
    for key in REQUIRED_FIELDS[op]:
        if not isinstance(fields.get(key), int):
            raise ProjectError(f"schedule: layer {layer}: ARM op '{op}' needs integer field '{key}'")


def run(op: str, xs: list[np.ndarray], fields: dict[str, Any], out: Any) -> np.ndarray:
    return ARM_OPS[op](xs, fields, out)
