"""CoDeNet (thesis ch. 12): ShuffleNetV2 backbone, deformable-depthwise upsampling blocks and
CenterNet heads, built from the quantisation-aware modules so every config exports.

Architecture (docs/codenet.md has the table and the differences from the paper):

* stem: 3x3 conv 3->24 at stride 4 (configs a, c, d) or stride 2 + 3x3/2 max-pool (b, e),
  8-bit weights (the paper runs it on the ARM);
* ShuffleNetV2 stages 2-4 (1x: 116/232/464 channels, 2x: 244/488/976; 4/8/4 units) and the
  1x1 conv5 (1024 / 2048); each unit's split/concat/shuffle are `slice`/`concat`/`shuffle`,
  and all branch outputs of a stage share one activation quantizer, so the concat needs no
  requantisation (the common scale of HAWQ-V3's concat, with no extra layer);
* three building blocks (c): 1x1 conv, 3x3 deformable depthwise conv (offsets from a 1x1
  conv, bounded to [0, N], square, integer), 2x nearest upsampling: 256/128/64 channels,
  output stride R = 4, D = 64;
* CenterNet heads (heatmap: classes, size: 2, offset: 2), each a 3x3 depthwise conv, a 1x1
  conv to `head_channels` and a 1x1 output conv, all at stride 4.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

import torch
from torch import nn

from generator.errors import AccelgenError
from generator.frontend.deform import QDeformDw
from generator.frontend.modules import QConcat, QConv, QInput, QMaxPool, QShuffle, QSlice, QUpsample
from generator.frontend.quant import ActQuant
from generator.frontend.trace import QTensor

HEADS = ("heatmap", "size", "offset")


@dataclass(frozen=True)
class CoDeNetConfig:
    input_size: int = 256
    stem: str = "s4"  # "s4": 3x3 conv stride 4; "s2pool": 3x3 conv stride 2 + 3x3/2 maxpool
    stem_channels: int = 24
    stages: tuple[int, ...] = (116, 232, 464)
    repeats: tuple[int, ...] = (4, 8, 4)
    conv5: int = 1024
    decoder: tuple[int, ...] = (256, 128, 64)
    head_channels: int = 80
    num_classes: int = 20
    max_offset: int = 7
    w_bits: int = 4
    a_bits: int = 8
    first_w_bits: int = 8
    extra: dict = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("extra")
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: dict) -> CoDeNetConfig:
        known = {f.name for f in fields(cls)} - {"extra"}
        unknown = sorted(set(d) - known)
        if unknown:
            raise AccelgenError(f"codenet config: unknown field '{unknown[0]}'")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})

    @property
    def output_stride(self) -> int:
        return 4


ONE_X = CoDeNetConfig()
TWO_X = replace(ONE_X, stages=(244, 488, 976), conv5=2048)

# Tables 12.3 / 12.5: all w4a8, VOC (20 classes).
CONFIGS: dict[str, CoDeNetConfig] = {
    "codenet-a": replace(ONE_X, input_size=256, stem="s4"),
    "codenet-b": replace(ONE_X, input_size=256, stem="s2pool"),
    "codenet-c": replace(ONE_X, input_size=512, stem="s4"),
    "codenet-d": replace(TWO_X, input_size=512, stem="s4"),
    "codenet-e": replace(TWO_X, input_size=512, stem="s2pool"),
    # the trained demo: 128x128 synthetic shapes (3 classes), narrow, trains on a CPU in minutes;
    # two stages (output of the backbone at stride 16, 8x8) keep enough spatial detail at 128x128
    "codenet-demo": CoDeNetConfig(input_size=128, stem="s2pool", stem_channels=16, stages=(48, 96),
                                  repeats=(3, 4), conv5=0, decoder=(64, 32), head_channels=32,
                                  num_classes=3, max_offset=7),
}


def _check(cfg: CoDeNetConfig) -> None:
    if cfg.stem not in ("s4", "s2pool"):
        raise AccelgenError(f"codenet config: stem '{cfg.stem}' must be 's4' or 's2pool'")
    if cfg.input_size % 32:
        raise AccelgenError(f"codenet config: input_size {cfg.input_size} must be a multiple of 32")
    if len(cfg.stages) != len(cfg.repeats) or any(c % 2 for c in cfg.stages):
        raise AccelgenError("codenet config: stages and repeats must pair up, stage channels even")
    if len(cfg.decoder) != len(cfg.stages):
        raise AccelgenError(
            f"codenet config: {len(cfg.decoder)} decoder blocks cannot undo {len(cfg.stages)} stride-2 stages"
        )


class DownUnit(nn.Module):
    """ShuffleNetV2 stride-2 unit (building block a): both branches downsample, then concat."""

    def __init__(self, cin: int, cout: int, act: ActQuant, w_bits: int) -> None:
        super().__init__()
        b = cout // 2
        self.b1_dw = QConv(cin, cin, 3, stride=2, depthwise=True, relu=False, w_bits=w_bits)
        self.b1_pw = QConv(cin, b, 1, w_bits=w_bits, act=act)
        self.b2_pw1 = QConv(cin, b, 1, w_bits=w_bits)
        self.b2_dw = QConv(b, b, 3, stride=2, depthwise=True, relu=False, w_bits=w_bits)
        self.b2_pw2 = QConv(b, b, 1, w_bits=w_bits, act=act)
        self.cat = QConcat()
        self.shuffle = QShuffle(2)

    def forward(self, x: QTensor) -> QTensor:
        left = self.b1_pw(self.b1_dw(x))
        right = self.b2_pw2(self.b2_dw(self.b2_pw1(x)))
        return self.shuffle(self.cat([left, right]))


class BasicUnit(nn.Module):
    """ShuffleNetV2 stride-1 unit (building block b): split, one branch, concat, shuffle."""

    def __init__(self, c: int, act: ActQuant, w_bits: int) -> None:
        super().__init__()
        b = c // 2
        self.left, self.right = QSlice(0, b), QSlice(b, c)
        self.pw1 = QConv(b, b, 1, w_bits=w_bits)
        self.dw = QConv(b, b, 3, depthwise=True, relu=False, w_bits=w_bits)
        self.pw2 = QConv(b, b, 1, w_bits=w_bits, act=act)  # same scale as the pass-through half
        self.cat = QConcat()
        self.shuffle = QShuffle(2)

    def forward(self, x: QTensor) -> QTensor:
        return self.shuffle(self.cat([self.left(x), self.pw2(self.dw(self.pw1(self.right(x))))]))


class UpBlock(nn.Module):
    """Building block (c): 1x1 conv, deformable 3x3 depthwise, 2x nearest upsampling."""

    def __init__(self, cin: int, cout: int, max_offset: int, w_bits: int) -> None:
        super().__init__()
        self.pw = QConv(cin, cout, 1, w_bits=w_bits)
        self.deform = QDeformDw(cout, max_offset=max_offset, w_bits=w_bits)
        self.up = QUpsample(2)

    def forward(self, x: QTensor) -> QTensor:
        return self.up(self.deform(self.pw(x)))


class Head(nn.Module):
    def __init__(self, cin: int, mid: int, cout: int, w_bits: int, bias_init: float = 0.0) -> None:
        super().__init__()
        self.dw = QConv(cin, cin, 3, depthwise=True, w_bits=w_bits)
        self.pw = QConv(cin, mid, 1, w_bits=w_bits)
        self.out = QConv(mid, cout, 1, bn=False, relu=False, w_bits=w_bits)
        with torch.no_grad():
            self.out.weight.mul_(0.1)
            self.out.bias.fill_(bias_init)

    def forward(self, x: QTensor) -> QTensor:
        return self.out(self.pw(self.dw(x)))


class CoDeNet(nn.Module):
    """forward(images (N, 3, H, W) in [0, 1]) -> {"heatmap", "size", "offset"} QTensors at
    stride 4: heatmap logits (classes), box size in output cells (w, h), centre offset (x, y)."""

    def __init__(self, cfg: CoDeNetConfig) -> None:
        super().__init__()
        _check(cfg)
        self.cfg = cfg
        wb = cfg.w_bits
        self.input = QInput(8)
        s = 4 if cfg.stem == "s4" else 2
        self.stem = QConv(3, cfg.stem_channels, 3, stride=s, w_bits=cfg.first_w_bits)
        self.pool = QMaxPool(3, 2, 1) if cfg.stem == "s2pool" else None
        units: list[nn.Module] = []
        cin = cfg.stem_channels
        for c, n in zip(cfg.stages, cfg.repeats):
            act = ActQuant(cfg.a_bits)
            units.append(DownUnit(cin, c, act, wb))
            units.extend(BasicUnit(c, act, wb) for _ in range(n - 1))
            cin = c
        self.backbone = nn.Sequential(*units)
        self.conv5 = QConv(cin, cfg.conv5, 1, w_bits=wb) if cfg.conv5 else None
        cin = cfg.conv5 or cin
        ups = []
        for c in cfg.decoder:
            ups.append(UpBlock(cin, c, cfg.max_offset, wb))
            cin = c
        self.decoder = nn.Sequential(*ups)
        outs = {"heatmap": cfg.num_classes, "size": 2, "offset": 2}
        self.heads = nn.ModuleDict({
            k: Head(cin, cfg.head_channels, n, wb, bias_init=-2.19 if k == "heatmap" else 0.0)
            for k, n in outs.items()
        })

    def features(self, x: torch.Tensor) -> QTensor:
        t = self.stem(self.input(x))
        if self.pool is not None:
            t = self.pool(t)
        t = self.backbone(t)
        if self.conv5 is not None:
            t = self.conv5(t)
        return self.decoder(t)

    def forward(self, x: torch.Tensor) -> dict[str, QTensor]:
        f = self.features(x)
        return {k: self.heads[k](f) for k in HEADS}
