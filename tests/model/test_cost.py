"""Shared estimate primitives: BRAM18 aspect ratios, LUT tables, calibration file."""

from __future__ import annotations

import json

import pytest

from generator.cost import Resources, load_calibration
from generator.cost.arith import adder_tree, lut_adder, lut_mult
from generator.cost.memory import bram18, bram18_thesis, fifo, lutram_luts, ram_style, storage
from generator.errors import AccelgenError

CAL = load_calibration()


@pytest.mark.parametrize("width, depth, blocks", [
    (1, 16384, 1), (2, 8192, 1), (4, 4096, 1), (9, 2048, 1), (18, 1024, 1), (36, 512, 1),
    (36, 513, 2), (37, 512, 2), (72, 512, 2), (8, 4096, 2), (8, 2048, 1), (64, 1024, 4),
    (1, 16385, 2), (0, 100, 0), (8, 0, 0),
])
def test_bram18_aspect_ratios(width, depth, blocks):
    assert bram18(width, depth) == blocks


def test_bram18_never_below_capacity():
    for width in (1, 3, 8, 17, 36, 64, 100, 256):
        for depth in (1, 100, 511, 512, 1000, 4096, 20000):
            assert bram18(width, depth) >= -(-width * depth // (18 * 1024))


def test_thesis_weight_buffer_formula():
    # HAO eq. 13.2: ceil(N_w * Q_w / PF / 18Kb) * PF
    assert bram18_thesis(100_000, 4, 1) == 22
    assert bram18_thesis(100_000, 4, 16) == 32
    assert bram18_thesis(0, 4, 16) == 0


def test_storage_shallow_goes_to_lutram():
    # RAM32M16: 14 bits x 32 words in 8 LUT sites; a registered read port
    assert storage(70, 8, CAL) == Resources(lut=40, ff=70)
    assert storage(7, 64, CAL, lanes=4) == Resources(lut=32, ff=28)  # RAM64M8: 7 bits x 64
    assert storage(70, 1000, CAL).bram18 == bram18(70, 1000)
    assert storage(0, 10, CAL) == Resources()
    assert ram_style(CAL.lutram_max_depth, CAL) == "distributed"
    assert ram_style(CAL.lutram_max_depth + 1, CAL) == "block"
    # ag_fifo is show-ahead (asynchronous read), so always LUTRAM plus pointers
    assert fifo(64, 2, CAL).bram18 == 0 and fifo(64, 16, CAL).lut == lutram_luts(64, 16) + 16
    assert fifo(64, 1024, CAL).bram18 == 0


def test_adder_and_multiplier_luts():
    assert lut_adder(16, CAL) == 23  # L_A(Qp) = Qp + 7
    for qw in range(2, 8):
        for qa in range(2, 8):
            assert lut_mult(qw + 1, qa, CAL) >= lut_mult(qw, qa, CAL)
            assert lut_mult(qw, qa + 1, CAL) >= lut_mult(qw, qa, CAL)
    assert lut_mult(16, 8, CAL) >= 2 * lut_mult(8, 8, CAL) - 1  # beyond the table: grows with width
    luts, ffs = adder_tree(1, 12, CAL)
    assert (luts, ffs) == (0, 0)
    luts, _ = adder_tree(4, 12, CAL)  # 2 adds of 13 bits + 1 of 14
    assert luts == 2 * lut_adder(13, CAL) + lut_adder(14, CAL)


def test_calibration_file_is_honest():
    assert CAL.status in ("calibrated", "uncalibrated (thesis coefficients)")
    if not CAL.calibrated:
        assert CAL.fit == {} and CAL.fitted_from == ()
    assert CAL.adjust("lut", "nope", 10.0) == 10.0


def test_calibration_rejects_unknown_keys(tmp_path):
    data = CAL.to_json()
    data["surprise"] = 1
    p = tmp_path / "c.json"
    p.write_text(json.dumps(data))
    with pytest.raises(AccelgenError, match="unknown key 'surprise'"):
        load_calibration(p)
    del data["surprise"]
    p.write_text(json.dumps(data))
    assert load_calibration(p) == CAL
