"""`tiny`: every op of the network format at least once, small enough for RTL simulation."""

from __future__ import annotations

from generator.ir.builder import NetworkBuilder
from generator.ir.network import Network


def build(seed: int = 0) -> Network:
    b = NetworkBuilder("tiny", seed)
    x = b.input("image", (16, 16, 3), bits=8, signed=False)
    q = dict(weight_bits=4, out_bits=8, out_signed=False)
    c1 = b.conv("c1", x, kernel=3, stride=2, padding=1, out_channels=8, weight_bits=8, out_bits=8, out_signed=False)
    pw1 = b.conv("pw1", c1, kernel=1, out_channels=16, **q)
    dw1 = b.dwconv("dw1", pw1, kernel=3, padding=1, weight_bits=4, out_bits=8, out_signed=True)
    off1 = b.conv("off1", pw1, kernel=1, out_channels=1, weight_bits=4, out_bits=3, out_signed=False)
    df1 = b.layer("deform_dwconv", "df1", [pw1, off1], max_offset=3, weight_bits=4, out_bits=8, out_signed=True)
    add1 = b.layer("add", "add1", [dw1, df1], mult=[3 << 13, 5 << 12], shift=14, out_bits=8, out_signed=False)
    sa = b.layer("slice", "split_a", [add1], start=0, stop=8)
    sb = b.layer("slice", "split_b", [add1], start=8, stop=16)
    pw2 = b.conv("pw2", sb, kernel=1, out_channels=8, **q)
    cat1 = b.layer("concat", "cat1", [sa, pw2])
    sh1 = b.layer("shuffle", "shuf1", [cat1], groups=2)
    mp1 = b.layer("maxpool", "pool1", [sh1], kernel=3, stride=2, padding=1)
    dw2 = b.dwconv("dw2", mp1, kernel=3, stride=2, padding=1, **q)
    up1 = b.layer("upsample", "up1", [dw2], factor=4)
    head = b.conv("head", up1, kernel=1, out_channels=4, weight_bits=8, out_bits=8, out_signed=True)
    return b.build(outputs=[head, mp1])
