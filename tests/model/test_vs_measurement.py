"""Every estimate against its measurement (yosys synth.json, RTL-sim rtlsim.json).

Tolerances are committed in generator/cost/measurements/tolerances.json: DSP exact, LUT/FF/BRAM18
within 10 %, cycles within 5 % per pass. Skips, saying why, while no measurement is committed.
"""

from __future__ import annotations

import pytest

from generator.cost import load_calibration
from generator.cost.compare import compare
from generator.cost.measured import MEASUREMENTS_DIR, load_measurements

MEAS = load_measurements()
ROWS = compare(MEAS, load_calibration()) if not MEAS.empty else []

if MEAS.empty:
    pytest.skip(
        f"no measurement files under {MEASUREMENTS_DIR.relative_to(MEASUREMENTS_DIR.parents[2])}/ "
        "(synth*.json from yosys, rtlsim*.json from RTL simulation): the model is uncalibrated "
        "(thesis coefficients) and unchecked",
        allow_module_level=True,
    )


# Known gaps, each an open item of the resource-model issue (docs/model.md, "Known gaps"): the RTL
# depthwise kernels (ag_dw: dwconv, deform) multiply the whole window at once and do not pack two
# MACs per DSP, while the model prices the packed array the planner may choose, so their DSP rows
# (and the DSP of an engine that contains them) stay visible xfails with their error, never a pass.
# The same kernel also replicates its line buffer once per window column (three read ports) and
# pads each row slot to a power of two, which the model does not count (it would price CoDeNet out
# of the Ultra96's block RAM): their BRAM18 rows, and FF where the replicas' LUTRAM read
# registers make one fitted scale miss some configurations, are xfails too.
# The folded `tiny`'s pw2 reads a channel slice (8 of 16) through the view reader: it streams some
# 12 cycles slower than `max(compute, stream)` after the load says (the old one-element RTL: 215
# vs 203, -5.6 %; now 159 vs 147, -7.5 %); the rtlsim_tiny.json measured before folding had no
# view pass, so this gap of view-reading passes is first visible here (docs/model.md, known gaps).
KNOWN_GAPS = (("kernel dwconv", ("dsp", "bram18", "ff")), ("kernel deform", ("dsp", "bram18", "ff")),
              ("engine", ("dsp", "bram18")), ("pass pw2 (pwconv)", ("cycles",)))


def known_gap(row) -> bool:
    return any(key in row.item and row.figure in figs for key, figs in KNOWN_GAPS)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.source}:{r.item}:{r.figure}" for r in ROWS])
def test_model_matches_measurement(row):
    msg = (f"{row.item} {row.figure}: model {row.model:.0f} vs measured {row.measured:.0f} "
           f"({100 * row.error:+.1f} %, tolerance {100 * row.tolerance:.0f} %)")
    if not row.ok and known_gap(row):
        pytest.xfail(f"known model gap: {msg}")
    assert row.ok, msg


def test_calibration_names_its_measurements():
    cal = load_calibration()
    assert cal.calibrated, "measurements are committed: run `make calibrate` and commit calibration.json"
    assert {f["path"] for f in cal.fitted_from} == {f["path"] for f in MEAS.files}
