"""The generated C++ stays inside what Vitis HLS synthesises, and compiles warning-free."""

from __future__ import annotations

import subprocess

import pytest

from generator.boards import load_board
from generator.codegen.hls import hls_context, write_hls
from generator.codegen.hls_lint import lint_sources, lint_text
from generator.hw.engine import build_engine
from generator.regress import universal_engine
from generator.zoo import tiny
from sim.csim import SHIM_DIR, ap_types_dir


@pytest.fixture(scope="module", params=["tiny", "universal-unpacked"])
def hls_dir(request, tmp_path_factory):
    engine = build_engine(tiny.build(), "ultra96", 250) if request.param == "tiny" else universal_engine(False, 2, 16)
    dest = tmp_path_factory.mktemp("hls") / "hls"
    write_hls(dest, hls_context(engine, load_board("ultra96"), 1000))
    return dest


def test_generated_sources_are_synthesisable(hls_dir):
    assert lint_sources(hls_dir) == []


def test_syntax_only_wall_werror(hls_dir):
    cmd = ["g++", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-std=c++14", "-Wno-unknown-pragmas",
           "-I", str(SHIM_DIR), "-I", str(hls_dir), "-isystem", str(ap_types_dir()), str(hls_dir / "accel_top.cpp")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[:2000]


@pytest.mark.parametrize("code,rule", [
    ("void f(int n) { int *p = new int[n]; }", "dynamic allocation (new)"),
    ("void f() { std::vector<int> v; }", "STL container"),
    ("int f(int n) { return n ? f(n - 1) : 0; }", "calls itself"),
    ("void f(int n) { for (int i = 0; i < n; i++) { } }", "has no LOOP_TRIPCOUNT"),
    ("void f(int n) { while (n) n--; }", "while loop"),
])
def test_lint_catches(code, rule):
    assert any(rule in p for p in lint_text("x.h", code))


def test_lint_accepts_static_bounds_and_csim_only_code():
    code = "#ifndef __SYNTHESIS__\n#include <vector>\nstd::vector<int> v;\n#endif\nvoid f() { for (int i = 0; i < N; i++) { } }\n"
    assert lint_text("x.h", code) == []
