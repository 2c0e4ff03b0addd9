"""Per-layer agreement of the fake-quant and integer forwards ("within one LSB").

Each requantising module is fed the integer forward's own input (as fake-quant values S*q)
and its fake-quant output, divided by its scale, is compared with its integer output. The
difference comes only from the dyadic approximation of S_in*S_w/S_out (relative error below
2^-15, see docs/frontend.md) and float rounding, so it is at most one LSB for every element.
Whole-network outputs may drift further, as a one-LSB change feeds the following layers.
"""

from __future__ import annotations

import torch
from torch import nn

from generator.frontend import modules
from generator.frontend.deform import QDeformDw
from generator.frontend.export import mode
from generator.frontend.trace import QTensor

CHECKED = (modules.QConv, modules.QAdd, modules.QConcat, QDeformDw)


def _as_fake(t: QTensor) -> QTensor:
    s = torch.tensor(float(t.scale), dtype=torch.float32)
    return QTensor(t.x.float() * s, s, t.bits, t.signed)


def layerwise_lsb(model: nn.Module, x: torch.Tensor) -> dict[str, float]:
    """max |fake/S - int| per requantising module (teacher-forced with the integer inputs)."""
    seen: dict[nn.Module, tuple] = {}

    def hook(mod: nn.Module, args: tuple, out: QTensor) -> None:
        seen.setdefault(mod, (args, out))

    hooks = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, CHECKED)]
    try:
        with torch.no_grad(), mode(model, "int"):
            model(x)
    finally:
        for h in hooks:
            h.remove()
    report: dict[str, float] = {}
    with torch.no_grad(), mode(model, "fake"):
        for mod, (args, out) in seen.items():
            if isinstance(mod, modules.QConcat):
                y = mod([_as_fake(t) for t in args[0]])
            elif isinstance(mod, QDeformDw):
                d = seen[mod.offset][1]
                y = mod.apply_offsets(_as_fake(args[0]), QTensor(d.x.float(), torch.tensor(1.0), d.bits, d.signed))
            else:
                y = mod(*[_as_fake(t) for t in args])
            diff = (y.x.double() / float(y.scale) - out.x).abs().max()
            report[mod.qname] = float(diff)
    return report
