"""accelgen train / export / detect and --checkpoint (in-process main() for speed)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from generator.cli import main
from generator.fileio import read_npz
from generator.frontend.paths import DEMO_CHECKPOINT
from generator.ir.io import load_network
from generator.reference import run_golden


def test_export_detect_roundtrip(tmp_path, capsys):
    assert main(["export", "codenet-demo", "--out", str(tmp_path)]) == 0
    net_path = tmp_path / "codenet_demo.json"
    head = json.loads((tmp_path / "codenet_demo.head.json").read_text())
    assert head["stride"] == 4 and head["classes"] == ["circle", "rectangle", "triangle"]
    net = load_network(net_path)
    assert [head["outputs"][k]["layer"] for k in ("heatmap", "size", "offset")] == list(net.outputs)
    img = np.random.default_rng(0).integers(0, 256, size=(128, 128, 3)).astype(np.uint8)
    np.savez(tmp_path / "img.npz", image=img)
    png = tmp_path / "boxes.png"
    assert main(["detect", str(net_path), "--image", str(tmp_path / "img.npz"), "--out", str(png),
                 "--json", str(tmp_path / "d.json"), "--score", "0.0"]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dets = json.loads((tmp_path / "d.json").read_text())["detections"]
    # the decode saw exactly the golden outputs of the exported network
    t = run_golden(net, {"image": img.astype(np.int64)})
    peak = t[head["outputs"]["heatmap"]["layer"]].max() * head["outputs"]["heatmap"]["scale"]
    assert dets and dets[0]["score"] == pytest.approx(1 / (1 + np.exp(-peak)), abs=1e-4)


def test_detect_zoo_synthetic_with_shipped_checkpoint(tmp_path):
    png, js = tmp_path / "b.png", tmp_path / "b.json"
    assert main(["detect", "codenet-demo", "--checkpoint", str(DEMO_CHECKPOINT), "--synthetic", "5",
                 "--out", str(png), "--json", str(js), "--save-input", str(tmp_path / "in.npz")]) == 0
    from generator.frontend.data import make_sample

    np.testing.assert_array_equal(read_npz(tmp_path / "in.npz")["image"], make_sample(5, 0, 128).image)
    doc = json.loads(js.read_text())
    assert png.stat().st_size > 1000 and doc["truth"]
    assert doc["detections"], "the trained demo finds nothing on a synthetic image"


def test_train_tiny_then_use_checkpoint(tmp_path, capsys):
    ck = tmp_path / "ck.pt"
    assert main(["train", "--out", str(ck), "--float-steps", "2", "--qat-steps", "2", "--batch", "2",
                 "--train-images", "8", "--val-images", "4", "--no-progress", "--metrics",
                 str(tmp_path / "m.json")]) == 0
    assert "AP50" in capsys.readouterr().out
    m = json.loads((tmp_path / "m.json").read_text())
    assert {"ap50_float", "ap50_w8a8_ptq", "ap50_w4a8_qat"} <= set(m)
    assert main(["golden", "codenet-demo", "--checkpoint", str(ck), "--outputs", str(tmp_path / "o.npz")]) == 0
    assert len(read_npz(tmp_path / "o.npz")) == 3


def test_cli_errors_are_one_line_exit_2(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True)

    r = run("info", "codenet-a", "--checkpoint", str(DEMO_CHECKPOINT))
    assert r.returncode == 2 and "is for 'codenet-demo', not 'codenet-a'" in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    r = run("detect", "tiny", "--synthetic", "1", "--out", str(tmp_path / "x.png"))
    assert r.returncode == 2 and "not a torch model" in r.stderr
    assert not (tmp_path / "x.png").exists()
