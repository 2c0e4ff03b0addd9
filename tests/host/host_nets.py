"""Networks and project folders for the host-runtime tests and bench/bench_host.py."""

from __future__ import annotations

from pathlib import Path

from generator.hw.engine import build_engine
from generator.hw.host_files import write_host_files
from generator.hw.schedule import build_schedule
from generator.ir.builder import NetworkBuilder
from generator.ir.network import Network


def make_project(root: str | Path, net: Network, board: str = "ultra96", clock_mhz: float = 200.0,
                 engine=None) -> Path:
    """DIR with DIR/host/{schedule,regmap,engine}.json and weights.bin for `net` (on `engine`,
    default: build_engine's)."""
    root = Path(root)
    engine = engine or build_engine(net, board, clock_mhz)
    write_host_files(root / "host", engine, *build_schedule(net, engine))
    return root


def tiny_signature(board: str = "ultra96", clock_mhz: float = 200.0) -> str:
    """The design signature make_project gives `tiny` (what its ID register and file names carry)."""
    from generator.zoo import tiny

    return f"{build_engine(tiny.build(), board, clock_mhz).signature:08x}"


def codenet_like(size: int = 64, seed: int = 0, width: int = 24) -> Network:
    """A reduced CoDeNet: ShuffleNetV2 stem and units, deformable depthwise neck, CenterNet head."""
    b = NetworkBuilder(f"codenet_like_{size}", seed)
    q4 = dict(weight_bits=4, out_bits=8, out_signed=False)
    x = b.input("image", (size, size, 3), bits=8, signed=False)
    x = b.conv("stem", x, kernel=3, stride=2, padding=1, out_channels=width, weight_bits=8, out_bits=8, out_signed=False)
    x = b.layer("maxpool", "stem_pool", [x], kernel=3, stride=2, padding=1)
    half = width // 2

    def unit(name: str, x: str) -> str:  # ShuffleNetV2 stride-1 unit
        a = b.layer("slice", f"{name}_a", [x], start=0, stop=half)
        c = b.layer("slice", f"{name}_b", [x], start=half, stop=width)
        c = b.conv(f"{name}_pw1", c, kernel=1, out_channels=half, **q4)
        c = b.dwconv(f"{name}_dw", c, kernel=3, padding=1, **q4)
        c = b.conv(f"{name}_pw2", c, kernel=1, out_channels=half, **q4)
        y = b.layer("concat", f"{name}_cat", [a, c])
        return b.layer("shuffle", f"{name}_shuf", [y], groups=2)

    # stride-2 unit: both branches downsample
    lb = b.dwconv("down_dw1", x, kernel=3, stride=2, padding=1, **q4)
    lb = b.conv("down_pw1", lb, kernel=1, out_channels=half, **q4)
    r = b.conv("down_pw2", x, kernel=1, out_channels=half, **q4)
    r = b.dwconv("down_dw2", r, kernel=3, stride=2, padding=1, **q4)
    r = b.conv("down_pw3", r, kernel=1, out_channels=half, **q4)
    x = b.layer("shuffle", "down_shuf", [b.layer("concat", "down_cat", [lb, r])], groups=2)
    x = unit("u1", x)
    x = unit("u2", x)
    # deformable neck: offsets from a 1x1 conv, square-offset depthwise 3x3, residual add, upsample
    off = b.conv("neck_off", x, kernel=1, out_channels=1, weight_bits=4, out_bits=3, out_signed=False)
    # (neck_df is unsigned: a packed kernel's depth must suit all its layers' input signedness)
    d = b.layer("deform_dwconv", "neck_df", [x, off], max_offset=3, weight_bits=4, out_bits=8, out_signed=False)
    d = b.conv("neck_pw", d, kernel=1, out_channels=width, weight_bits=4, out_bits=8, out_signed=True)
    s = b.conv("neck_skip", x, kernel=1, out_channels=width, weight_bits=4, out_bits=8, out_signed=True)
    y = b.layer("add", "neck_add", [d, s], mult=[3 << 12, 5 << 11], shift=13, out_bits=8, out_signed=False)
    y = b.layer("upsample", "neck_up", [y], factor=2)
    hm = b.conv("head_hm", y, kernel=3, padding=1, out_channels=4, weight_bits=8, out_bits=8, out_signed=True)
    wh = b.conv("head_wh", y, kernel=1, out_channels=2, weight_bits=8, out_bits=8, out_signed=False)
    return b.build(outputs=[hm, wh])
