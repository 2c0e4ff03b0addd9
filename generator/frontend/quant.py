"""Symmetric uniform quantizers (HAWQ-V3): per-channel weights, per-tensor activations, STE.

Rounding everywhere is round-half-up, floor(x + 0.5), the rounding of the golden model's
requantisation ((acc*mult + 2^(shift-1)) >> shift), so fake-quant and integer forwards differ
only by the dyadic approximation of each rescale factor (see docs/frontend.md, "error bounds").
"""

from __future__ import annotations

import math

import torch
from torch import nn

from generator.errors import AccelgenError
from generator.ir.tensor import int_range

MIN_BITS, MAX_BITS = 2, 8  # weights and activations the front end quantises
SUBSAMPLE = 1 << 18  # values per calibration batch the percentile is taken over


def round_half_up(x: torch.Tensor) -> torch.Tensor:
    return torch.floor(x + 0.5)


def round_ste(x: torch.Tensor) -> torch.Tensor:
    """Round-half-up forward, identity gradient (straight-through estimator)."""
    return x + (round_half_up(x) - x).detach()


def check_bits(where: str, field: str, bits: int) -> None:
    if not MIN_BITS <= bits <= MAX_BITS:
        raise AccelgenError(f"{where}: {field} = {bits} is outside {MIN_BITS}..{MAX_BITS}")


def weight_qmax(bits: int) -> int:
    """Symmetric restricted range [-qmax, qmax] of `bits`-bit weights (qmax = 2^(b-1) - 1)."""
    return (1 << (bits - 1)) - 1


def weight_scale(w: torch.Tensor, bits: int) -> torch.Tensor:
    """Per-output-channel scale max|W[o]| / qmax (dim 0 is the output channel); never zero."""
    amax = w.detach().abs().flatten(1).amax(dim=1)
    return torch.clamp(amax, min=1e-8) / weight_qmax(bits)


def quantize_weight(w: torch.Tensor, scale: torch.Tensor, bits: int) -> torch.Tensor:
    """Integer weights (as floats) round(W / S) clamped to [-qmax, qmax]; STE in the backward."""
    q = weight_qmax(bits)
    s = scale.view(-1, *([1] * (w.dim() - 1)))
    return torch.clamp(round_ste(w / s), -q, q)


class ActQuant(nn.Module):
    """Per-tensor activation quantizer: q = clamp(floor(x / S + 0.5), lo, hi), S = alpha / qmax.

    The range `alpha` is calibrated (percentile of |x| over calibration batches, see
    `observe`) and optionally learned afterwards (`learn()`: alpha becomes a parameter trained
    through the STE, as LSQ/PACT). A quantizer with `fixed_scale` never calibrates: CoDeNet's
    deformable offsets use scale 1 so they round to integer distances in [0, 2^bits - 1].
    One instance may be shared by several layers: their outputs then have one scale, which is
    how concat inputs are brought to a common scale without an extra requantisation.
    """

    def __init__(self, bits: int = 8, signed: bool = False, fixed_scale: float | None = None,
                 percentile: float = 99.99) -> None:
        super().__init__()
        check_bits("activation quantizer", "bits", bits)
        self.bits = bits
        self.signed = signed
        self.fixed_scale = fixed_scale
        self.percentile = percentile
        self.lo, self.hi = int_range(bits, signed)
        self.register_buffer("alpha", torch.tensor(0.0))
        self.register_buffer("n_obs", torch.tensor(0))
        self.alpha_param: nn.Parameter | None = None
        self.observing = False

    @property
    def qmax(self) -> int:
        return self.hi

    def set_bits(self, bits: int) -> None:
        check_bits("activation quantizer", "bits", bits)
        self.bits = bits
        self.lo, self.hi = int_range(bits, self.signed)

    def scale(self) -> torch.Tensor:
        if self.fixed_scale is not None:
            return torch.tensor(float(self.fixed_scale))
        alpha = self.alpha_param if self.alpha_param is not None else self.alpha
        if self.alpha_param is None and float(self.alpha) <= 0:
            raise AccelgenError(
                f"activation quantizer {getattr(self, 'qname', '?')}: range not calibrated; "
                "run calibration before quantised forward or export"
            )
        return torch.clamp(alpha.abs(), min=1e-6) / self.qmax

    def scale_float(self) -> float:
        return float(self.scale().detach().double())

    def observe(self, x: torch.Tensor) -> None:
        """Running mean of per-batch percentiles of |x| (a subsample of at most 2^18 values)."""
        if self.fixed_scale is not None:
            return
        v = x.detach().abs().flatten().float()
        if v.numel() > SUBSAMPLE:
            idx = torch.randint(0, v.numel(), (SUBSAMPLE,), generator=torch.Generator().manual_seed(0))
            v = v[idx.to(v.device)]
        if v.numel():
            k = min(v.numel(), max(1, math.ceil(self.percentile / 100.0 * v.numel())))
            a = v.kthvalue(k).values
        else:
            a = torch.tensor(0.0)
        a = torch.clamp(a, min=1e-4).to(self.alpha.device)
        n = int(self.n_obs)
        self.alpha.copy_((self.alpha * n + a) / (n + 1))
        self.n_obs += 1

    def learn(self) -> None:
        """Make alpha a trainable parameter (learned range), starting at the calibrated value."""
        if self.fixed_scale is None and self.alpha_param is None:
            self.alpha_param = nn.Parameter(self.alpha.detach().clone())

    def freeze(self) -> None:
        """Copy a learned alpha back into the buffer (for checkpoints and export)."""
        if self.alpha_param is not None:
            with torch.no_grad():
                self.alpha.copy_(self.alpha_param.detach().abs())
            self.alpha_param = None

    def fake(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(S * q, S): fake-quantised x and its scale; gradients by STE (LSQ form for alpha)."""
        s = self.scale().to(x.device, x.dtype)
        q = torch.clamp(round_ste(x / s), self.lo, self.hi)
        return q * s, s

    def extra_repr(self) -> str:
        kind = f"fixed_scale={self.fixed_scale}" if self.fixed_scale is not None else f"alpha={float(self.alpha):.4g}"
        return f"bits={self.bits}, signed={self.signed}, {kind}"


def dyadic_pair(ra: float, rb: float, mult_bits: int = 15) -> tuple[int, int, int]:
    """(ma, mb, shift): two ratios with one shift, the larger multiplier keeping `mult_bits` bits.

    Used by the INT32 residual add, y = (a*ma + b*mb + r) >> shift (thesis eq. 11.7).
    """
    from generator.dyadic import dyadic

    big = max(ra, rb)
    _, shift = dyadic(big, mult_bits)
    ma, mb = (max(0, min(round(r * 2.0**shift), (1 << 31) - 1)) for r in (ra, rb))
    return ma, mb, shift


def requant_ratio_error(ratio: float, mult: int, shift: int) -> float:
    """Relative error |mult/2^shift - ratio| / ratio of a dyadic approximation."""
    return abs(mult / 2.0**shift - ratio) / ratio if ratio > 0 else math.inf
