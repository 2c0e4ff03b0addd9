"""Folding data movement into the engine's input readers.

ShuffleNetV2-style networks split, concatenate, shuffle and upsample tensors between every
pair of convolutions. Run on the ARM these dominate a frame. Instead, each such op becomes a
*view* of tensors that exist in memory: the in0 reader of the next pwconv/conv/dwconv pass
streams the view's source tensors (in0, and in1 for a concat) and produces the view on the fly:

    V[h, w, c] = S[h // up, w // up, c_start + c]  for c < channels,
    S = in0 (direct) | concat(in0, in1) | shuffle_2(concat(in0, in1))

Views compose: slice narrows the channel window, upsample multiplies `up`, concat of two whole
tensors makes a concat source, shuffle with 2 groups of a concat of equal halves makes the
shuffle2 source. A view that a kernel without a view reader (deform, add), an ARM op or a
network output needs is materialised by one `move` pass (the reader straight to the writer).
Anything else (concat of three, other shuffles, maxpool) stays on the ARM.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from generator.hw.regmap import SRC_MAPS
from generator.ir.network import Network
from generator.ir.tensor import TensorType
from generator.ir.validate import topo_order
from generator.ops import Concat, Layer, Shuffle, Slice, Upsample

VIEW_READERS = ("pwconv", "conv", "dwconv")


@dataclass(frozen=True)
class View:
    sources: tuple[str, ...]
    src_c: tuple[int, ...]
    src_hw: tuple[int, int]
    src_map: str  # key of SRC_MAPS
    c_start: int
    channels: int
    up: int

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.src_hw[0] * self.up, self.src_hw[1] * self.up, self.channels)

    @property
    def is_plain(self) -> bool:
        return self.src_map == "direct" and self.c_start == 0 and self.channels == self.src_c[0] and self.up == 1

    def regs(self) -> dict[str, int]:
        return {"src_c0": self.src_c[0], "src_c1": self.src_c[1] if len(self.src_c) > 1 else 0,
                "src_map": SRC_MAPS[self.src_map], "c_start": self.c_start, "up": self.up}


def plain(name: str, t: TensorType) -> View:
    return View((name,), (t.shape[2],), (t.shape[0], t.shape[1]), "direct", 0, t.shape[2], 1)


def compose(layer: Layer, views: list[View]) -> View | None:
    """The view `layer` makes of its inputs' views, or None when the readers cannot express it."""
    if isinstance(layer, Slice):
        v = views[0]
        return replace(v, c_start=v.c_start + layer.start, channels=layer.stop - layer.start)
    if isinstance(layer, Upsample):
        return replace(views[0], up=views[0].up * layer.factor)
    if isinstance(layer, Concat):
        if len(views) != 2 or not all(v.is_plain for v in views) or views[0].src_hw != views[1].src_hw:
            return None
        a, b = views
        return View(a.sources + b.sources, a.src_c + b.src_c, a.src_hw, "concat", 0, a.channels + b.channels, 1)
    if isinstance(layer, Shuffle):
        v = views[0]
        if layer.groups == 1:
            return v
        whole = v.c_start == 0 and v.channels == sum(v.src_c) and v.up == 1
        if layer.groups == 2 and v.src_map == "concat" and whole and v.src_c[0] == v.src_c[1]:
            return replace(v, src_map="shuffle2")
    return None


@dataclass(frozen=True)
class FoldStep:
    """One step of the folded schedule: an engine pass of a layer (reading `view` on in0), a
    `move` pass materialising tensor `name` from `view`, or an ARM step of layer `name`."""

    kind: str  # "engine" | "move" | "arm"
    name: str
    view: View | None = None


def fold_plan(net: Network, fold: bool = True) -> list[FoldStep]:
    """The network as engine passes, move passes and ARM steps, movement folded where possible."""
    from generator.hw.engine import kernel_kind  # engine imports this module

    types = net.types
    views = {i.name: plain(i.name, i.type) for i in net.inputs}
    real = {i.name for i in net.inputs}
    steps: list[FoldStep] = []

    def need(name: str) -> None:
        if name not in real:
            steps.append(FoldStep("move", name, views[name]))
            real.add(name)
            views[name] = plain(name, types[name])

    for layer in topo_order(net):
        kind = kernel_kind(layer)
        if kind is None:
            v = compose(layer, [views[n] for n in layer.inputs]) if fold else None
            if v is None and fold and compose(layer, [plain(n, types[n]) for n in layer.inputs]) is not None:
                for n in layer.inputs:  # e.g. concat of a slice: materialise the slice, then fold
                    if not views[n].is_plain:
                        need(n)
                v = compose(layer, [views[n] for n in layer.inputs])
            if v is not None:
                views[layer.name] = v
                continue
            for n in layer.inputs:
                need(n)
            steps.append(FoldStep("arm", layer.name))
        else:
            first, *rest = layer.inputs
            if kind not in VIEW_READERS:
                need(first)
            for n in rest:
                need(n)
            steps.append(FoldStep("engine", layer.name, views[first]))
        real.add(layer.name)
        views[layer.name] = plain(layer.name, types[layer.name])
    for out in net.outputs:
        need(out)
    return steps
