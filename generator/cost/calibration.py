"""Calibration coefficients of the resource and latency model (generator/cost/calibration.json).

The committed file starts from the thesis numbers (`calibrated: false`); `make calibrate`
(generator/cost/calibrate.py) refits the `fit` section from yosys / RTL-sim measurements and sets
`calibrated: true`. `fit[resource][kind] = [a, b]` maps a raw estimate x to a*x + b (resources:
lut, ff; latency: cycles); kinds without an entry use [1, 0].
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import AccelgenError

CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration.json"
FORMAT = "accelgen-calibration/1"


@dataclass(frozen=True)
class Calibration:
    calibrated: bool
    source: str
    fitted_from: tuple[dict[str, Any], ...]
    lut_mult: dict[str, list[int]]  # L_M table: row Qw, column Qa = 2..8
    lut_adder_const: int  # L_A(Qp) = Qp + const
    acc_bits: int
    # ag_quant per lane, by its widths (generator/cost/quant_fit.py): "lut", "ff": [c0, per acc bit,
    # per mult bit] fitted to the yosys runs kept beside them in "measured"; DSP: arith.dsp48e2_tiles
    quant_lane: dict[str, Any]
    lut_per_clamp: int  # ag_clamp: shift and clamp of a 64-bit sum to an activation (add lanes)
    dsp_per_add_lane: int  # two 10 x 32-bit products, two DSP48E2 each
    ff_per_adder_bit: float
    lut_per_mux_bit: float  # per input of a wide multiplexer, per bit
    lut_per_view_bit: float  # ag_view: per output lane bit, its channel-window select and map logic (yosys)
    lut_per_weight_lane: float  # ag_wlanemem: per weight lane memory, its write enable from the run's lane window
    lutram_max_depth: int  # memories this shallow go to LUTRAM, not BRAM (memory.ram_style; the RTL follows it)
    control: dict[str, dict[str, int]]  # per kernel kind: lut, ff of its control
    shell: dict[str, int]  # DMA, interconnect, register file: dsp, lut, ff, bram18
    fill_cycles: dict[str, int]  # per kernel kind: pipeline drain, last issue to ap_done (RTL sim)
    pass_overhead_cycles: int  # passes with weights: pass FSM + the weight loader's first-word latencies
    ddr_efficiency: float  # achieved / peak DDR bandwidth
    host_pass_us: float  # host time to program and launch one pass (uncalibrated)
    arm_step_us: float  # fixed cost of one ARM step (uncalibrated)
    arm_ns_per_element: float  # ARM data-movement cost per output element (uncalibrated)
    fit: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def adjust(self, what: str, kind: str, raw: float) -> float:
        a, b = self.fit.get(what, {}).get(kind, (1.0, 0.0))
        return a * raw + b

    @property
    def status(self) -> str:
        return "calibrated" if self.calibrated else "uncalibrated (thesis coefficients)"

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict

        d = {"format": FORMAT, **asdict(self)}
        d["fitted_from"] = list(self.fitted_from)
        return d


def load_calibration(path: Path | str = CALIBRATION_FILE) -> Calibration:
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise AccelgenError(f"calibration file {path}: unreadable ({e})") from None
    if data.pop("format", None) != FORMAT:
        raise AccelgenError(f"calibration file {path}: format must be '{FORMAT}'")
    known = set(Calibration.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    missing = sorted(k for k in known - set(data) if k != "fit")
    if unknown or missing:
        what = f"unknown key '{unknown[0]}'" if unknown else f"missing key '{missing[0]}'"
        raise AccelgenError(f"calibration file {path}: {what}")
    data["fitted_from"] = tuple(data["fitted_from"])
    return Calibration(**data)
