"""A vector of FPGA resources: DSP slices, LUTs, flip-flops and 18 Kb block RAMs."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

RESOURCE_KEYS = ("dsp", "lut", "ff", "bram18")


@dataclass(frozen=True)
class Resources:
    dsp: int = 0
    lut: int = 0
    ff: int = 0
    bram18: int = 0

    def __add__(self, other: Resources) -> Resources:
        return Resources(*(getattr(self, k) + getattr(other, k) for k in RESOURCE_KEYS))

    def scaled(self, factor: float) -> Resources:
        """Every entry times `factor`, rounded up (used for replicated blocks)."""
        return Resources(*(math.ceil(getattr(self, k) * factor) for k in RESOURCE_KEYS))

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    @staticmethod
    def total(items: list[Resources]) -> Resources:
        out = Resources()
        for r in items:
            out = out + r
        return out
