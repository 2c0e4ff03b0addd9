"""Quantisation-aware modules, one per foundation op, each with three forwards.

* ``float``: ordinary float math (BN unfolded until `fold()`); activation quantizers only
  observe (calibration) except fixed-scale ones (deformable offsets), which always round.
* ``fake``: HAWQ-V3 simulated quantisation: folded, per-channel quantised weights, INT32-grid
  bias at scale S_in*S_w, per-tensor quantised outputs, STE gradients (QAT).
* ``int``: integer-only inference exactly as the golden model: integer weights and bias,
  exact accumulation (float64 holds every 32-bit accumulator exactly), dyadic requantisation
  (acc*b + 2^(c-1)) >> c with b/2^c = DN(S_in*S_w/S_out). Under `trace.tracing()` each module
  records the layer it computed, which is how `export` writes the network.

Every module takes and returns `QTensor`s (NCHW).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from generator.dyadic import dyadic
from generator.errors import AccelgenError
from generator.frontend import trace
from generator.frontend.fold import fold_module_bn
from generator.frontend.quant import (
    ActQuant,
    check_bits,
    dyadic_pair,
    quantize_weight,
    round_half_up,
    weight_qmax,
    weight_scale,
)
from generator.frontend.trace import QTensor
from generator.ops.base import ACC_BITS

MODES = ("float", "fake", "int")


def requant_int(acc: torch.Tensor, mult: torch.Tensor, shift: torch.Tensor, lo: int, hi: int) -> torch.Tensor:
    """Torch twin of golden.requantize on an int64 NCHW accumulator (per-channel mult/shift)."""
    m = mult.view(1, -1, 1, 1)
    s = shift.view(1, -1, 1, 1)
    r = torch.where(s > 0, torch.bitwise_left_shift(torch.ones_like(s), (s - 1).clamp(min=0)), torch.zeros_like(s))
    return torch.clamp(torch.bitwise_right_shift(acc * m + r, s), lo, hi)


def int_conv(x: torch.Tensor, w: torch.Tensor, stride: int, padding: int, depthwise: bool) -> torch.Tensor:
    """Exact integer convolution in float64 (every 32-bit accumulator is exact below 2^53).

    Depthwise as a sum of shifted slices, full conv as im2col + matmul: both avoid torch's
    float64 conv kernels, which are slow on CPU.
    """
    n, c, h, wd = x.shape
    k = w.shape[-1]
    ho, wo = (h + 2 * padding - k) // stride + 1, (wd + 2 * padding - k) // stride + 1
    if depthwise:
        xp = F.pad(x, (padding,) * 4)
        acc = torch.zeros(n, c, ho, wo, dtype=x.dtype, device=x.device)
        for i in range(k):
            for j in range(k):
                acc += xp[:, :, i:i + stride * (ho - 1) + 1:stride, j:j + stride * (wo - 1) + 1:stride] * w[:, 0, i, j].view(1, c, 1, 1)
        return acc
    cols = F.unfold(x, k, padding=padding, stride=stride)  # (N, C*k*k, L), (c, i, j) order
    return (w.reshape(w.shape[0], -1) @ cols).view(n, w.shape[0], ho, wo)


def _f(scale) -> float:
    return float(scale.detach()) if isinstance(scale, torch.Tensor) else float(scale)


def dyadic_arrays(ratios: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pairs = [dyadic(float(r)) for r in ratios]
    return np.array([p[0] for p in pairs], np.int64), np.array([p[1] for p in pairs], np.int64)


class QModule(nn.Module):
    """Base: a `mode` and a `qname` (the module path, used as the layer name on export)."""

    def __init__(self) -> None:
        super().__init__()
        self.mode = "float"
        self.qname = type(self).__name__.lower()

    def need_quant(self, *xs: QTensor) -> None:
        for x in xs:
            if x.bits is None:
                raise AccelgenError(f"module {self.qname}: {self.mode} forward got an unquantised input")

    def record(self, op: str, inputs: list[QTensor], fields: dict, arrays: dict | None = None,
               suffix: str = "") -> str | None:
        tr = trace.active()
        if tr is None or self.mode != "int":
            return None
        return tr.layer(op, self.qname + suffix, inputs, fields, arrays)


# ---- input ----------------------------------------------------------------------------------
class QInput(QModule):
    """The image: floats in [0, 1] become unsigned `bits`-bit integers at scale 1/(2^bits - 1)."""

    def __init__(self, bits: int = 8, name: str = "image") -> None:
        super().__init__()
        self.bits = bits
        self.input_name = name

    @property
    def levels(self) -> int:
        return (1 << self.bits) - 1

    def forward(self, x: torch.Tensor) -> QTensor:
        if self.mode == "float":
            return QTensor(x)
        q = torch.clamp(round_half_up(x * self.levels), 0, self.levels)
        if self.mode == "fake":
            return QTensor(q / self.levels, torch.tensor(1.0 / self.levels, device=x.device), self.bits, False)
        t = QTensor(q.double(), 1.0 / self.levels, self.bits, False)
        tr = trace.active()
        if tr is not None:
            t.node = tr.input(self.input_name, t)
        return t


# ---- conv / dwconv --------------------------------------------------------------------------
def export_int_params(module: nn.Module, x: QTensor, device: torch.device) -> dict[str, np.ndarray]:
    """weight, bias (INT32), mult and shift (dyadic S_in S_w / S_out) of a module with
    `quant_params` and an output quantiser `act` (conv and deformable conv alike)."""
    with torch.no_grad():
        s_in = torch.tensor(float(x.scale), dtype=torch.float32, device=device)
        qw, qb, s_w = module.quant_params(s_in, x.max_abs)
        ratio = s_in.double() * s_w.double() / module.act.scale().double()
    mult, shift = dyadic_arrays(ratio.cpu().numpy())
    return {"weight": qw.cpu().numpy().astype(np.int64), "bias": qb.cpu().numpy().astype(np.int64),
            "mult": mult, "shift": shift}


class QConv(QModule):
    """k x k convolution or depthwise convolution + BN + ReLU + output quantizer.

    Exported as `conv` (weight O,k,k,C) or `dwconv` (weight C,k,k). `act` may be shared with
    other layers (common output scale, e.g. the two inputs of a ShuffleNetV2 concat).
    """

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, padding: int | None = None,
                 depthwise: bool = False, bn: bool = True, relu: bool = True, w_bits: int = 8,
                 a_bits: int = 8, act: ActQuant | None = None, bias: bool = False) -> None:
        super().__init__()
        if depthwise and cin != cout:
            raise AccelgenError(f"depthwise conv needs cin == cout, got {cin} and {cout}")
        check_bits("conv", "w_bits", w_bits)
        self.cin, self.cout, self.kernel, self.stride = cin, cout, kernel, stride
        self.padding = kernel // 2 if padding is None else padding
        self.depthwise = depthwise
        self.relu = relu
        self.w_bits = w_bits
        fan_in = kernel * kernel * (1 if depthwise else cin)
        w = torch.randn(cout, 1 if depthwise else cin, kernel, kernel) * math.sqrt(2.0 / fan_in)
        self.weight = nn.Parameter(w)
        self.bias = nn.Parameter(torch.zeros(cout)) if (bias or not bn) else None
        self.bn = nn.BatchNorm2d(cout) if bn else None
        self.act = act if act is not None else ActQuant(a_bits, signed=not relu)
        if relu and self.act.signed:
            raise AccelgenError(f"conv {cin}->{cout}: a ReLU output needs an unsigned quantizer")

    @property
    def groups(self) -> int:
        return self.cin if self.depthwise else 1

    @property
    def taps(self) -> int:
        return self.kernel * self.kernel * (1 if self.depthwise else self.cin)

    def fold(self) -> None:
        """Freeze BN statistics into weight and bias (eq. 11.5)."""
        fold_module_bn(self)

    def _conv(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, w, None, self.stride, self.padding, 1, self.groups)

    def quant_params(self, s_in: torch.Tensor, in_max: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(integer weights, integer bias, per-channel weight scale), all as float tensors.

        S_w[o] = max|W[o]| / qmax, raised where needed so the INT32 bias round(b/(S_in S_w))
        leaves room for the worst-case sum of products in a 32-bit accumulator.
        """
        if self.bn is not None:
            raise AccelgenError(f"module {self.qname}: fold batch norm before quantising (model.fold())")
        bias = self.bias if self.bias is not None else torch.zeros(self.cout, device=self.weight.device)
        products = self.taps * in_max * (1 << (self.w_bits - 1))
        budget = (1 << (ACC_BITS - 1)) - 1 - products
        if budget <= 0:
            raise AccelgenError(
                f"module {self.qname}: accumulator needs more than {ACC_BITS} bits ({self.taps} taps x "
                f"{in_max} x {1 << (self.w_bits - 1)}); lower w_bits or the input bits"
            )
        s_in = s_in.detach()
        s_w = weight_scale(self.weight, self.w_bits)
        s_w = torch.maximum(s_w, bias.detach().abs() / (s_in * budget * 0.999))
        qw = quantize_weight(self.weight, s_w, self.w_bits)
        qb = torch.clamp(round_half_up(bias.detach() / (s_in * s_w)), -budget, budget)
        qb = qb + (bias / (s_in * s_w) - (bias / (s_in * s_w)).detach())  # STE gradient to the bias
        return qw, qb, s_w

    def forward(self, x: QTensor) -> QTensor:
        if self.mode == "float":
            y = self._conv(x.x, self.weight)
            if self.bias is not None:
                y = y + self.bias.view(1, -1, 1, 1)
            if self.bn is not None:
                y = self.bn(y)
            if self.relu:
                y = F.relu(y)
            if self.act.fixed_scale is not None:  # offsets round to integers in every mode
                y, _ = self.act.fake(y)
            elif self.act.observing:
                self.act.observe(y)
            return QTensor(y)
        self.need_quant(x)
        if self.mode == "fake":
            s_in = torch.as_tensor(x.scale, dtype=x.x.dtype, device=x.x.device)
            qw, qb, s_w = self.quant_params(s_in, x.max_abs)
            y = self._conv(x.x, qw * s_w.view(-1, 1, 1, 1)) + (qb * s_in.detach() * s_w).view(1, -1, 1, 1)
            yq, s = self.act.fake(y)
            return QTensor(yq, s, self.act.bits, self.act.signed)
        return self.int_forward(x)

    def int_params(self, x: QTensor) -> dict[str, np.ndarray]:
        """The exported arrays: weight, bias (INT32), mult and shift (dyadic S_in S_w / S_out)."""
        return export_int_params(self, x, self.weight.device)

    def int_forward(self, x: QTensor) -> QTensor:
        p = self.int_params(x)
        dev = x.x.device
        acc = int_conv(x.x.double(), torch.from_numpy(p["weight"]).double().to(dev), self.stride, self.padding,
                       self.depthwise)
        acc = acc.round().long() + torch.from_numpy(p["bias"]).to(dev).view(1, -1, 1, 1)
        y = requant_int(acc, torch.from_numpy(p["mult"]).to(dev), torch.from_numpy(p["shift"]).to(dev),
                        self.act.lo, self.act.hi)
        out = QTensor(y.double(), self.act.scale_float(), self.act.bits, self.act.signed)
        w = p["weight"]
        if self.depthwise:
            op, arrays = "dwconv", {**p, "weight": w[:, 0]}
            fields = {}
        else:
            op, arrays = "conv", {**p, "weight": w.transpose(0, 2, 3, 1)}
            fields = {"out_channels": self.cout}
        fields.update(kernel=self.kernel, stride=self.stride, padding=self.padding, weight_bits=self.w_bits,
                      out_bits=self.act.bits, out_signed=self.act.signed)
        out.node = self.record(op, [x], fields, arrays)
        return out


