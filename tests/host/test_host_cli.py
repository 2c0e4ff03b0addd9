"""`accelgen run` / `accelgen deploy` end to end, and the host package's independence from generator."""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from host_nets import tiny_signature  # noqa: E402

from generator.fileio import read_npz, write_npz
from generator.reference import random_inputs, run_golden
from host.devices.sim_device import find_libaccel
from host.project import load_project

SIG = tiny_signature()

REPO = Path(__file__).resolve().parents[2]
BLOCK = "import sys; sys.modules['generator'] = None; "


def accelgen(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, env=env)


def assert_user_error(r: subprocess.CompletedProcess, match: str) -> None:
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("accelgen: error: "), r.stderr
    assert match in r.stderr, r.stderr


def test_host_imports_nothing_from_generator():
    for path in (REPO / "host").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "generator" for n in names), f"{path} imports {names}"
    code = (BLOCK + "import host, host.cli, host.deploy, host.devices.pynq_device, host.devices.sim_device; "
            "assert not [m for m, v in sys.modules.items() if m.startswith('generator') and v]; print('ok')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


@pytest.mark.parametrize("net_fixture,per_pass", [("tiny", False), ("codenet", False), ("codenet", True)])
def test_run_sim_fast_bit_exact(request, tmp_path, net_fixture, per_pass):
    net = request.getfixturevalue(f"{net_fixture}_net")
    d = request.getfixturevalue(f"{net_fixture}_dir")
    x = random_inputs(net, 11)
    write_npz(tmp_path / "in.npz", x)
    r = accelgen("run", str(d), "--inputs", str(tmp_path / "in.npz"), "--outputs", str(tmp_path / "out.npz"),
                 "--device", "sim", "--fast", "--repeat", "3", *(["--per-pass"] if per_pass else []))
    assert r.returncode == 0, r.stderr
    assert "frames/s" in r.stdout and "per frame: engine" in r.stdout
    assert ("(one start per pass)" if per_pass else "(command lists)") in r.stdout
    out = read_npz(tmp_path / "out.npz")
    ref = run_golden(net, x)
    assert set(out) == set(net.outputs)
    for k in out:
        np.testing.assert_array_equal(out[k], ref[k])


def _csim_project(tmp_path, net):
    """A generated project (accelgen generate) with its C-sim library built, or skip."""
    from generator.boards import load_board
    from generator.codegen.project import write_project
    from generator.errors import ToolError
    from generator.hw.engine import build_engine

    board = load_board("ultra96")
    d = write_project(net, board, build_engine(net, board.name, board.clock_mhz), tmp_path / net.name)
    try:
        from sim.csim import build

        build(d)
    except ToolError as e:
        pytest.skip(f"C-sim library cannot be built here: {e}")
    assert find_libaccel(load_project(d)) is not None
    return d


def _run_csim(tmp_path, net, seed):
    d = _csim_project(tmp_path, net)
    x = random_inputs(net, seed)
    write_npz(tmp_path / "in.npz", x)
    r = accelgen("run", str(d), "--inputs", str(tmp_path / "in.npz"), "--outputs", str(tmp_path / "o.npz"))
    assert r.returncode == 0, r.stderr
    assert "C-sim libaccel.so" in r.stdout
    out = read_npz(tmp_path / "o.npz")
    ref = run_golden(net, x)
    assert set(out) == set(net.outputs)
    for k, v in out.items():
        np.testing.assert_array_equal(v, ref[k])


@pytest.mark.csim
def test_run_csim_bit_exact_tiny(tmp_path, tiny_net):
    _run_csim(tmp_path, tiny_net, 2)


@pytest.mark.csim
@pytest.mark.slow
def test_run_csim_bit_exact_codenet_like(tmp_path, codenet_net):
    _run_csim(tmp_path, codenet_net, 2)


def test_run_errors_exit_2(tmp_path, tiny_dir):
    np.savez(tmp_path / "bad.npz", image=np.zeros((16, 16, 4), np.uint8))
    out = tmp_path / "o.npz"
    r = accelgen("run", str(tiny_dir), "--inputs", str(tmp_path / "bad.npz"), "--outputs", str(out), "--fast")
    assert_user_error(r, "input image: shape [16, 16, 4], expected [16, 16, 3] (H, W, C)")
    assert not out.exists()
    r = accelgen("run", str(tiny_dir), "--inputs", str(tmp_path / "none.npz"), "--outputs", str(out), "--fast")
    assert_user_error(r, "inputs file")
    r = accelgen("run", str(tmp_path), "--inputs", str(tmp_path / "bad.npz"), "--outputs", str(out), "--fast")
    assert_user_error(r, "schedule.json is missing")
    r = accelgen("run", str(tiny_dir), "--inputs", str(tmp_path / "bad.npz"), "--outputs", str(out), "--device", "pynq", "--fast")
    assert_user_error(r, "--fast applies to --device sim only")


FAKE_SSH = """#!/bin/sh
echo "ssh $*" >> "$FAKE_BOARD_ROOT/log"
shift
case "$1" in "mkdir -p "*) mkdir -p "$FAKE_BOARD_ROOT/${1#mkdir -p }";; *) exit 1;; esac
"""
FAKE_SCP = """#!/bin/sh
echo "scp $*" >> "$FAKE_BOARD_ROOT/log"
shift 2
while [ $# -gt 1 ]; do srcs="$srcs $1"; shift; done
dest="$FAKE_BOARD_ROOT/${1#*:}"
[ -n "$FAKE_SCP_FAIL" ] && { echo "ssh: connect to host: Connection refused" >&2; exit 1; }
cp -r $srcs "$dest"
"""


@pytest.fixture
def fake_ssh(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("ssh", FAKE_SSH), ("scp", FAKE_SCP)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(stat.S_IRWXU)
    root = tmp_path / "board"
    root.mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_BOARD_ROOT": str(root)}
    return env, root


def test_deploy_copies_a_runnable_folder(tmp_path, tiny_dir, tiny_net, fake_ssh):
    env, root = fake_ssh
    proj = tmp_path / "proj"
    import shutil

    shutil.copytree(tiny_dir, proj)
    r = accelgen("deploy", str(proj), "--board-host", "192.168.2.99", env=env)
    assert_user_error(r, f"no accel_{SIG}.bit under")
    for ext in ("bit", "hwh"):
        (proj / f"accel_{SIG}.{ext}").write_bytes(b"fake")
    r = accelgen("deploy", str(proj), "--board-host", "192.168.2.99", "--dest", "/home/xilinx/ag", env=env)
    assert r.returncode == 0, r.stderr
    assert "ssh xilinx@192.168.2.99" in r.stdout and "python3 -m host run proj" in r.stdout
    log = (root / "log").read_text().splitlines()
    assert log[0] == "ssh xilinx@192.168.2.99 mkdir -p /home/xilinx/ag"
    assert log[1].startswith("scp -r -q ") and log[1].endswith(" xilinx@192.168.2.99:/home/xilinx/ag/")
    dest = root / "home/xilinx/ag"
    assert (dest / f"proj/accel_{SIG}.bit").exists() and (dest / f"proj/accel_{SIG}.hwh").exists()
    assert sorted(p.name for p in (dest / "proj/host").iterdir()) == ["engine.json", "regmap.json", "schedule.json", "weights.bin"]
    assert not list(dest.rglob("__pycache__")) and not (dest / "generator").exists()
    # the copied folder runs on its own, generator unimportable (as on the board)
    x = random_inputs(tiny_net, 4)
    write_npz(dest / "in.npz", x)
    code = (BLOCK + "import host; assert host.__file__.startswith(sys.argv[1]), host.__file__; from host.cli import main; "
            "sys.exit(main(['run', 'proj', '--inputs', 'in.npz', '--outputs', 'out.npz', '--device', 'sim', '--fast']))")
    r = subprocess.run([sys.executable, "-c", code, str(dest)], capture_output=True, text=True, cwd=dest)
    assert r.returncode == 0, r.stderr
    out = read_npz(dest / "out.npz")
    np.testing.assert_array_equal(out["head"], run_golden(tiny_net, x)["head"])


def test_deploy_failures_exit_2(tmp_path, tiny_dir, fake_ssh):
    env, _ = fake_ssh
    env["FAKE_SCP_FAIL"] = "1"
    r = accelgen("deploy", str(tiny_dir), "--board-host", "board", "--no-bitstream", env=env)
    assert_user_error(r, "deploy: scp exited 1: ssh: connect to host: Connection refused")
    r = accelgen("deploy", str(tiny_dir), "--board-host", "-oProxyCommand=x", "--no-bitstream", env=env)
    assert r.returncode == 2
    r = accelgen("deploy", str(tiny_dir), "--board-host", "board", "--no-bitstream", "--dry-run")
    assert r.returncode == 0 and r.stdout.startswith("ssh xilinx@board mkdir -p /home/xilinx/accelgen\nscp -r -q ")
