"""Networks for model tests and benchmarks until the zoo has CoDeNet and HAO networks.

`codenet_like`: a CoDeNet-style detector (ShuffleNetV2 1x backbone with split / shuffle / concat,
3x3 depthwise at stride 1 and 2, a CenterNet-like head with bounded deformable depthwise 3x3 and
upsampling) at 256 x 256, w4a8, about 0.3 GMAC like the paper's config a.
`chain`: a MobileNetV2-like chain with exactly `n` engine layers (for the solve-time benchmark).
"""

from __future__ import annotations

from generator.ir.builder import NetworkBuilder
from generator.ir.network import Network

PW = dict(weight_bits=4, out_bits=8, out_signed=False)
DW = dict(weight_bits=4, out_bits=8, out_signed=True)


def _unit(b: NetworkBuilder, tag: str, x: str, c: int) -> str:
    """ShuffleNetV2 basic unit: split, 1x1 -> dw3x3 -> 1x1 on one half, concat, shuffle."""
    h = c // 2
    left = b.layer("slice", f"{tag}_l", [x], start=0, stop=h)
    right = b.layer("slice", f"{tag}_r", [x], start=h, stop=c)
    y = b.conv(f"{tag}_pw1", right, kernel=1, out_channels=h, **PW)
    y = b.dwconv(f"{tag}_dw", y, kernel=3, padding=1, **DW)
    y = b.conv(f"{tag}_pw2", y, kernel=1, out_channels=h, **PW)
    cat = b.layer("concat", f"{tag}_cat", [left, y])
    return b.layer("shuffle", f"{tag}_shuf", [cat], groups=2)


def _down(b: NetworkBuilder, tag: str, x: str, c_out: int) -> str:
    """ShuffleNetV2 stride-2 unit: both branches downsample, concat, shuffle."""
    h = c_out // 2
    a = b.dwconv(f"{tag}_adw", x, kernel=3, stride=2, padding=1, **DW)
    a = b.conv(f"{tag}_apw", a, kernel=1, out_channels=h, **PW)
    y = b.conv(f"{tag}_pw1", x, kernel=1, out_channels=h, **PW)
    y = b.dwconv(f"{tag}_dw", y, kernel=3, stride=2, padding=1, **DW)
    y = b.conv(f"{tag}_pw2", y, kernel=1, out_channels=h, **PW)
    cat = b.layer("concat", f"{tag}_cat", [a, y])
    return b.layer("shuffle", f"{tag}_shuf", [cat], groups=2)


def codenet_like(name: str = "codenet-like", size: int = 256, first_stride: int = 4, width: int = 1,
                 max_offset: int = 7, seed: int = 0) -> Network:
    b = NetworkBuilder(name, seed)
    x = b.input("image", (size, size, 3), bits=8, signed=False)
    x = b.conv("conv1", x, kernel=3, stride=first_stride, padding=1, out_channels=24, weight_bits=8,
               out_bits=8, out_signed=False)
    if first_stride == 2:
        x = b.layer("maxpool", "pool1", [x], kernel=3, stride=2, padding=1)
    for s, (c, reps) in enumerate(((116, 4), (232, 8), (464, 4)), start=2):
        c *= width
        x = _down(b, f"s{s}u0", x, c)
        for u in range(1, reps):
            x = _unit(b, f"s{s}u{u}", x, c)
    for i, c in enumerate((256, 128, 64)):
        c *= width
        x = b.conv(f"h{i}_pw", x, kernel=1, out_channels=c, **PW)
        x = b.layer("upsample", f"h{i}_up", [x], factor=2)
        off = b.conv(f"h{i}_off", x, kernel=1, out_channels=1, weight_bits=4, out_bits=3, out_signed=False)
        x = b.layer("deform_dwconv", f"h{i}_df", [x, off], max_offset=max_offset, **DW)
        x = b.conv(f"h{i}_pw2", x, kernel=1, out_channels=c, **PW)
    heads = [b.conv(f"head_{n}", x, kernel=1, out_channels=k, weight_bits=8, out_bits=8, out_signed=True)
             for n, k in (("hm", 20), ("wh", 2), ("reg", 2))]
    return b.build(outputs=heads)


def chain(n: int = 60, size: int = 64, seed: int = 0) -> Network:
    """MobileNetV2-like inverted residual chain with exactly n engine layers (1x1 / dw / add)."""
    b = NetworkBuilder(f"chain{n}", seed)
    x = b.input("image", (size, size, 3), bits=8, signed=False)
    x = b.conv("stem", x, kernel=3, stride=2, padding=1, out_channels=16, weight_bits=8, out_bits=8, out_signed=False)
    count, c, i = 1, 16, 0
    while count < n:
        expand = b.conv(f"b{i}_exp", x, kernel=1, out_channels=4 * c, **PW)
        count += 1
        if count >= n:
            x = expand
            break
        stride = 2 if i % 4 == 3 and b.types[expand].shape[0] > 4 else 1
        dw = b.dwconv(f"b{i}_dw", expand, kernel=3, stride=stride, padding=1, **DW)
        count += 1
        if count >= n:
            x = dw
            break
        c_out = c * 2 if stride == 2 else c
        proj = b.conv(f"b{i}_proj", dw, kernel=1, out_channels=c_out, **PW)
        count += 1
        if stride == 1 and c_out == c and count < n:
            proj = b.layer("add", f"b{i}_add", [x, proj], mult=[1 << 14, 1 << 14], shift=15, out_bits=8, out_signed=False)
            count += 1
        x, c, i = proj, c_out, i + 1
    return b.build(outputs=[x])
