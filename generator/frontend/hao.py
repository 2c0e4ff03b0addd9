"""HAO classification networks (thesis ch. 13) built from the subgraph template.

A hardware subgraph is a chain of up to M kernels from the pool {k x k conv, k x k depthwise
conv, 1x1 conv}; every network layer is one of the subgraph's kernels (the others are
bypassed with the skip signal), and a block whose input and output shapes agree adds an
INT32 residual (HAWQ-V3 eq. 11.7). Members here use the subgraph {1x1 conv, 3x3 depthwise,
1x1 conv} of Fig. 13.7, with per-layer (mixed) weight bits and 8-bit activations.

The classifier is exported with foundation ops only: a depthwise conv whose kernel covers the
final feature map (a learned global pooling) and a 1x1 conv (the fully connected layer).
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from generator.errors import AccelgenError
from generator.frontend.modules import QAdd, QConv, QInput
from generator.frontend.trace import QTensor

TEMPLATE = ("conv1x1", "dwconv", "conv1x1")


@dataclass(frozen=True)
class Block:
    """One use of the subgraph: expand 1x1 (skipped when expand == 1), k x k depthwise at
    `stride`, project 1x1; residual add when stride is 1 and channels agree."""

    out: int
    expand: int = 4
    stride: int = 1
    kernel: int = 3
    w_bits: int = 8


@dataclass(frozen=True)
class HaoConfig:
    input_size: int
    stem: int
    blocks: tuple[Block, ...]
    num_classes: int = 1000
    head: int = 512
    a_bits: int = 8
    first_w_bits: int = 8
    last_w_bits: int = 8

    @property
    def final_size(self) -> int:
        s = self.input_size // 2
        for b in self.blocks:
            s = (s - 1) // b.stride + 1
        return s


def _blocks(spec: list[tuple[int, int, int, int]], bits: list[int]) -> tuple[Block, ...]:
    """(expand, out, repeats, stride) rows as MobileNetV2's table; `bits` cycles per block."""
    out: list[Block] = []
    for t, c, n, s in spec:
        for i in range(n):
            out.append(Block(c, t, s if i == 0 else 1, 3, bits[len(out) % len(bits)]))
    return tuple(out)


CONFIGS: dict[str, HaoConfig] = {
    # small and fast: 128x128, 4-bit weights
    "hao-s": HaoConfig(128, 16, _blocks([(1, 16, 1, 1), (4, 24, 2, 2), (4, 32, 2, 2), (4, 64, 2, 2),
                                          (4, 96, 1, 1), (4, 160, 2, 2)], [4]), head=384),
    # the Fig. 13.7 flavour: 192x192, mixed 6/7-bit weights
    "hao-m": HaoConfig(192, 32, _blocks([(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 3, 2),
                                          (6, 96, 2, 1), (6, 160, 2, 2), (6, 320, 1, 1)], [6, 7]), head=1024),
    # Table 13.2's W6A8 member: 224x224, 6-bit weights
    "hao-l": HaoConfig(224, 32, _blocks([(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                                          (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)], [6]), head=1280),
}


class Subgraph(nn.Module):
    def __init__(self, cin: int, b: Block, a_bits: int) -> None:
        super().__init__()
        mid = cin * b.expand
        self.expand = QConv(cin, mid, 1, w_bits=b.w_bits, a_bits=a_bits) if b.expand != 1 else None
        self.dw = QConv(mid, mid, b.kernel, stride=b.stride, depthwise=True, w_bits=b.w_bits, a_bits=a_bits)
        self.project = QConv(mid, b.out, 1, relu=False, w_bits=b.w_bits, a_bits=a_bits)
        self.add = QAdd(a_bits) if (b.stride == 1 and cin == b.out) else None

    def forward(self, x: QTensor) -> QTensor:
        y = self.expand(x) if self.expand is not None else x
        y = self.project(self.dw(y))
        return self.add(x, y) if self.add is not None else y


class HaoNet(nn.Module):
    """forward(images in [0, 1]) -> {"logits": (N, classes, 1, 1)}."""

    def __init__(self, cfg: HaoConfig) -> None:
        super().__init__()
        if cfg.input_size % 32:
            raise AccelgenError(f"hao config: input_size {cfg.input_size} must be a multiple of 32")
        self.cfg = cfg
        self.input = QInput(8)
        self.stem = QConv(3, cfg.stem, 3, stride=2, w_bits=cfg.first_w_bits, a_bits=cfg.a_bits)
        blocks = []
        cin = cfg.stem
        for b in cfg.blocks:
            blocks.append(Subgraph(cin, b, cfg.a_bits))
            cin = b.out
        self.blocks = nn.Sequential(*blocks)
        self.head = QConv(cin, cfg.head, 1, w_bits=cfg.blocks[-1].w_bits, a_bits=cfg.a_bits)
        k = cfg.final_size
        self.pool = QConv(cfg.head, cfg.head, k, padding=0, depthwise=True, w_bits=cfg.last_w_bits, a_bits=cfg.a_bits)
        self.fc = QConv(cfg.head, cfg.num_classes, 1, bn=False, relu=False, w_bits=cfg.last_w_bits, a_bits=cfg.a_bits)

    def forward(self, x):
        t = self.head(self.blocks(self.stem(self.input(x))))
        return {"logits": self.fc(self.pool(t))}
