"""Random single-layer regression: golden vs a backend (C-sim now, RTL through its plug-in).

Cases are drawn from a seed, so a failure replays exactly. C-sim libraries are built once per
"universal" engine (generous limits, one per packing mode and parallelism) and reused by every
case that fits it: the engine is reconfigured by registers only, which is also what the
hardware does, so every case also checks that no state leaks from the previous pass.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generator.hw import packing
from generator.hw.engine import KINDS, VIEW_KINDS, EngineConfig, KernelSpec
from generator.ir.builder import NetworkBuilder
from generator.ir.network import Network

OPS = ("conv", "dwconv", "deform_dwconv", "add", "maxpool", "concat", "slice", "shuffle", "upsample", "view")
UP_MAX = 3
MAX_HW = 17
MAX_C = 40
K_MAX = 5
N_MAX = 7
PARALLELISM = ((1, 2), (4, 4), (8, 8), (2, 16))


@dataclass(frozen=True)
class Case:
    index: int
    seed: int
    op: str
    pack: bool
    pi: int
    po: int

    @property
    def name(self) -> str:
        return f"case{self.index:04d}_{self.op}"


def draw_cases(ops: list[str], count: int, seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(count):
        pi, po = PARALLELISM[int(rng.integers(len(PARALLELISM)))]
        cases.append(Case(i, int(rng.integers(2**31)), ops[i % len(ops)], bool(rng.integers(2)), pi, po))
    return cases


def _bits(rng: np.random.Generator, lo: int = 2, hi: int = 8) -> int:
    return int(rng.integers(lo, hi + 1))


def _window(rng: np.random.Generator, ks: tuple[int, ...]) -> tuple[int, int, int, int, int]:
    k = int(rng.choice(ks))
    s = int(rng.integers(1, 3))
    p = int(rng.integers(0, k))
    h = int(rng.integers(max(1, k - 2 * p), MAX_HW + 1))
    w = int(rng.integers(max(1, k - 2 * p), MAX_HW + 1))
    return h, w, k, s, p


def build_case(case: Case) -> tuple[Network, dict[str, np.ndarray]]:
    """The case's one-layer network and its (partly extreme) inputs."""
    rng = np.random.default_rng(case.seed)
    extreme = bool(rng.integers(2))
    b = NetworkBuilder(case.name, case.seed, extreme=extreme)
    a_bits, a_signed = _bits(rng), bool(rng.integers(2))
    q = {"weight_bits": _bits(rng), "out_bits": _bits(rng), "out_signed": bool(rng.integers(2))}
    c = int(rng.integers(1, MAX_C + 1))
    if case.op == "conv":
        h, w, k, s, p = _window(rng, (1, 1, 3, 5))
        if rng.integers(3) == 0:  # favour the 1x1 kernel (pwconv)
            k, s, p = 1, 1, 0
        x = b.input("x", (h, w, c), a_bits, a_signed)
        b.conv("y", x, kernel=k, stride=s, padding=p, out_channels=int(rng.integers(1, MAX_C + 1)), **q)
    elif case.op == "dwconv":
        h, w, k, s, p = _window(rng, (1, 3, 5))
        x = b.input("x", (h, w, c), a_bits, a_signed)
        b.dwconv("y", x, kernel=k, stride=s, padding=p, **q)
    elif case.op == "deform_dwconv":
        n = int(rng.choice((1, 2, 3, N_MAX)))
        s = int(rng.integers(1, 3))
        h, w = (int(rng.integers(1, MAX_HW + 1)) for _ in range(2))
        x = b.input("x", (h, w, c), a_bits, a_signed)
        off = b.input("off", ((h - 1) // s + 1, (w - 1) // s + 1, 1), n.bit_length() + 1, False)
        b.layer("deform_dwconv", "y", [x, off], stride=s, max_offset=n, **q)
    elif case.op == "add":
        h, w = (int(rng.integers(1, MAX_HW + 1)) for _ in range(2))
        x = b.input("x", (h, w, c), a_bits, a_signed)
        z = b.input("z", (h, w, c), _bits(rng), bool(rng.integers(2)))
        mult = [int(rng.integers(1, 1 << 15)) for _ in range(2)]
        b.layer("add", "y", [x, z], mult=mult, shift=int(rng.integers(8, 20)), out_bits=q["out_bits"],
                out_signed=q["out_signed"])
    elif case.op == "view":
        build_view_case(b, rng, a_bits, a_signed, q)
    else:
        h, w = (int(rng.integers(2, MAX_HW + 1)) for _ in range(2))
        x = b.input("x", (h, w, c), a_bits, a_signed)
        if case.op == "maxpool":
            k = min(int(rng.integers(1, 4)), h, w)
            b.layer("maxpool", "y", [x], kernel=k, stride=int(rng.integers(1, 3)), padding=int(rng.integers(0, k)))
        elif case.op == "concat":
            z = b.input("z", (h, w, int(rng.integers(1, MAX_C + 1))), a_bits, a_signed)
            b.layer("concat", "y", [x, z])
        elif case.op == "slice":
            start = int(rng.integers(0, c))
            b.layer("slice", "y", [x], start=start, stop=int(rng.integers(start + 1, c + 1)))
        elif case.op == "shuffle":
            g = int(rng.integers(1, 5))
            b = NetworkBuilder(case.name, case.seed)
            x = b.input("x", (h, w, g * int(rng.integers(1, 9))), a_bits, a_signed)
            b.layer("shuffle", "y", [x], groups=g)
        else:
            b.layer("upsample", "y", [x], factor=int(rng.integers(1, 4)))
    net = b.build(outputs=["y"])
    inputs = {}
    for spec in net.inputs:
        t = spec.type
        a = rng.integers(t.lo, t.hi, size=t.shape, endpoint=True)
        if extreme:
            pick = rng.random(t.shape)
            a = np.where(pick < 0.3, t.lo, np.where(pick < 0.6, t.hi, a))
        inputs[spec.name] = a.astype(np.int64)
    return net, inputs


def build_view_case(b: NetworkBuilder, rng: np.random.Generator, a_bits: int, a_signed: bool, q: dict) -> None:
    """Data movement folded into a kernel's input view: slice / concat / shuffle / upsample chains
    read by pwconv, conv or dwconv, or materialised by a move pass (network output)."""
    pattern = str(rng.choice(["slice", "concat", "shuffle", "shuffle_slice", "upsample"]))
    up = int(rng.integers(2 if pattern == "upsample" else 1, UP_MAX + 1))
    h, w = (int(rng.integers(1, MAX_HW // up + 1)) for _ in range(2))
    half = int(rng.integers(1, MAX_C // 2 + 1))
    x = b.input("x", (h, w, half), a_bits, a_signed)
    z = b.input("z", (h, w, half), a_bits, a_signed)
    t = x
    if pattern in ("concat", "shuffle", "shuffle_slice"):
        t = b.layer("concat", "cat", [x, z])
        if pattern != "concat":
            t = b.layer("shuffle", "shuf", [t], groups=2)
        if pattern == "shuffle_slice":
            start = int(rng.integers(0, 2 * half))
            t = b.layer("slice", "sl", [t], start=start, stop=int(rng.integers(start + 1, 2 * half + 1)))
    elif pattern == "slice":
        start = int(rng.integers(0, half))
        t = b.layer("slice", "sl", [t], start=start, stop=int(rng.integers(start + 1, half + 1)))
    if up > 1:
        t = b.layer("upsample", "up", [t], factor=up)
    consumer = str(rng.choice(["pwconv", "conv", "dwconv", "output"]))
    if consumer == "pwconv":
        b.conv("y", t, kernel=1, out_channels=int(rng.integers(1, MAX_C + 1)), **q)
    elif consumer == "conv":
        b.conv("y", t, kernel=3, padding=1, stride=int(rng.integers(1, 3)), out_channels=int(rng.integers(1, MAX_C + 1)), **q)
    elif consumer == "dwconv":
        b.dwconv("y", t, kernel=3, padding=1, stride=int(rng.integers(1, 3)), **q)
    else:
        b.layer("slice", "y", [t], start=0, stop=b.types[t].shape[2])


def universal_engine(pack: bool, pi: int, po: int) -> EngineConfig:
    """An engine large enough for every regression case (8-bit containers). Its quant units keep
    the full widths (KernelSpec defaults, 32 x 31: any valid layer), as the random layers'
    widths are not known when it is built (any up to the format's may come)."""
    depth = min(packing.max_pack_depth(8, 8, False), packing.max_pack_depth(8, 8, True)) if pack else 0
    kernels = []
    for kind in KINDS:
        kpi = pi if kind in ("pwconv", "conv") else 1
        packs = pack and kind not in ("add", "move")
        reader = kind in VIEW_KINDS
        kernels.append(KernelSpec(
            kind=kind, pi=kpi, po=8 if kind == "move" else po, pack=packs, pack_depth=depth if packs else 0,
            k_max={"pwconv": 1, "conv": K_MAX, "dwconv": K_MAX, "deform": 3, "add": 1, "move": 1}[kind],
            stride_max=2, n_max=N_MAX if kind == "deform" else 0,
            # move materialises whole views: concat outputs (2 x C) and upsampled maps
            max_in_h=MAX_HW * UP_MAX if kind == "move" else MAX_HW, max_in_w=MAX_HW * UP_MAX if kind == "move" else MAX_HW,
            max_in_c=2 * MAX_C if kind == "move" else MAX_C, max_out_c=2 * MAX_C if kind == "move" else MAX_C,
            max_weights=0 if kind in ("add", "move") else MAX_C * MAX_C * K_MAX * K_MAX,
            w_bits=8, a_bits=8, a_signed=True, max_src_c=2 * MAX_C if reader else 0,
            max_src_w=MAX_HW if reader else 0, up_max=UP_MAX if reader else 1))
    return EngineConfig("regress", "ultra96", 250.0, 8, 8, tuple(kernels), fold=True)


def engine_key(engine: EngineConfig) -> str:
    return hashlib.sha256(json.dumps(engine.to_json(), sort_keys=True).encode()).hexdigest()[:12]


def case_engine(case: Case) -> EngineConfig:
    return universal_engine(case.pack, case.pi, case.po)


def summarize(results: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for r in results:
        row = table.setdefault(r["op"], {"passed": 0, "failed": 0})
        row["passed" if r["ok"] else "failed"] += 1
    return table


def save_case(dest: Path, net: Network, inputs: dict[str, np.ndarray]) -> Path:
    from generator.fileio import write_npz
    from generator.ir.io import save_network

    path = save_network(net, dest / f"{net.name}.json")
    write_npz(dest / f"{net.name}.inputs.npz", inputs)
    return path


