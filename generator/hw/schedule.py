"""The layer schedule: the network as a list of engine passes and ARM steps.

An engine pass programs the registers of generator.hw.regmap, streams its inputs (in0, and in1
for add / deform offsets) and receives one output stream. An ARM step runs a data-movement op
(concat, slice, shuffle, upsample, maxpool) on the host CPU. The host runtime executes the
schedule; it needs nothing but this file, the register map and the weight image.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from generator.errors import AccelgenError
from generator.hw import packing
from generator.hw.engine import QUANT_KINDS, VIEW_KINDS, EngineConfig, kernel_kind
from generator.hw.fold import View, fold_plan, plain
from generator.hw.layout import beats_per_pixel, pack_quant, pack_weights
from generator.hw.quant import network_layer_widths
from generator.hw.regmap import MODES
from generator.ir.network import Network
from generator.ops import Add, ConvFamily, DeformDwConv, Layer


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, int, int]
    bits: int
    signed: bool


@dataclass(frozen=True)
class Step:
    layer: str
    where: str  # "engine" or "arm"
    op: str  # network op key
    inputs: tuple[str, ...]
    output: str
    kernel: str | None = None  # engine kernel kind
    regs: dict[str, int] = field(default_factory=dict)  # engine register values
    fields: dict[str, Any] = field(default_factory=dict)  # ARM op fields (network JSON)


@dataclass(frozen=True)
class Schedule:
    network: str
    signature: int
    act_bits: int
    w_bits: int
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    tensors: dict[str, TensorInfo]
    steps: tuple[Step, ...]
    weight_words: int
    # command lists: where each tensor an engine pass touches lives in the activation memory
    # (64-bit word offsets), and that memory's size in words
    act_offsets: dict[str, int] = field(default_factory=dict)
    act_words: int = 0

    def to_json(self) -> dict:
        d = asdict(self)
        d["format"] = "accelgen-schedule/1"
        return d


def layer_regs(layer: Layer, net: Network, engine: EngineConfig, w_offset: int, q_offset: int,
               view: View | None = None) -> dict[str, int]:
    """Register values of the pass running `layer`, its in0 read through `view` (default: the
    in0 tensor itself)."""
    ins = net.in_types(layer)
    out = net.types[layer.name]
    kind = kernel_kind(layer)
    assert kind is not None
    view = view or plain(layer.inputs[0], ins[0])
    regs = dict.fromkeys(("kernel", "stride", "pad", "max_offset", "add_ma", "add_mb", "add_shift"), 0)
    regs.update(
        mode=MODES[kind],
        in_h=ins[0].shape[0], in_w=ins[0].shape[1], in_c=ins[0].shape[2],
        out_h=out.shape[0], out_w=out.shape[1], out_c=out.shape[2],
        in_signed=int(ins[0].signed) | (int(ins[-1].signed) << 1 if len(ins) > 1 or len(view.sources) > 1 else 0),
        out_lo=out.lo, out_hi=out.hi, w_offset=w_offset, q_offset=q_offset,
    )
    regs.update(view.regs())
    if isinstance(layer, DeformDwConv):
        regs.update(kernel=3, stride=layer.stride, max_offset=layer.max_offset)
    elif isinstance(layer, ConvFamily):
        regs.update(kernel=layer.kernel, stride=layer.stride, pad=layer.padding)  # type: ignore[attr-defined]
    elif isinstance(layer, Add):
        regs.update(kernel=1, stride=1, add_ma=layer.mult[0], add_mb=layer.mult[1], add_shift=layer.shift)
    return regs


def move_regs(view: View, t: TensorInfo | object) -> dict[str, int]:
    """A `move` pass: the view streamed straight to the output (materialising a tensor)."""
    h, w, c = view.shape
    lo, hi = t.lo, t.hi  # type: ignore[attr-defined]
    regs = dict.fromkeys(("kernel", "stride", "pad", "max_offset", "add_ma", "add_mb", "add_shift",
                          "w_offset", "q_offset"), 0)
    regs.update(mode=MODES["move"], in_h=h, in_w=w, in_c=c, out_h=h, out_w=w, out_c=c, kernel=1, stride=1,
                in_signed=int(t.signed) * (3 if len(view.sources) > 1 else 1),  # type: ignore[attr-defined]
                out_lo=lo, out_hi=hi)
    regs.update(view.regs())
    return regs


def check_fits(layer: Layer | None, net: Network, engine: EngineConfig, view: View | None, name: str) -> None:
    """The engine was sized from the network, so a misfit is a mismatch between them (or an
    engine built for another network)."""
    if layer is None:
        kind = "move"
        out = net.types[name]
        ins = [out]
    else:
        kind = kernel_kind(layer)
        if kind is None:
            return
        ins = net.in_types(layer)
        out = net.types[layer.name]
    if not engine.has(kind):
        raise AccelgenError(f"layer {name}: needs kernel '{kind}', which the engine does not have")
    k = engine.kernel(kind)
    x = ins[0]
    wbits = (layer.weight_width() if layer is not None else None) or 1
    nweights = int(net.arrays[f"{name}.weight"].size) if f"{name}.weight" in net.arrays else 0
    limits = [("input height", x.shape[0], k.max_in_h), ("input width", x.shape[1], k.max_in_w),
              ("input channels", x.shape[2], k.max_in_c), ("output channels", out.shape[2], k.max_out_c),
              ("kernel size", getattr(layer, "kernel", 1), k.k_max), ("stride", getattr(layer, "stride", 1), k.stride_max),
              ("max_offset", getattr(layer, "max_offset", 0), k.n_max), ("weight count", nweights, k.max_weights),
              ("line-buffer row (W x C)", x.shape[1] * x.shape[2], k.line),
              ("weight bits", wbits, min(k.w_bits, engine.w_bits)),
              ("activation bits", max(t.bits for t in ins + [out]), engine.act_bits)]
    if view is not None and not view.is_plain:
        if not engine.fold or kind not in VIEW_KINDS:
            raise AccelgenError(f"layer {name}: reads a folded view, which kernel {kind} cannot")
        limits += [("view source channels", sum(view.src_c), k.max_src_c), ("upsampling factor", view.up, k.up_max)]
        if view.up > 1:
            limits.append(("upsampled view source width", view.src_hw[1], k.max_src_w))
    elif kind in VIEW_KINDS:
        limits.append(("view source channels", x.shape[2], k.max_src_c))
    if kind in QUANT_KINDS and isinstance(layer, ConvFamily):
        # the requantisation units are only as wide as the engine's layers need (generator/hw/quant.py)
        need = network_layer_widths(net, layer)
        limits += [("requantisation |acc + bias| bits", need.acc_bits, k.quant_acc_bits),
                   ("requantisation multiplier bits", need.mult_bits, k.quant_mult_bits)]
    for what, value, limit in limits:
        if value > limit:
            raise AccelgenError(f"layer {name}: {what} {value} exceeds kernel {kind}'s limit {limit}")
    if k.pack and layer is not None:
        need = packing.max_pack_depth(wbits, x.bits, x.signed)
        if need < k.pack_depth:
            raise AccelgenError(
                f"layer {name}: packed lanes of kernel {kind} accumulate {k.pack_depth} products, "
                f"but {wbits}-bit weights x {x.describe()} allow only {need}")


def build_schedule(net: Network, engine: EngineConfig) -> tuple[Schedule, np.ndarray]:
    """Schedule and the weight memory image (uint64 words) for `net` on `engine`.

    With `engine.fold` the data movement between passes is folded into the passes' input views
    (generator.hw.fold); what cannot be folded runs as `move` passes or ARM steps.
    """
    types = net.types
    steps: list[Step] = []
    blocks: list[np.ndarray] = []
    offset = 0
    for fs in fold_plan(net, engine.fold):
        if fs.kind == "arm":
            layer = net.by_name[fs.name]
            fields = {k: v for k, v in layer.to_json().items() if k not in ("name", "op", "inputs")}
            steps.append(Step(layer.name, "arm", layer.OP, tuple(layer.inputs), layer.name, fields=fields))
            continue
        if fs.kind == "move":
            assert fs.view is not None
            check_fits(None, net, engine, fs.view, fs.name)
            op = net.by_name[fs.name].OP if fs.name in net.by_name else "input"
            steps.append(Step(fs.name, "engine", op, fs.view.sources, fs.name, kernel="move",
                              regs=move_regs(fs.view, types[fs.name])))
            continue
        layer = net.by_name[fs.name]
        check_fits(layer, net, engine, fs.view, layer.name)
        w_off = q_off = offset
        if isinstance(layer, ConvFamily):
            arrays = net.layer_arrays(layer)
            wwords = pack_weights(arrays["weight"], engine.w_bits)
            qwords = pack_quant(arrays["bias"], arrays["mult"], arrays["shift"])
            w_off, q_off = offset, offset + len(wwords)
            blocks += [wwords, qwords]
            offset += len(wwords) + len(qwords)
        regs = layer_regs(layer, net, engine, w_off, q_off, fs.view)
        sources = fs.view.sources if fs.view is not None else (layer.inputs[0],)
        steps.append(Step(layer.name, "engine", layer.OP, tuple(sources) + tuple(layer.inputs[1:]), layer.name,
                          kernel=kernel_kind(layer), regs=regs))
    tensors = {name: TensorInfo(name, t.shape, t.bits, t.signed) for name, t in types.items()}
    image = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.uint64)
    offsets, words = activation_layout(steps, tensors, engine.act_bits)
    sched = Schedule(net.name, engine.signature, engine.act_bits, engine.w_bits,
                     tuple(i.name for i in net.inputs), tuple(net.outputs), tensors, tuple(steps), int(image.size),
                     offsets, words)
    return sched, image.astype(np.uint64)


def tensor_beats(t: TensorInfo, act_bits: int) -> int:
    """64-bit stream beats (= memory words) of a tensor."""
    h, w, c = t.shape
    return h * w * beats_per_pixel(c, act_bits)


ACT_ALIGN_WORDS = 8  # each tensor starts on a 64-byte line: whole cache lines and aligned AXI bursts


def activation_layout(steps: list[Step], tensors: dict[str, TensorInfo], act_bits: int) -> tuple[dict[str, int], int]:
    """Word offset of every tensor an engine pass reads or writes, in schedule order, no sharing.

    Every tensor keeps its own region for the whole frame: ARM steps and the host read any of
    them after the list has run, and the memory (a few MB for codenet-a) is not scarce.
    """
    offsets: dict[str, int] = {}
    words = 0
    for st in steps:
        if st.where != "engine":
            continue
        for t in (*st.inputs, st.output):
            if t not in offsets:
                offsets[t] = words
                words += -(-tensor_beats(tensors[t], act_bits) // ACT_ALIGN_WORDS) * ACT_ALIGN_WORDS
    return offsets, words
