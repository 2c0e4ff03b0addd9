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


BUILDERS = {"pwconv": conv_net, "conv": conv_net, "dwconv": dwconv_net, "deform": deform_net, "add": add_net}
