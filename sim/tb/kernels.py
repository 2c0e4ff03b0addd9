"""Payloads of the per-kernel testbenches: single-layer networks, one builder per kernel kind.

Each builder takes a config dict (shape, bits, window, parallelism, packing) and returns the
network plus the engine parameters; the testbench is the same job runner for every kernel.
"""

from __future__ import annotations

from typing import Any

from generator.hw.engine import EngineConfig, build_engine
from generator.ir.builder import NetworkBuilder
from generator.ir.network import Network

BOARD = "ultra96"


def engine_for(net: Network, kind: str, cfg: dict[str, Any]) -> EngineConfig:
    return build_engine(net, BOARD, 200.0, parallelism={kind: (cfg.get("pi", 8), cfg.get("po", 8))},
                        pack={kind: cfg.get("pack", True)})


def conv_net(cfg: dict[str, Any], seed: int = 0) -> Network:
    """conv / pwconv: cfg h, w, c, k_out, kernel, stride, pad, a_bits, a_signed, w_bits, o_bits."""
    b = NetworkBuilder("rtl_conv", seed)
    x = b.input("x", (cfg["h"], cfg["w"], cfg["c"]), bits=cfg.get("a_bits", 8), signed=cfg.get("a_signed", False))
    y = b.conv("y", x, kernel=cfg.get("kernel", 1), stride=cfg.get("stride", 1), padding=cfg.get("pad", 0),
               out_channels=cfg["k_out"], weight_bits=cfg.get("w_bits", 4), out_bits=cfg.get("o_bits", 8),
               out_signed=cfg.get("o_signed", True))
    return b.build(outputs=[y])


def dwconv_net(cfg: dict[str, Any], seed: int = 0) -> Network:
    b = NetworkBuilder("rtl_dwconv", seed)
    x = b.input("x", (cfg["h"], cfg["w"], cfg["c"]), bits=cfg.get("a_bits", 8), signed=cfg.get("a_signed", False))
    y = b.dwconv("y", x, kernel=cfg.get("kernel", 3), stride=cfg.get("stride", 1), padding=cfg.get("pad", 1),
                 weight_bits=cfg.get("w_bits", 4), out_bits=cfg.get("o_bits", 8), out_signed=cfg.get("o_signed", True))
    return b.build(outputs=[y])