# ---- residual add ---------------------------------------------------------------------------
class QAdd(QModule):
    """HAWQ-V3 INT32 residual add: q_y = DN(S_a/S_y) q_a + DN(S_b/S_y) q_b (eq. 11.7), one shift."""

    def __init__(self, a_bits: int = 8, relu: bool = False, act: ActQuant | None = None) -> None:
        super().__init__()
        self.relu = relu
        self.act = act if act is not None else ActQuant(a_bits, signed=not relu)

    def forward(self, a: QTensor, b: QTensor) -> QTensor:
        if self.mode == "float":
            y = a.x + b.x
            if self.relu:
                y = F.relu(y)
            if self.act.observing:
                self.act.observe(y)
            return QTensor(y)
        self.need_quant(a, b)
        if self.mode == "fake":
            yq, s = self.act.fake(a.x + b.x)
            return QTensor(yq, s, self.act.bits, self.act.signed)
        ma, mb, shift = self.int_params(a, b)
        acc = a.x.long() * ma + b.x.long() * mb
        r = (1 << (shift - 1)) if shift > 0 else 0
        y = torch.clamp(torch.bitwise_right_shift(acc + r, shift), self.act.lo, self.act.hi)
        out = QTensor(y.double(), self.act.scale_float(), self.act.bits, self.act.signed)
        out.node = self.record("add", [a, b], {"mult": [ma, mb], "shift": shift, "out_bits": self.act.bits,
                                               "out_signed": self.act.signed})
        return out

    def int_params(self, a: QTensor, b: QTensor) -> tuple[int, int, int]:
        s_y = float(self.act.scale().double())
        return dyadic_pair(float(a.scale) / s_y, float(b.scale) / s_y)


