"""Board YAML files: datasheet figures and error handling."""

from __future__ import annotations

import pytest

from generator.boards import board_names, load_board
from generator.errors import BoardError


def test_all_boards_present():
    assert board_names() == ["ultra96", "ultra96v1", "zcu102", "zcu104"]


@pytest.mark.parametrize("name,part,dsp,bram18,lut", [
    ("ultra96", "xczu3eg-sbva484-1-i", 360, 432, 70560),
    ("ultra96v1", "xczu3eg-sbva484-1-e", 360, 432, 70560),
    ("zcu104", "xczu7ev-ffvc1156-2-e", 1728, 624, 230400),
    ("zcu102", "xczu9eg-ffvb1156-2-e", 2520, 1824, 274080),
])
def test_datasheet_figures(name, part, dsp, bram18, lut):
    b = load_board(name)
    assert (b.part, b.resources.dsp, b.resources.bram18, b.resources.lut) == (part, dsp, bram18, lut)
    assert b.resources.ff == 2 * lut


def test_ultra96_ddr_bandwidth():
    assert load_board("ultra96").ddr.bytes_per_s == pytest.approx(4.264e9)


def test_unknown_board():
    with pytest.raises(BoardError, match="board 'pynqz9': unknown .*ultra96"):
        load_board("pynqz9")


def test_bad_board_file(tmp_path):
    text = (load_board.__globals__["BOARDS_DIR"] / "ultra96.yaml").read_text()
    p = tmp_path / "ultra96.yaml"
    p.write_text(text.replace("dsp: 360", "dsp: lots"))
    with pytest.raises(BoardError, match="board ultra96: resources: field 'dsp' must be an integer"):
        load_board(str(p))
    p.write_text(text.replace("peak_gbps: 4.264", "peak_gbps: 9.0"))
    with pytest.raises(BoardError, match="disagrees with width_bits x mts"):
        load_board(str(p))
