"""The engine: which kernels the generated accelerator has and how each is sized.

Each network layer maps to one kernel kind (or to the ARM); a kernel is sized for the largest
layer it runs (feature-map width, channels, weights) and by its parallelism PI x PO. The plan
(issue: resource model / ILP) chooses PI, PO and packing; until then they come from flags.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from generator.errors import AccelgenError
from generator.hw import packing
from generator.hw.layout import act_container, weight_container
from generator.ir.network import Network
from generator.ir.validate import topo_order
from generator.ops import Add, Conv, DeformDwConv, DwConv, Layer

KINDS = ("pwconv", "conv", "dwconv", "deform", "add")


def kernel_kind(layer: Layer) -> str | None:
    """Engine kernel that runs `layer`, or None when the ARM runs it."""
    if isinstance(layer, Conv):
        return "pwconv" if (layer.kernel, layer.stride, layer.padding) == (1, 1, 0) else "conv"
    if isinstance(layer, DwConv):
        return "dwconv"
    if isinstance(layer, DeformDwConv):
        return "deform"
    if isinstance(layer, Add):
        return "add"
    return None


@dataclass(frozen=True)
class KernelSpec:
    """One engine kernel. PI = input-channel lanes (1 for depthwise kinds), PO = output lanes."""

    kind: str
    pi: int
    po: int
    pack: bool  # DSP shift-and-pack (two MACs per multiply)
    pack_depth: int  # products per packed lane before unpacking (0 when unpacked)
    k_max: int  # largest kernel size (1 for pwconv and add, 3 for deform)
    stride_max: int
    n_max: int  # deform offset bound (line buffer holds 2N+1 rows); 0 otherwise
    max_in_h: int
    max_in_w: int
    max_in_c: int
    max_out_c: int
    max_weights: int  # weight elements of its largest layer
    w_bits: int  # widest weights of its layers
    a_bits: int  # widest input activations
    a_signed: bool  # any signed input

    @property
    def name(self) -> str:
        return self.kind


@dataclass(frozen=True)
class EngineConfig:
    network: str
    board: str
    clock_mhz: float
    act_bits: int  # activation container (8 or 16)
    w_bits: int  # weight container (4, 8 or 16)
    kernels: tuple[KernelSpec, ...]

    def kernel(self, kind: str) -> KernelSpec:
        for k in self.kernels:
            if k.kind == kind:
                return k
        raise KeyError(kind)

    def has(self, kind: str) -> bool:
        return any(k.kind == kind for k in self.kernels)

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def signature(self) -> int:
        """32-bit design signature: the host refuses a bitstream whose ID register differs."""
        digest = hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).digest()
        return int.from_bytes(digest[:4], "little")


DEFAULT_PARALLELISM = {"pwconv": (8, 8), "conv": (4, 8), "dwconv": (1, 8), "deform": (1, 8), "add": (1, 8)}


def build_engine(
    net: Network,
    board: str,
    clock_mhz: float,
    parallelism: dict[str, tuple[int, int]] | None = None,
    pack: dict[str, bool] | None = None,
) -> EngineConfig:
    """Size one kernel per kind used by the network's engine layers."""
    par = {**DEFAULT_PARALLELISM, **(parallelism or {})}
    types = net.types
    groups: dict[str, list[Layer]] = {}
    for layer in topo_order(net):
        kind = kernel_kind(layer)
        if kind is not None:
            groups.setdefault(kind, []).append(layer)
    kernels = []
    act_max = 1
    w_max = 1
    for kind in KINDS:
        layers = groups.get(kind)
        if not layers:
            continue
        ins = [net.in_types(ly) for ly in layers]
        outs = [types[ly.name] for ly in layers]
        a_bits = max(t.bits for i in ins for t in i)
        a_signed = any(i[0].signed for i in ins)
        w_bits = max((ly.weight_width() or 1) for ly in layers)
        n_weights = max((int(net.arrays[f"{ly.name}.weight"].size) if f"{ly.name}.weight" in net.arrays else 0)
                        for ly in layers)
        pi, po = par[kind]
        if kind in ("dwconv", "deform", "add"):
            pi = 1
        for name, v in (("PI", pi), ("PO", po)):
            if v < 1 or v & (v - 1):
                raise AccelgenError(f"kernel {kind}: {name} = {v} must be a power of two >= 1")
        want_pack = (pack or {}).get(kind, kind in ("pwconv", "conv", "dwconv", "deform"))
        do_pack = bool(want_pack) and kind != "add" and packing.can_pack(w_bits, a_bits) and po >= 2
        # the deepest accumulation every layer of the kernel allows (each layer's own bits and sign)
        depth = min(packing.max_pack_depth(ly.weight_width() or 1, i[0].bits, i[0].signed)
                    for ly, i in zip(layers, ins)) if do_pack else 0
        kernels.append(KernelSpec(
            kind=kind, pi=pi, po=po, pack=do_pack, pack_depth=depth,
            k_max=max(getattr(ly, "kernel", 3 if kind == "deform" else 1) for ly in layers),
            stride_max=max(getattr(ly, "stride", 1) for ly in layers),
            n_max=max((ly.max_offset for ly in layers if isinstance(ly, DeformDwConv)), default=0),
            max_in_h=max(i[0].shape[0] for i in ins),
            max_in_w=max(i[0].shape[1] for i in ins),
            max_in_c=max(i[0].shape[2] for i in ins),
            max_out_c=max(o.shape[2] for o in outs),
            max_weights=n_weights, w_bits=w_bits, a_bits=a_bits, a_signed=a_signed,
        ))
        act_max = max([act_max, a_bits] + [o.bits for o in outs] + [t.bits for i in ins for t in i])
        w_max = max(w_max, w_bits)
    return EngineConfig(net.name, board, clock_mhz, act_container(act_max), weight_container(w_max), tuple(kernels))