# ---- concat ---------------------------------------------------------------------------------
class QConcat(QModule):
    """Channel concat. Inputs already at one scale and type pass as they are; otherwise each
    input is first requantised to the concat's own quantizer (HAWQ-V3's concat), exported as a
    1x1 depthwise conv with weight 1 and a dyadic multiplier."""

    def __init__(self, act: ActQuant | None = None) -> None:
        super().__init__()
        self.act = act

    def _common(self, xs: list[QTensor]) -> bool:
        first = xs[0]
        return all(_f(x.scale) == _f(first.scale) and (x.bits, x.signed) == (first.bits, first.signed)
                   for x in xs[1:])

    def forward(self, xs: list[QTensor]) -> QTensor:
        if self.mode == "float":
            y = torch.cat([x.x for x in xs], dim=1)
            if self.act is not None and self.act.observing:
                self.act.observe(y)
            return QTensor(y)
        self.need_quant(*xs)
        if self.act is None:
            if not self._common(xs):
                raise AccelgenError(
                    f"module {self.qname}: concat inputs have different scales or types; give the "
                    "QConcat an ActQuant (requantise to a common scale) or share one quantizer"
                )
            first = xs[0]
            y = torch.cat([x.x for x in xs], dim=1)
            out = QTensor(y, first.scale, first.bits, first.signed)
            out.node = self.record("concat", xs, {})
            return out
        act = self.act
        if self.mode == "fake":
            y, s = act.fake(torch.cat([x.x for x in xs], dim=1))
            return QTensor(y, s, act.bits, act.signed)
        s_out = act.scale_float()
        parts = []
        for i, x in enumerate(xs):
            if _f(x.scale) == s_out and (x.bits, x.signed) == (act.bits, act.signed):
                parts.append(x)
                continue
            c = x.x.shape[1]
            m, sh = dyadic(float(x.scale) / s_out)
            mult, shift = torch.full((c,), m, dtype=torch.long), torch.full((c,), sh, dtype=torch.long)
            y = requant_int(x.x.long(), mult.to(x.x.device), shift.to(x.x.device), act.lo, act.hi)
            t = QTensor(y.double(), s_out, act.bits, act.signed)
            t.node = self.record(
                "dwconv", [x],
                {"kernel": 1, "weight_bits": 2, "out_bits": act.bits, "out_signed": act.signed},
                {"weight": np.ones((c, 1, 1), np.int64), "bias": np.zeros(c, np.int64),
                 "mult": mult.numpy(), "shift": shift.numpy()},
                suffix=f"_rq{i}",
            )
            parts.append(t)
        out = QTensor(torch.cat([p.x for p in parts], dim=1), s_out, act.bits, act.signed)
        out.node = self.record("concat", parts, {})
        return out


