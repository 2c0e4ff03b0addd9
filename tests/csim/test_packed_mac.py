"""The packed MAC against plain products: exhaustively for every (w1, w2, a) at 4-bit weights and
8-bit activations, and at the derived maximum accumulation depth, in Python and in the C++ the
kernels use."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from generator.hw import packing
from generator.ir.tensor import int_range
from sim.csim import SHIM_DIR, ap_types_dir

HLS_KERNELS = SHIM_DIR.parent.parent / "hls_templates" / "kernels"


@pytest.mark.parametrize("a_signed", [False, True])
def test_exhaustive_python(a_signed):
    w = np.arange(-8, 8)
    a = np.arange(*((-128, 128) if a_signed else (0, 256)))
    w1, w2, av = np.meshgrid(w, w, a, indexing="ij")
    s = ((w1 << 18) + w2) * av
    low = s & 0x3FFFF
    low = np.where(low >= 1 << 17, low - (1 << 18), low)
    np.testing.assert_array_equal((s - low) >> 18, w1 * av)
    np.testing.assert_array_equal(low, w2 * av)


@pytest.mark.parametrize("w_bits,a_bits,a_signed,depth", [(4, 8, False, 64), (4, 8, True, 127), (8, 8, False, 4),
                                                          (8, 8, True, 7), (2, 2, False, 21845)])
def test_derived_depth(w_bits, a_bits, a_signed, depth):
    assert packing.max_pack_depth(w_bits, a_bits, a_signed) == depth


@pytest.mark.parametrize("w_bits,a_bits,a_signed", [(4, 8, False), (4, 8, True), (8, 8, False), (6, 5, True)])
def test_depth_is_tight(w_bits, a_bits, a_signed):
    """At the derived depth the worst case still splits exactly; one more product can corrupt."""
    n = packing.max_pack_depth(w_bits, a_bits, a_signed)
    wlo, whi = int_range(w_bits, True)
    alo, ahi = int_range(a_bits, a_signed)
    corners = [(wv, av) for wv in (wlo, whi) for av in (alo, ahi)]
    ok_at_n = all(packing.unpack(sum(packing.packed_mac(w1, w2, av) for _ in range(n))) == (n * w1 * av, n * w2 * av)
                  for w1, _ in corners for w2, av in corners)
    assert ok_at_n
    broken = any(packing.unpack(sum(packing.packed_mac(w1, w2, av) for _ in range(n + 1))) != ((n + 1) * w1 * av, (n + 1) * w2 * av)
                 for w1, _ in corners for w2, av in corners)
    assert broken


CPP = r"""
#include <cstdio>
#include "accel_params.h"
#include "accel_common.h"
int main() {
    long bad = 0, checked = 0;
    for (int w1 = -8; w1 < 8; w1++) for (int w2 = -8; w2 < 8; w2++) for (int a = -128; a < 256; a++) {
        int32_t hi, lo; pack_split(pack_mul(w1, w2, a), hi, lo);
        bad += hi != w1 * a || lo != w2 * a; checked++;
    }
    // worst cases at the derived depth (64 products of 4-bit weights x unsigned 8-bit activations)
    const int ws[2] = {-8, 7}, as[2] = {0, 255};
    for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 2; k++) {
        int64_t s = 0;
        for (int t = 0; t < 64; t++) s += pack_mul(ws[i], ws[j], as[k]);
        int32_t hi, lo; pack_split(s, hi, lo);
        bad += hi != 64 * ws[i] * as[k] || lo != 64 * ws[j] * as[k]; checked++;
    }
    std::printf("%ld %ld\n", checked, bad);
    return bad != 0;
}
"""


def test_exhaustive_cpp(tmp_path):
    (tmp_path / "accel_params.h").write_text(
        "#pragma once\nstatic const int ACT_BITS = 8;\nstatic const int LANES = 8;\nstatic const int W_BITS = 4;\n")
    (tmp_path / "t.cpp").write_text(CPP)
    exe = tmp_path / "t"
    subprocess.run(["g++", "-O2", "-std=c++14", "-pthread", "-Wno-unknown-pragmas", "-I", str(tmp_path), "-I", str(SHIM_DIR),
                    "-I", str(HLS_KERNELS), "-I", str(HLS_KERNELS.parent), "-isystem", str(ap_types_dir()),
                    str(tmp_path / "t.cpp"), "-o", str(exe)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True)
    checked, bad = map(int, out.stdout.split())
    assert checked == 16 * 16 * 384 + 8 and bad == 0
