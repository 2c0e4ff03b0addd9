"""Batch-norm folding (thesis eq. 11.5): BN(conv(h)) = (beta/sigma) W h + (gamma' - beta mu / sigma).

HAWQ-V3 trains with BN unfolded, then freezes the running statistics and folds them into the
convolution; the folded weight is then quantised per channel and the folded bias to INT32 at
scale S_h * S_w (eq. 11.6).
"""

from __future__ import annotations

import torch
from torch import nn


def fold_bn(weight: torch.Tensor, bias: torch.Tensor | None, bn: nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    """(W', b') with conv(x, W') + b' == bn(conv(x, W) + b) in eval mode (running statistics).

    `weight` has the output channel first (conv: O,I,k,k; depthwise: C,1,k,k).
    """
    std = torch.sqrt(bn.running_var + bn.eps)
    gamma = bn.weight if bn.affine else torch.ones_like(std)
    beta = bn.bias if bn.affine else torch.zeros_like(std)
    factor = gamma / std
    b = bias if bias is not None else torch.zeros_like(bn.running_mean)
    w_f = weight * factor.view(-1, *([1] * (weight.dim() - 1)))
    b_f = beta + (b - bn.running_mean) * factor
    return w_f, b_f


def fold_module_bn(module: nn.Module, weight_attr: str = "weight") -> None:
    """Freeze `module.bn` into its weight (named `weight_attr`) and bias, then drop the BN (eq. 11.5).

    Shared by every quantisation module that carries a BatchNorm (conv and deformable conv)."""
    if module.bn is None:
        return
    with torch.no_grad():
        w, b = fold_bn(getattr(module, weight_attr), module.bias, module.bn)
    setattr(module, weight_attr, nn.Parameter(w.detach().clone()))
    module.bias = nn.Parameter(b.detach().clone())
    module.bn = None