# ---- data movement --------------------------------------------------------------------------
class _Move(QModule):
    """Ops that keep their input's scale and type."""

    op = ""

    def fields(self) -> dict:
        raise NotImplementedError

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, x: QTensor) -> QTensor:
        out = x.like(self.apply(x.x))
        if self.mode == "int":
            out.node = self.record(self.op, [x], self.fields())
        return out


class QSlice(_Move):
    op = "slice"

    def __init__(self, start: int, stop: int) -> None:
        super().__init__()
        self.start, self.stop = start, stop

    def fields(self) -> dict:
        return {"start": self.start, "stop": self.stop}

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, self.start:self.stop]


class QShuffle(_Move):
    op = "shuffle"

    def __init__(self, groups: int = 2) -> None:
        super().__init__()
        self.groups = groups

    def fields(self) -> dict:
        return {"groups": self.groups}

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        return x.view(n, self.groups, c // self.groups, h, w).transpose(1, 2).reshape(n, c, h, w)


class QUpsample(_Move):
    op = "upsample"

    def __init__(self, factor: int = 2) -> None:
        super().__init__()
        self.factor = factor

    def fields(self) -> dict:
        return {"factor": self.factor}

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return x.repeat_interleave(self.factor, dim=2).repeat_interleave(self.factor, dim=3)


class QMaxPool(_Move):
    op = "maxpool"

    def __init__(self, kernel: int = 3, stride: int = 2, padding: int = 1) -> None:
        super().__init__()
        self.kernel, self.stride, self.padding = kernel, stride, padding

    def fields(self) -> dict:
        return {"kernel": self.kernel, "stride": self.stride, "padding": self.padding}

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return F.max_pool2d(x, self.kernel, self.stride, self.padding)


# ---- whole models ---------------------------------------------------------------------------
def quant_modules(model: nn.Module) -> list[QModule]:
    return [m for m in model.modules() if isinstance(m, QModule)]


def act_quants(model: nn.Module) -> list[ActQuant]:
    return [m for m in model.modules() if isinstance(m, ActQuant)]


def assign_names(model: nn.Module) -> None:
    for name, m in model.named_modules():
        if isinstance(m, (QModule, ActQuant)):
            m.qname = trace.sanitize(name) if name else type(m).__name__.lower()


def set_mode(model: nn.Module, mode: str) -> None:
    if mode not in MODES:
        raise AccelgenError(f"mode '{mode}' is not one of {', '.join(MODES)}")
    assign_names(model)
    for m in quant_modules(model):
        m.mode = mode


def fold(model: nn.Module) -> None:
    """Fold every BN into its conv (after training with BN; HAWQ-V3's freeze-then-fold)."""
    for m in model.modules():
        if hasattr(m, "fold") and isinstance(m, QModule):
            m.fold()


def set_bits(model: nn.Module, w_bits: int, a_bits: int, first_w_bits: int | None = 8) -> None:
    """Uniform precision: every conv's weights to `w_bits` (the first conv to `first_w_bits`),
    every calibrated activation quantizer to `a_bits` (fixed-scale offset quantizers keep theirs)."""
    check_bits("set_bits", "w_bits", w_bits)
    check_bits("set_bits", "a_bits", a_bits)
    convs = [m for m in model.modules() if isinstance(m, QConv) or hasattr(m, "dw_weight")]
    for i, m in enumerate(convs):
        is_offset = isinstance(m, QConv) and m.act.fixed_scale is not None
        m.w_bits = first_w_bits if (i == 0 and first_w_bits) else (8 if is_offset else w_bits)
    for a in act_quants(model):
        if a.fixed_scale is None:
            a.set_bits(a_bits)


def weight_qmax_of(bits: int) -> int:  # re-export for tests
    return weight_qmax(bits)
