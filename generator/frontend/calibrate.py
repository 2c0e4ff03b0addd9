"""Post-training quantisation steps: fold BN, choose bits, calibrate activation ranges."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from generator.frontend import modules
from generator.frontend.export import mode


def calibrate(model: nn.Module, batches: Iterable[torch.Tensor]) -> None:
    """Set every activation quantizer's range from float forwards over `batches` (eval mode)."""
    acts = modules.act_quants(model)
    for a in acts:
        a.freeze()
        a.alpha.zero_()
        a.n_obs.zero_()
        a.observing = True
    try:
        dev = next(model.parameters()).device
        with torch.no_grad(), mode(model, "float"):
            for x in batches:
                model(x.to(dev))
    finally:
        for a in acts:
            a.observing = False


def prepare(model: nn.Module, batches: Iterable[torch.Tensor], w_bits: int = 8, a_bits: int = 8,
            first_w_bits: int | None = 8) -> nn.Module:
    """Fold BN, set uniform bits, calibrate: the model is then ready for fake/int/export."""
    modules.fold(model)
    modules.set_bits(model, w_bits, a_bits, first_w_bits)
    calibrate(model, batches)
    return model
