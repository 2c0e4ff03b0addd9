"""Accelerator on the sim device (emulator): bit-exact frames, batches, and every safety check."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest
from host_nets import tiny_signature  # noqa: E402

from generator.hw.engine import build_engine
from generator.reference import random_inputs, run_golden
from host import Accelerator, SimDevice, load_project
from host.errors import DeviceError, InputError, PassTimeout, ProjectError, SignatureError

SIG = tiny_signature()


def test_tiny_bit_exact(tiny_dir, tiny_net):
    acc = Accelerator(tiny_dir, "sim", fast=True)
    for seed in range(3):
        x = random_inputs(tiny_net, seed)
        out = acc.run(x)
        ref = run_golden(tiny_net, x)
        assert set(out) == {"head", "pool1"}
        for k in out:
            np.testing.assert_array_equal(out[k], ref[k])
    t = acc.timing_per_frame()
    assert acc.frames == 3 and t["engine"] > 0 and t["host_overhead"] > 0


def test_codenet_like_bit_exact_and_batch_overlap(codenet_dir, codenet_net):
    acc = Accelerator(codenet_dir, "sim", fast=True)
    frames = [random_inputs(codenet_net, s) for s in range(6)]
    outs = acc.run_batch(frames)
    seq = acc.run_batch(frames, overlap=False)
    for x, o, o2 in zip(frames, outs, seq):
        ref = run_golden(codenet_net, x)
        for k in codenet_net.outputs:
            np.testing.assert_array_equal(o[k], ref[k])
            np.testing.assert_array_equal(o2[k], ref[k])
    assert len(acc._slots) == 2  # two buffer sets: two frames in flight


def test_postprocess_and_batch_dim(tiny_dir, tiny_net):
    acc = Accelerator(tiny_dir, "sim", fast=True, postprocess=lambda o: int(o["head"].astype(np.int64).sum()))
    x = random_inputs(tiny_net, 1)
    got = acc.run({"image": x["image"][None]})
    assert got == int(run_golden(tiny_net, x)["head"].sum())


@pytest.mark.parametrize("inputs,match", [
    ({}, r"input image: missing \(expected \[16, 16, 3\] unsigned 8-bit range \[0, 255\]\)"),
    ({"image": np.zeros((16, 16, 3), np.uint8), "extra": np.zeros(1)}, r"input 'extra': not an input of tiny \(inputs: image\)"),
    ({"image": np.zeros((16, 16, 3), np.float32)}, "input image: dtype float32, must be integer"),
    ({"image": np.zeros((16, 15, 3), np.uint8)}, r"input image: shape \[16, 15, 3\], expected \[16, 16, 3\] \(H, W, C\)"),
    ({"image": np.full((16, 16, 3), 256)}, r"input image: value 256 is outside the unsigned 8-bit range \[0, 255\]"),
    ({"image": np.full((16, 16, 3), -1)}, "input image: value -1 is outside"),
])
def test_input_errors_are_one_line(tiny_dir, inputs, match):
    acc = Accelerator(tiny_dir, "sim", fast=True)
    with pytest.raises(InputError, match=match) as e:
        acc.run(inputs)
    assert "\n" not in str(e.value)


def test_signature_mismatch_refused_on_sim(tiny_dir, tiny_net):
    other = build_engine(tiny_net, "zcu104", 200.0).to_json()
    with pytest.raises(SignatureError, match=f"design signature register reads .* the host files say {SIG}"):
        Accelerator(tiny_dir, SimDevice(fast=True, engine=other))


def test_timeout_names_layer(tiny_dir, tiny_net):
    acc = Accelerator(tiny_dir, SimDevice(fast=True, hang=("df1",)), timeout_s=0.01, command_list=False)
    with pytest.raises(PassTimeout, match="^layer df1: engine did not signal ap_done within 0.01 s"):
        acc.run(random_inputs(tiny_net, 0))


def test_timeout_names_command_list(tiny_dir, tiny_net):
    """A hung command list names the layers the list runs (first..last)."""
    acc = Accelerator(tiny_dir, "sim", fast=True, timeout_s=0.01)
    label = next(s.label for s in acc.segments if s.engine and len(s.steps) > 1)
    acc.device.hang.add(label)
    with pytest.raises(PassTimeout, match=rf"^layer {re.escape(label)}: engine did not signal ap_done within 0.01 s"):
        acc.run(random_inputs(tiny_net, 0))


def test_weights_pointer_must_point_at_weight_buffer(tiny_dir, tiny_net):
    acc = Accelerator(tiny_dir, "sim", fast=True)
    acc.device.write_reg(acc.project.regmap.offsets["weights"], 0x1234)
    with pytest.raises(DeviceError, match=r"layer c1\.\.shuf1 \(9 passes\): weights register holds 0x1234, which is no buffer"):
        acc.run(random_inputs(tiny_net, 0))


def test_csim_missing_is_a_clear_error(tiny_dir):
    with pytest.raises(DeviceError, match="no libaccel.so under .* or use the numpy emulator: --fast"):
        Accelerator(tiny_dir, "sim")


def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


def _edit_schedule(d, fn):
    p = d / "host" / "schedule.json"
    doc = json.loads(p.read_text())
    fn(doc)
    p.write_text(json.dumps(doc))


def _edit_engine(d, fn):
    p = d / "host" / "engine.json"
    doc = json.loads(p.read_text())
    fn(doc)
    p.write_text(json.dumps(doc))


def test_project_checks(tmp_path, tiny_dir):
    with pytest.raises(ProjectError, match="is not a directory"):
        load_project(tmp_path / "nope")
    d = _copy(tiny_dir, tmp_path / "a")
    (d / "host" / "regmap.json").unlink()
    with pytest.raises(ProjectError, match="regmap.json is missing"):
        load_project(d)
    d = _copy(tiny_dir, tmp_path / "b")
    (d / "host" / "weights.bin").write_bytes(b"\0" * 16)
    with pytest.raises(ProjectError, match="weights.bin: 16 bytes, schedule.json says 285 words"):
        load_project(d)
    d = _copy(tiny_dir, tmp_path / "c")
    _edit_schedule(d, lambda s: s.update(signature=1))
    with pytest.raises(SignatureError, match=f"engine.json says signature {SIG} but schedule.json says 00000001"):
        load_project(d)
    d = _copy(tiny_dir, tmp_path / "c2")
    _edit_engine(d, lambda e: e.update(clock_mhz=123.0))
    with pytest.raises(SignatureError, match=f"engine.json hashes to [0-9a-f]{{8}} but schedule.json says {SIG}"):
        load_project(d)
    d = _copy(tiny_dir, tmp_path / "d")
    _edit_schedule(d, lambda s: s["steps"][1]["regs"].update(out_c=99))
    with pytest.raises(ProjectError, match=r"layer pw1: registers out_h/out_w/out_c 8x8x99 do not match output 'pw1'"):
        Accelerator(d, "sim", fast=True)
    d = _copy(tiny_dir, tmp_path / "e")
    _edit_schedule(d, lambda s: s["steps"][1]["regs"].update(w_offset=280))
    with pytest.raises(ProjectError, match=r"layer pw1: weights at word 280 \+ 16 run past weights.bin \(285 words\)"):
        Accelerator(d, "sim", fast=True)
    d = _copy(tiny_dir, tmp_path / "f")
    _edit_schedule(d, lambda s: next(t for t in s["steps"] if t["layer"] == "pool1")["fields"].pop("kernel"))
    with pytest.raises(ProjectError, match="layer pool1: ARM op 'maxpool' needs integer field 'kernel'"):
        load_project(d)
    d = _copy(tiny_dir, tmp_path / "g")
    _edit_schedule(d, lambda s: s.update(format="accelgen-schedule/0"))
    with pytest.raises(ProjectError, match="format must be 'accelgen-schedule/1'"):
        load_project(d)
