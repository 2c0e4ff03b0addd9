"""ZeroQ distilled data (thesis ch. 8, Algorithm 3): calibration images made from the model.

Starting from random inputs, gradient descent makes the batch statistics at the input of every
BatchNorm layer match that layer's running mean and standard deviation (eq. 8.2):
min_x sum_i ||mu_i(x) - mu_i||^2 + ||sigma_i(x) - sigma_i||^2. The images are parametrised as
sigmoid(z) so they stay valid [0, 1] images for the 8-bit input quantizer. Needs the float
model with its BN layers (before folding).
"""

from __future__ import annotations

import torch
from torch import nn

from generator.errors import AccelgenError
from generator.frontend import modules
from generator.frontend.export import mode


def bn_loss(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Sum over BN layers of squared distances of batch mean/std to the running statistics."""
    terms: list[torch.Tensor] = []

    def hook(bn: nn.BatchNorm2d, args: tuple, out: torch.Tensor) -> None:
        a = args[0]
        mu = a.mean(dim=(0, 2, 3))
        sd = torch.sqrt(a.var(dim=(0, 2, 3), unbiased=False) + bn.eps)
        terms.append(((mu - bn.running_mean) ** 2).sum() + ((sd - torch.sqrt(bn.running_var + bn.eps)) ** 2).sum())

    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    if not bns:
        raise AccelgenError("distill: the model has no BatchNorm layers (distil before folding BN)")
    hooks = [bn.register_forward_hook(hook) for bn in bns]
    try:
        model(x)
    finally:
        for h in hooks:
            h.remove()
    return torch.stack(terms).sum()


def distill(model: nn.Module, n: int = 4, size: int = 128, steps: int = 200, lr: float = 0.1,
            seed: int = 0) -> torch.Tensor:
    """`n` distilled images (n, 3, size, size) in [0, 1]; the model is left unchanged."""
    g = torch.Generator().manual_seed(seed)
    dev = next(model.parameters()).device
    z = torch.randn(n, 3, size, size, generator=g).to(dev).requires_grad_(True)
    opt = torch.optim.Adam([z], lr=lr)
    params = [p for p in model.parameters()]
    flags = [p.requires_grad for p in params]
    for p in params:
        p.requires_grad_(False)
    try:
        with mode(model, "float"):
            for _ in range(steps):
                loss = bn_loss(model, torch.sigmoid(z))
                opt.zero_grad()
                loss.backward()
                opt.step()
    finally:
        for p, f in zip(params, flags):
            p.requires_grad_(f)
    modules.assign_names(model)
    return torch.sigmoid(z).detach()
