"""Deformable depthwise 3x3: exact for every offset 0..N, with d = N at the first and last rows
and columns (where the original CoDeNet kernel reads the wrong pixels), for N = 3, 7 and 15."""

from __future__ import annotations

import numpy as np
import pytest

from generator.hw.engine import build_engine
from generator.ir.builder import NetworkBuilder
from sim.run_csim import run_on_engine


def deform_net(n: int, stride: int = 1, c: int = 5):
    size = 2 * n + 3
    b = NetworkBuilder(f"deform{n}", seed=n)
    x = b.input("x", (size, size, c), 8, False)
    ho = (size - 1) // stride + 1
    off = b.input("off", (ho, ho, 1), (n + 1).bit_length() + 1, False)
    b.layer("deform_dwconv", "y", [x, off], stride=stride, max_offset=n, weight_bits=4, out_bits=8, out_signed=True)
    return b.build(outputs=["y"])


@pytest.mark.parametrize("n", [3, 7, 15])
@pytest.mark.parametrize("stride", [1, 2])
def test_every_offset_at_borders(compile_engine, n, stride):
    big = deform_net(15, stride)  # one engine (2*15+1 line-buffer rows) serves N = 3, 7, 15
    engine = build_engine(big, "ultra96", 250)
    lib = compile_engine(engine)
    net = deform_net(n, stride)
    rng = np.random.default_rng(n)
    x = rng.integers(0, 256, size=net.inputs[0].type.shape)
    shape = net.inputs[1].type.shape
    for d in range(n + 2):  # n + 1 checks the clamp to N
        run_on_engine(lib, net, engine, {"x": x, "off": np.full(shape, d)})
    border = rng.integers(0, n + 1, size=shape)
    border[0, :], border[-1, :], border[:, 0], border[:, -1] = n, n, n, n
    run_on_engine(lib, net, engine, {"x": x, "off": border})