def dwconv_pair_net(cfg: dict[str, Any], seed: int = 0) -> Network:
    """Two depthwise layers on one kernel: cfg kernel (k_max of the engine) then kernel2 < k_max
    (the weight loader's k < KM case, each filter row its own lane run)."""
    b = NetworkBuilder("rtl_dwconv_pair", seed)
    x = b.input("x", (cfg["h"], cfg["w"], cfg["c"]), bits=cfg.get("a_bits", 8), signed=cfg.get("a_signed", False))
    q = dict(weight_bits=cfg.get("w_bits", 4), out_bits=cfg.get("o_bits", 8), out_signed=cfg.get("o_signed", True))
    k1, k2 = cfg["kernel"], cfg["kernel2"]
    y = b.dwconv("y1", x, kernel=k1, stride=1, padding=k1 // 2, **q)
    y = b.dwconv("y2", y, kernel=k2, stride=1, padding=k2 // 2, **q)
    return b.build(outputs=[y])


def deform_net(cfg: dict[str, Any], seed: int = 0) -> Network:
    """Deformable depthwise: the offsets are a network input (so tests can pick every d)."""
    b = NetworkBuilder("rtl_deform", seed)
    h, w, s = cfg["h"], cfg["w"], cfg.get("stride", 1)
    x = b.input("x", (h, w, cfg["c"]), bits=cfg.get("a_bits", 8), signed=cfg.get("a_signed", False))
    off = b.input("off", ((h - 1) // s + 1, (w - 1) // s + 1, 1), bits=cfg.get("off_bits", 4), signed=False)
    y = b.layer("deform_dwconv", "y", [x, off], stride=s, max_offset=cfg["n"], weight_bits=cfg.get("w_bits", 4),
                out_bits=cfg.get("o_bits", 8), out_signed=cfg.get("o_signed", True))
    return b.build(outputs=[y])


def add_net(cfg: dict[str, Any], seed: int = 0) -> Network:
    b = NetworkBuilder("rtl_add", seed)
    shape = (cfg["h"], cfg["w"], cfg["c"])
    x = b.input("x", shape, bits=cfg.get("a_bits", 8), signed=cfg.get("a_signed", False))
    z = b.input("z", shape, bits=cfg.get("b_bits", 8), signed=cfg.get("b_signed", True))
    y = b.layer("add", "y", [x, z], mult=cfg.get("mult", [3 << 13, 5 << 12]), shift=cfg.get("shift", 14),
                out_bits=cfg.get("o_bits", 8), out_signed=cfg.get("o_signed", False))
    return b.build(outputs=[y])


def view_net(cfg: dict[str, Any], seed: int = 0) -> Network:
    """A folded view (generator/hw/fold.py) read by one kernel: cfg map (direct, concat, shuffle2),
    c0 (in0 channels), c1 (in1 channels), slice (start, stop) of the mapped source, up (nearest
    upsampling), reader (pwconv, conv, dwconv; move: the view is the network output, materialised
    by a move pass), and the reader's conv fields (k_out, kernel, stride, pad)."""
    b = NetworkBuilder("rtl_view", seed)
    h, w, ab, sg = cfg["h"], cfg["w"], cfg.get("a_bits", 8), cfg.get("a_signed", False)
    v = b.input("x", (h, w, cfg["c0"]), bits=ab, signed=sg)
    if cfg["map"] in ("concat", "shuffle2"):
        z = b.input("z", (h, w, cfg["c1"]), bits=ab, signed=sg)
        v = b.layer("concat", "cat", [v, z])
        if cfg["map"] == "shuffle2":
            v = b.layer("shuffle", "shuf", [v], groups=2)
    if "slice" in cfg:
        v = b.layer("slice", "sl", [v], start=cfg["slice"][0], stop=cfg["slice"][1])
    if cfg.get("up", 1) > 1:
        v = b.layer("upsample", "ups", [v], factor=cfg["up"])
    reader = cfg.get("reader", "pwconv")
    q = dict(weight_bits=cfg.get("w_bits", 4), out_bits=cfg.get("o_bits", 8), out_signed=cfg.get("o_signed", True))
    if reader == "move":
        return b.build(outputs=[v])
    if reader == "dwconv":
        y = b.dwconv("y", v, kernel=cfg.get("kernel", 3), stride=cfg.get("stride", 1), padding=cfg.get("pad", 1), **q)
    else:
        y = b.conv("y", v, kernel=cfg.get("kernel", 1), stride=cfg.get("stride", 1), padding=cfg.get("pad", 0),
                   out_channels=cfg.get("k_out", 8), **q)
    return b.build(outputs=[y])


def shufflenet_s2_unit(b: NetworkBuilder, x: str, c: int, q: dict[str, Any]) -> tuple[str, str, str]:
    """ShuffleNetV2 stride-2 unit on `x`: both branches read it. Returns (left, right, the
    shuffled concat of both)."""
    l1 = b.conv("b1_pw", b.dwconv("b1_dw", x, kernel=3, stride=2, padding=1, **q), kernel=1, out_channels=c // 2, **q)
    r1 = b.dwconv("b2_dw", b.conv("b2_pw1", x, kernel=1, out_channels=c // 2, **q), kernel=3, stride=2, padding=1, **q)
    r1 = b.conv("b2_pw2", r1, kernel=1, out_channels=c // 2, **q)
    return l1, r1, b.layer("shuffle", "u1_shuf", [b.layer("concat", "u1_cat", [l1, r1])], groups=2)


def shufflenet_s1_unit(b: NetworkBuilder, t: str, c: int, q: dict[str, Any]) -> str:
    """ShuffleNetV2 stride-1 unit on `t`: split, one half convolved, concat, shuffle."""
    a = b.layer("slice", "u2_a", [t], start=0, stop=c // 2)
    bb = b.layer("slice", "u2_b", [t], start=c // 2, stop=c)
    bb = b.conv("u2_pw1", bb, kernel=1, out_channels=c // 2, **q)
    bb = b.dwconv("u2_dw", bb, kernel=3, padding=1, **q)
    bb = b.conv("u2_pw2", bb, kernel=1, out_channels=c // 2, **q)
    return b.layer("shuffle", "u2_shuf", [b.layer("concat", "u2_cat", [a, bb])], groups=2)


def units_net(seed: int = 0, size: int = 8, c: int = 8) -> Network:
    """A small folded network: ShuffleNetV2 stride-2 and stride-1 units (concat, shuffle, slices),
    a concat read straight by a 1x1 conv, a nearest x2 upsample read by a 3x3 conv, and an add
    and a deformable conv whose inputs are materialised by move passes."""
    b = NetworkBuilder("units", seed)
    q = dict(weight_bits=4, out_bits=8, out_signed=False)
    x = b.input("x", (size, size, c), 8, False)
    l1, r1, t = shufflenet_s2_unit(b, x, c, q)
    mix = b.conv("mix", b.layer("concat", "mix_cat", [r1, l1]), kernel=1, out_channels=6, **q)
    t2 = shufflenet_s1_unit(b, t, c, q)
    res = b.layer("add", "res", [t2, b.conv("res_pw", t2, kernel=1, out_channels=c, **q)],
                  mult=[3 << 13, 5 << 12], shift=14, out_bits=8, out_signed=False)
    off = b.conv("off", res, kernel=1, out_channels=1, weight_bits=4, out_bits=2, out_signed=False)
    df = b.layer("deform_dwconv", "df", [res, off], max_offset=2, weight_bits=4, out_bits=8, out_signed=False)
    up = b.layer("upsample", "up", [b.layer("slice", "df_s", [df], start=2, stop=c)], factor=2)
    head = b.conv("head", up, kernel=3, padding=1, out_channels=5, weight_bits=8, out_bits=8, out_signed=True)
    return b.build([head, mix])


BUILDERS = {"pwconv": conv_net, "conv": conv_net, "dwconv": dwconv_net, "dwconv_pair": dwconv_pair_net,
            "deform": deform_net, "add": add_net, "view": view_net}
