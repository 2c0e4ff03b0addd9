"""Model versus measurement: one row per measured figure, with the committed tolerance."""

from __future__ import annotations

from dataclasses import dataclass

from generator.cost.calibration import Calibration
from generator.cost.measured import Measurements, RtlPass, load_tolerances
from generator.cost.resources import RESOURCE_KEYS
from generator.hw.kernels import Bus, engine_resources, kernel_resources, pass_cycles


@dataclass(frozen=True)
class Row:
    source: str
    item: str  # "kernel pwconv", "engine", "pass pw1 (pwconv)"
    figure: str  # dsp, lut, ff, bram18, cycles
    model: float
    measured: float
    tolerance: float

    @property
    def error(self) -> float:
        """Relative error of the model (0 when both are 0)."""
        if self.measured == 0:
            return 0.0 if self.model == 0 else float("inf")
        return (self.model - self.measured) / self.measured

    @property
    def ok(self) -> bool:
        if self.tolerance == 0:
            return self.model == self.measured
        return abs(self.error) <= self.tolerance


def predict_pass(p: RtlPass, cal: Calibration) -> int:
    bus = Bus(p.engine.act_bits, p.engine.w_bits, p.bytes_per_cycle)
    return pass_cycles(p.spec, p.regs, bus, cal).total


def compare(meas: Measurements, cal: Calibration, tolerances: dict[str, float] | None = None) -> list[Row]:
    tol = tolerances or load_tolerances()
    rows = []
    for k in meas.kernels:
        model = kernel_resources(k.spec, cal)
        rows += [Row(k.source, f"kernel {k.spec.kind}", r, getattr(model, r), getattr(k.measured, r), tol[r])
                 for r in RESOURCE_KEYS]
    for t in meas.totals:
        model = engine_resources(t.engine, cal)
        # like with like: yosys' accel_top (kernels + top glue), the DMA/interconnect shell excluded
        rows += [Row(t.source, "engine", r, getattr(model, r), getattr(t.measured, r), tol[r]) for r in RESOURCE_KEYS]
    for p in meas.passes:
        rows.append(Row(p.source, f"pass {p.layer} ({p.spec.kind})", "cycles", predict_pass(p, cal), p.cycles,
                        tol["cycles"]))
    return rows

__all__ = ["Row", "compare", "engine_resources", "predict_pass"]
