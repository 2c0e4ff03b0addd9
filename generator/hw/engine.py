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
from generator.hw.quant import FULL_ACC_BITS, FULL_MULT_BITS, QuantWidths, network_layer_widths
from generator.ir.network import Network
from generator.ops import Add, Conv, DeformDwConv, DwConv, Layer

KINDS = ("pwconv", "conv", "dwconv", "deform", "add", "move")
VIEW_KINDS = ("pwconv", "conv", "dwconv", "move")  # kernels whose in0 reader applies a view
QUANT_KINDS = ("pwconv", "conv", "dwconv", "deform")  # kernels with PO ag_quant units


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
    max_line: int = 0  # line buffer row: largest W * C of its layers (0: max_in_w * max_in_c)
    max_src_c: int = 0  # view reader: source channels per pixel (in0 + in1); 0 = no view reader
    max_src_w: int = 0  # view reader: source width of upsampled views (its row buffer); 0 = none
    up_max: int = 1  # view reader: largest upsampling factor
    pack_limit: int = 0  # the deepest packed accumulation every layer's bits and sign allow
    # (W, C) of its layers' inputs: a line-buffer slot holds ceil(C/lanes)*W entries of the worst
    # one (buffers.line_depth); () = unknown, bounded by max_in_w and max_in_c
    line_shapes: tuple[tuple[int, int], ...] = ()
    # its ag_quant units (QUANT_KINDS): signed bits of |acc + bias| and unsigned bits of mult, the
    # widest its layers need (generator/hw/quant.py); the defaults cover every valid network
    quant_acc_bits: int = FULL_ACC_BITS
    quant_mult_bits: int = FULL_MULT_BITS

    def __post_init__(self) -> None:
        # JSON gives lists; keep the spec hashable and equal to the one it was written from
        object.__setattr__(self, "line_shapes", tuple(tuple(int(v) for v in s) for s in self.line_shapes))

    @property
    def name(self) -> str:
        return self.kind

    @property
    def quant(self) -> QuantWidths:
        return QuantWidths(self.quant_acc_bits, self.quant_mult_bits)

    @property
    def line(self) -> int:
        """Activations in one line-buffer row."""
        return self.max_line or self.max_in_w * self.max_in_c


@dataclass(frozen=True)
class EngineConfig:
    network: str
    board: str
    clock_mhz: float
    act_bits: int  # activation container (8 or 16)
    w_bits: int  # weight container (4, 8 or 16)
    kernels: tuple[KernelSpec, ...]
    fold: bool = False  # slice/concat/shuffle/upsample folded into the kernels' input views

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


DEFAULT_PARALLELISM = {"pwconv": (8, 8), "conv": (4, 8), "dwconv": (1, 8), "deform": (1, 8), "add": (1, 8),
                       "move": (1, 8)}


def build_engine(
    net: Network,
    board: str,
    clock_mhz: float,
    parallelism: dict[str, tuple[int, int]] | None = None,
    pack: dict[str, bool] | None = None,
    fold: bool = True,
) -> EngineConfig:
    """Size one kernel per kind the network's schedule uses (see generator.hw.fold): the
    conv-family and add layers' kernels, and a `move` kernel if a view must be materialised."""
    from generator.hw.fold import fold_plan

    par = {**DEFAULT_PARALLELISM, **(parallelism or {})}
    types = net.types
    # per kind: (layer or None for a move, input types, output type, in0 view)
    groups: dict[str, list[tuple[Layer | None, list, object, object]]] = {}
    for step in fold_plan(net, fold):
        if step.kind == "engine":
            layer = net.by_name[step.name]
            kind = kernel_kind(layer)
            assert kind is not None
            groups.setdefault(kind, []).append((layer, net.in_types(layer), types[layer.name], step.view))
        elif step.kind == "move":
            t = types[step.name]
            groups.setdefault("move", []).append((None, [t], t, step.view))
    act_max = max([1] + [t.bits for items in groups.values() for _, ins, out, _ in items for t in ins + [out]])
    act_bits = act_container(act_max)
    kernels = []
    w_max = 1
    for kind in KINDS:
        items = groups.get(kind)
        if not items:
            continue
        layers = [ly for ly, _, _, _ in items if ly is not None]
        ins = [i for _, i, _, _ in items]
        outs = [o for _, _, o, _ in items]
        views = [v for _, _, _, v in items]
        a_bits = max(t.bits for i in ins for t in i)
        a_signed = any(i[0].signed for i in ins)
        w_bits = max([ly.weight_width() or 1 for ly in layers] or [1])
        n_weights = max([int(net.arrays[f"{ly.name}.weight"].size) for ly in layers
                         if f"{ly.name}.weight" in net.arrays] or [0])
        pi, po = par[kind]
        if kind in ("dwconv", "deform", "add", "move"):
            pi = 1
        if kind == "move":
            po = 64 // act_bits  # one stream beat of lanes per cycle
        for name, v in (("PI", pi), ("PO", po)):
            if v < 1 or v & (v - 1):
                raise AccelgenError(f"kernel {kind}: {name} = {v} must be a power of two >= 1")
        # by default pack where the RTL packs (the MAC-array kernels); the HLS depthwise kernels
        # can pack too when asked, the RTL's ag_dw cannot (docs/model.md, depthwise)
        want_pack = (pack or {}).get(kind, kind in ("pwconv", "conv"))
        do_pack = bool(want_pack) and kind in ("pwconv", "conv", "dwconv", "deform") and \
            packing.can_pack(w_bits, a_bits) and po >= 2
        # the deepest accumulation every layer of the kernel allows (each layer's own bits and sign)
        limit = min((packing.max_pack_depth(ly.weight_width() or 1, i[0].bits, i[0].signed)
                     for ly, i in zip(layers, ins)), default=0)
        depth = limit if do_pack else 0
        reader = kind in VIEW_KINDS
        quant = QuantWidths()
        if kind in QUANT_KINDS:  # exactly as wide as its layers need (the product on 1 DSP when small)
            quant = QuantWidths(1, 1)
            for ly in layers:
                quant = quant.union(network_layer_widths(net, ly))
        kernels.append(KernelSpec(
            kind=kind, pi=pi, po=po, pack=do_pack, pack_depth=depth,
            k_max=max([getattr(ly, "kernel", 3 if kind == "deform" else 1) for ly in layers] or [1]),
            stride_max=max([getattr(ly, "stride", 1) for ly in layers] or [1]),
            n_max=max((ly.max_offset for ly in layers if isinstance(ly, DeformDwConv)), default=0),
            max_in_h=max(i[0].shape[0] for i in ins),
            max_in_w=max(i[0].shape[1] for i in ins),
            max_in_c=max(i[0].shape[2] for i in ins),
            max_out_c=max(o.shape[2] for o in outs),
            max_weights=n_weights, w_bits=w_bits, a_bits=a_bits, a_signed=a_signed,
            max_line=max(i[0].shape[1] * i[0].shape[2] for i in ins),
            line_shapes=tuple(sorted({(i[0].shape[1], i[0].shape[2]) for i in ins})),
            max_src_c=max(sum(v.src_c) for v in views) if reader else 0,
            max_src_w=max((v.src_hw[1] for v in views if v.up > 1), default=0) if reader else 0,
            up_max=max(v.up for v in views) if reader else 1,
            pack_limit=limit,
            quant_acc_bits=quant.acc_bits, quant_mult_bits=quant.mult_bits,
        ))
        w_max = max(w_max, w_bits)
    return EngineConfig(net.name, board, clock_mhz, act_bits, weight_container(w_max), tuple(kernels), fold)
