"""The accelgen CLI through subprocess: outputs, exit codes, one-line errors, nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from generator import __version__
from generator.fileio import read_npz
from generator.reference import random_inputs, run_golden
from generator.zoo import tiny


def accelgen(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=cwd)


def assert_user_error(r: subprocess.CompletedProcess, match: str) -> None:
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("accelgen: error: "), r.stderr
    assert match in r.stderr, r.stderr


def test_version():
    r = accelgen("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"accelgen {__version__}"


def test_info_table_and_json():
    r = accelgen("info", "tiny")
    assert r.returncode == 0 and "deform_dwconv" in r.stdout and "tiny:" in r.stdout
    r = accelgen("info", "tiny", "--json")
    doc = json.loads(r.stdout)
    assert set(doc["totals"]) == {"macs", "params", "weight_bytes"}
    c1 = doc["layers"][0]
    assert (c1["name"], c1["macs"], c1["params"]) == ("c1", 8 * 8 * 8 * 27, 8 * 27 + 8)
    assert doc["totals"]["macs"] == sum(ly["macs"] for ly in doc["layers"])


def test_zoo_validate_golden_roundtrip(tmp_path):
    assert "tiny" in accelgen("zoo").stdout.split()
    r = accelgen("zoo", "tiny", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    net_path = tmp_path / "tiny.json"
    assert accelgen("validate", str(net_path)).returncode == 0
    r = accelgen("inputs", str(net_path), "--out", str(tmp_path / "in.npz"), "--seed", "7")
    assert r.returncode == 0, r.stderr
    r = accelgen("golden", str(net_path), "--inputs", str(tmp_path / "in.npz"), "--outputs", str(tmp_path / "out.npz"))
    assert r.returncode == 0, r.stderr
    out = read_npz(tmp_path / "out.npz")
    net = tiny.build()
    ref = run_golden(net, random_inputs(net, 7))
    assert set(out) == {"head", "pool1"}
    for k in out:
        np.testing.assert_array_equal(out[k], ref[k])
    r = accelgen("golden", "tiny", "--inputs", str(tmp_path / "in.npz"), "--outputs", str(tmp_path / "all.npz"), "--all")
    assert set(read_npz(tmp_path / "all.npz")) == {ly.name for ly in net.layers}


def test_boards():
    r = accelgen("boards")
    assert r.returncode == 0 and "xczu3eg-sbva484-1-i" in r.stdout
    assert len(json.loads(accelgen("boards", "--json").stdout)) == 4


def test_bad_network_exit_2_nothing_written(tmp_path):
    doc = tiny.build().to_json()
    doc["layers"][1]["op"] = "conv3d"
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    r = accelgen("golden", str(tmp_path / "bad.json"), "--outputs", str(tmp_path / "out.npz"))
    assert_user_error(r, "layer pw1: unknown op 'conv3d'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_bad_inputs_nothing_written(tmp_path):
    np.savez(tmp_path / "in.npz", image=np.zeros((16, 16, 3), dtype=np.float32))
    r = accelgen("golden", "tiny", "--inputs", str(tmp_path / "in.npz"), "--outputs", str(tmp_path / "out.npz"))
    assert_user_error(r, "input image: dtype float32, must be integer")
    assert not (tmp_path / "out.npz").exists()


def test_unknown_network_and_missing_inputs(tmp_path):
    assert_user_error(accelgen("info", "resnet9000"), "network 'resnet9000': no such file and not a zoo name")
    assert_user_error(accelgen("info", str(tmp_path / "x.json")), "No such file")
    r = accelgen("golden", "tiny", "--inputs", str(tmp_path / "none.npz"), "--outputs", str(tmp_path / "o.npz"))
    assert_user_error(r, "inputs file")


def test_argparse_errors_exit_2():
    r = accelgen("info")
    assert r.returncode == 2 and "Traceback" not in r.stderr
