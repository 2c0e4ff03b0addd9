"""CoDeNet's co-designed deformable depthwise 3x3 convolution as a torch module.

The offsets come from a small conv (1x1 or 3x3) whose output quantizer has scale 1 and
unsigned `bits` = ceil(log2(N+1)): "round and bound the offsets in the quantisation step".
Each output pixel gets one distance d in [0, N] (square sampling shape), so output (h, w)
reads x[h*s + i*d, w*s + j*d] for i, j in {-1, 0, 1}, zero outside: golden `deform_dwconv`.

The forward samples at the rounded integer d exactly (no interpolation); the backward passes
the gradient to d through a central-difference estimate of dx/dp (straight-through on the
rounding), so the offset branch trains end to end.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from generator.errors import AccelgenError
from generator.frontend.fold import fold_module_bn
from generator.frontend.modules import QConv, QModule, export_int_params, requant_int
from generator.frontend.quant import (
    ActQuant,
    check_bits,
    quantize_weight,
    round_half_up,
    weight_scale,
)
from generator.frontend.trace import QTensor
from generator.ops.base import ACC_BITS

TAPS = [(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)]


def offset_bits(max_offset: int) -> int:
    return max(2, math.ceil(math.log2(max_offset + 1)))


def square_sample(x: torch.Tensor, d: torch.Tensor, stride: int, max_offset: int) -> torch.Tensor:
    """Samples (N, C, 9, Ho, Wo): x at (h*s + i*d, w*s + j*d), zero outside; d (N, 1, Ho, Wo).

    `d` holds integers (possibly off by float rounding; it is rounded here). Gradients flow to
    x (gather) and, when d requires grad, to d by a central difference of x.
    """
    n, c, h, w = x.shape
    ho, wo = d.shape[2], d.shape[3]
    pad = max_offset + 1
    xp = F.pad(x, (pad, pad, pad, pad))
    hp, wp = h + 2 * pad, w + 2 * pad
    flat = xp.reshape(n, c, hp * wp)
    di = torch.clamp(torch.round(d.detach()), 0, max_offset).long()[:, 0]  # (N, Ho, Wo)
    hs = (torch.arange(ho, device=x.device) * stride + pad).view(1, ho, 1)
    ws = (torch.arange(wo, device=x.device) * stride + pad).view(1, 1, wo)
    grad_d = d.requires_grad

    def at(py: torch.Tensor, px: torch.Tensor) -> torch.Tensor:
        idx = (py * wp + px).reshape(n, 1, ho * wo).expand(n, c, ho * wo)
        return torch.gather(flat, 2, idx).view(n, c, ho, wo)

    out = []
    for i, j in TAPS:
        py, px = hs + i * di, ws + j * di
        v = at(py, px)
        if grad_d and (i or j):
            gy = (at(py + 1, px) - at(py - 1, px)).detach() / 2 if i else 0
            gx = (at(py, px + 1) - at(py, px - 1)).detach() / 2 if j else 0
            v = v + (d - d.detach()) * (i * gy + j * gx)
        out.append(v)
    return torch.stack(out, dim=2)


class QDeformDw(QModule):
    """offsets = Q_1(offset_conv(x)) in [0, N]; y = act(relu(bn(sum_taps w * x[p + tap*d])))."""

    def __init__(self, channels: int, max_offset: int = 7, stride: int = 1, offset_kernel: int = 1,
                 bn: bool = True, relu: bool = True, w_bits: int = 8, a_bits: int = 8,
                 act: ActQuant | None = None, offset_w_bits: int = 8) -> None:
        super().__init__()
        check_bits("deform_dwconv", "w_bits", w_bits)
        if not 1 <= max_offset <= 64:
            raise AccelgenError(f"deformable conv: max_offset = {max_offset} is outside 1..64")
        self.channels, self.max_offset, self.stride = channels, max_offset, stride
        self.relu = relu
        self.w_bits = w_bits
        self.offset = QConv(channels, 1, offset_kernel, stride=stride, bn=False, relu=False,
                            w_bits=offset_w_bits, act=ActQuant(offset_bits(max_offset), signed=False, fixed_scale=1.0))
        with torch.no_grad():  # start as a plain depthwise 3x3 (d = 1)
            self.offset.weight.mul_(0.01)
            self.offset.bias.fill_(1.0)
        self.dw_weight = nn.Parameter(torch.randn(channels, 1, 3, 3) * math.sqrt(2.0 / 9))
        self.bias = None if bn else nn.Parameter(torch.zeros(channels))
        self.bn = nn.BatchNorm2d(channels) if bn else None
        self.act = act if act is not None else ActQuant(a_bits, signed=not relu)

    def fold(self) -> None:
        fold_module_bn(self, "dw_weight")

    def _mac(self, samples: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return (samples * w.view(1, self.channels, 9, 1, 1)).sum(dim=2)

    def quant_params(self, s_in: torch.Tensor, in_max: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if self.bn is not None:
            raise AccelgenError(f"module {self.qname}: fold batch norm before quantising (model.fold())")
        bias = self.bias if self.bias is not None else torch.zeros(self.channels, device=self.dw_weight.device)
        budget = (1 << (ACC_BITS - 1)) - 1 - 9 * in_max * (1 << (self.w_bits - 1))
        s_in = s_in.detach()
        s_w = torch.maximum(weight_scale(self.dw_weight, self.w_bits), bias.detach().abs() / (s_in * budget * 0.999))
        qw = quantize_weight(self.dw_weight, s_w, self.w_bits)
        qb = torch.clamp(round_half_up(bias.detach() / (s_in * s_w)), -budget, budget)
        qb = qb + (bias / (s_in * s_w) - (bias / (s_in * s_w)).detach())
        return qw, qb, s_w

    def forward(self, x: QTensor) -> QTensor:
        return self.apply_offsets(x, self.offset(x))

    def apply_offsets(self, x: QTensor, d: QTensor) -> QTensor:
        """The deformable depthwise conv given offsets `d` (the offset conv's output)."""
        if self.mode == "float":
            y = self._mac(square_sample(x.x, d.x, self.stride, self.max_offset), self.dw_weight)
            if self.bias is not None:
                y = y + self.bias.view(1, -1, 1, 1)
            if self.bn is not None:
                y = self.bn(y)
            if self.relu:
                y = F.relu(y)
            if self.act.observing:
                self.act.observe(y)
            return QTensor(y)
        self.need_quant(x)
        if self.mode == "fake":
            s_in = torch.as_tensor(x.scale, dtype=x.x.dtype, device=x.x.device)
            qw, qb, s_w = self.quant_params(s_in, x.max_abs)
            samples = square_sample(x.x, d.x, self.stride, self.max_offset)
            y = self._mac(samples, qw * s_w.view(-1, 1, 1, 1)) + (qb * s_in.detach() * s_w).view(1, -1, 1, 1)
            yq, s = self.act.fake(y)
            return QTensor(yq, s, self.act.bits, self.act.signed)
        return self.int_forward(x, d)

    def int_params(self, x: QTensor) -> dict[str, np.ndarray]:
        return export_int_params(self, x, self.dw_weight.device)

    def int_forward(self, x: QTensor, d: QTensor) -> QTensor:
        p = self.int_params(x)
        dev = x.x.device
        d_eff = torch.clamp(d.x, max=self.max_offset)  # the golden model's min(offset, N)
        samples = square_sample(x.x.double(), d_eff, self.stride, self.max_offset)
        acc = self._mac(samples, torch.from_numpy(p["weight"]).double().to(dev)).round().long()
        acc = acc + torch.from_numpy(p["bias"]).to(dev).view(1, -1, 1, 1)
        y = requant_int(acc, torch.from_numpy(p["mult"]).to(dev), torch.from_numpy(p["shift"]).to(dev),
                        self.act.lo, self.act.hi)
        out = QTensor(y.double(), self.act.scale_float(), self.act.bits, self.act.signed)
        out.node = self.record(
            "deform_dwconv", [x, d],
            {"weight_bits": self.w_bits, "out_bits": self.act.bits, "out_signed": self.act.signed,
             "stride": self.stride, "max_offset": self.max_offset},
            {**p, "weight": p["weight"][:, 0]},
        )
        return out
