"""A register-level numpy model of the engine: the `--fast` backend of the sim device.

It sees only what the hardware sees: the register values of one pass (by name, as 32-bit words),
the input streams (uint64 beats) and the weight memory (uint64 words). It decodes the mode, the
geometry, the weights and the per-channel requantisation from those alone, checks them against
the engine's limits (engine.json) as the C-sim does, and returns the output stream. It shares no
code with generator/golden.py; tests check it bit-exact against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from host.errors import DeviceError
from host.project import engine_signature
from host.streams import beats_per_pixel, container_dtype, pack, unpack

VIEW_READERS = ("pwconv", "conv", "dwconv", "move")  # kernels whose in0 reader applies the view registers

# float64 holds every integer below 2**53: a matmul whose worst partial sum stays below this is exact
_EXACT = 1 << 52


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def unpack_weight_words(words: np.ndarray, w_bits: int, n: int) -> np.ndarray:
    """First n signed `w_bits` elements of weight words (element e: lane e % (64/w_bits))."""
    raw = np.ascontiguousarray(words, dtype="<u8")
    if w_bits in (8, 16):
        vals = raw.view(container_dtype(w_bits, True))[:n]
    elif w_bits == 4:
        b = raw.view(np.uint8)
        nib = np.empty(b.size * 2, dtype=np.int16)
        nib[0::2] = b & 0x0F
        nib[1::2] = b >> 4
        vals = np.where(nib >= 8, nib - 16, nib)[:n]
    else:
        raise DeviceError(f"weights: w_bits = {w_bits} must be 4, 8 or 16")
    return vals.astype(np.int64)


def requant(acc: np.ndarray, mult: np.ndarray, shift: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """clamp((acc * mult + 2**(shift-1)) >> shift, lo, hi), no rounding term when shift = 0."""
    rnd = np.where(shift > 0, np.left_shift(np.int64(1), np.maximum(shift - 1, 0)), 0)
    y = np.right_shift(acc * mult + rnd, shift)
    return np.minimum(np.maximum(y, lo), hi)


class Emulator:
    """The engine of one design, built from its engine.json (as a bitstream is built from the plan)."""

    def __init__(self, engine: Mapping[str, Any], modes: Mapping[str, int]) -> None:
        self.engine = dict(engine)
        self.act_bits = int(engine["act_bits"])
        self.w_bits = int(engine["w_bits"])
        self.kernels = {k["kind"]: k for k in engine.get("kernels", [])}
        self.kinds = {v: k for k, v in modes.items()}
        self.signature = engine_signature(self.engine)

    # ---- checks -------------------------------------------------------------------------------
    def _fail(self, layer: str, msg: str) -> DeviceError:
        return DeviceError(f"layer {layer}: engine rejected the pass: {msg}")

    def _check_stream(self, layer: str, name: str, beats: np.ndarray | None, shape: tuple[int, int, int]) -> None:
        want = shape[0] * shape[1] * beats_per_pixel(shape[2], self.act_bits)
        got = 0 if beats is None else int(beats.size)
        if got != want:
            raise self._fail(layer, f"stream {name} has {got} beats, registers describe {shape[0]}x{shape[1]}x{shape[2]} = {want}")

    def _check_limits(self, layer: str, kind: str, r: Mapping[str, int]) -> dict[str, Any]:
        spec = self.kernels.get(kind)
        if spec is None:
            raise self._fail(layer, f"mode {r['mode']} ({kind}): this engine has no {kind} kernel")
        for reg, limit in (("in_w", "max_in_w"), ("in_c", "max_in_c"), ("out_c", "max_out_c"),
                           ("kernel", "k_max"), ("stride", "stride_max")):
            if limit in spec and r[reg] > spec[limit]:
                raise self._fail(layer, f"register {reg} = {r[reg]} exceeds the {kind} kernel's {limit} = {spec[limit]}")
        if kind == "deform" and r["max_offset"] > spec.get("n_max", 0):
            raise self._fail(layer, f"register max_offset = {r['max_offset']} exceeds the deform kernel's n_max = {spec['n_max']}")
        for reg in ("in_h", "in_w", "in_c", "out_h", "out_w", "out_c", "kernel", "stride"):
            if r[reg] < 1:
                raise self._fail(layer, f"register {reg} = {r[reg]} must be >= 1")
        return spec

    def _weights(self, layer: str, wmem: np.ndarray, offset: int, shape: tuple[int, ...]) -> np.ndarray:
        n = int(np.prod(shape))
        words = -(-n // (64 // self.w_bits))
        if offset + words > wmem.size:
            raise self._fail(layer, f"weights at word {offset} + {words} run past the weight memory ({wmem.size} words)")
        return unpack_weight_words(wmem[offset:offset + words], self.w_bits, n).reshape(shape)

    def _quant(self, layer: str, wmem: np.ndarray, offset: int, channels: int) -> tuple[np.ndarray, ...]:
        if offset + 2 * channels > wmem.size:
            raise self._fail(layer, f"requant words at {offset} + {2 * channels} run past the weight memory ({wmem.size} words)")
        w = np.asarray(wmem[offset:offset + 2 * channels], dtype=np.uint64).reshape(channels, 2)
        bias = (w[:, 0] & np.uint64(0xFFFFFFFF)).astype(np.int64)
        bias = np.where(bias >= 1 << 31, bias - (1 << 32), bias)
        mult = (w[:, 0] >> np.uint64(32)).astype(np.int64)
        shift = w[:, 1].astype(np.int64)
        if (shift > 62).any():
            raise self._fail(layer, f"requant shift {int(shift.max())} exceeds 62")
        return bias, mult, shift

    # ---- one pass ---------------------------------------------------------------------------
    def run_pass(self, regs: Mapping[str, int], in0: np.ndarray | None, in1: np.ndarray | None,
                 wmem: np.ndarray, layer: str = "?") -> np.ndarray | None:
        """Execute the pass the registers describe; returns the output beats (None for NOP)."""
        r = {k: int(v) & 0xFFFFFFFF for k, v in regs.items()}
        kind = self.kinds.get(r["mode"])
        if kind is None:
            raise self._fail(layer, f"register mode = {r['mode']} is not a mode ({self.kinds})")
        if kind == "nop":
            return None
        self._check_limits(layer, kind, r)
        ih, iw, ic = r["in_h"], r["in_w"], r["in_c"]
        oh, ow, oc = r["out_h"], r["out_w"], r["out_c"]
        k, s, p = r["kernel"], r["stride"], r["pad"]
        lo, hi = _s32(r["out_lo"]), _s32(r["out_hi"])
        if kind in VIEW_READERS:
            x = self._view(layer, r, in0, in1)
        else:
            self._check_stream(layer, "in0", in0, (ih, iw, ic))
            x = unpack(in0, (ih, iw, ic), self.act_bits, bool(r["in_signed"] & 1)).astype(np.int64)
        if kind == "move":
            if (oh, ow, oc) != (ih, iw, ic):
                raise self._fail(layer, f"move output geometry {oh}x{ow}x{oc} differs from the view {ih}x{iw}x{ic}")
            return pack(np.minimum(np.maximum(x, lo), hi), self.act_bits, lo < 0)
        if kind in ("pwconv", "conv", "dwconv"):
            if kind == "pwconv" and (k, s, p) != (1, 1, 0):
                raise self._fail(layer, f"pwconv needs kernel 1, stride 1, pad 0; registers say {k}, {s}, {p}")
            want = ((ih + 2 * p - k) // s + 1, (iw + 2 * p - k) // s + 1)
            if (oh, ow) != want or (kind == "dwconv" and oc != ic):
                raise self._fail(layer, f"output geometry {oh}x{ow}x{oc} does not follow from the input and window")
            bias, mult, shift = self._quant(layer, wmem, r["q_offset"], oc)
            xp = np.zeros((ih + 2 * p, iw + 2 * p, ic), dtype=np.int64)
            xp[p:p + ih, p:p + iw] = x
            if kind == "dwconv":
                wt = self._weights(layer, wmem, r["w_offset"], (ic, k, k))
                acc = self._dw(xp, wt, s, oh, ow, bias)
            else:
                wt = self._weights(layer, wmem, r["w_offset"], (oc, k, k, ic))
                acc = self._conv(xp, wt, s, oh, ow, bias)
        elif kind == "deform":
            n = r["max_offset"]
            if (oh, ow, oc) != ((ih - 1) // s + 1, (iw - 1) // s + 1, ic) or k != 3:
                raise self._fail(layer, f"deform output geometry {oh}x{ow}x{oc} (kernel {k}) does not follow from the input")
            self._check_stream(layer, "in1 (offsets)", in1, (oh, ow, 1))
            off = unpack(in1, (oh, ow, 1), self.act_bits, bool(r["in_signed"] & 2)).astype(np.int64)[:, :, 0]
            bias, mult, shift = self._quant(layer, wmem, r["q_offset"], oc)
            wt = self._weights(layer, wmem, r["w_offset"], (ic, 3, 3))
            acc = self._deform(x, off, wt, s, n, bias)
        elif kind == "add":
            if (oh, ow, oc) != (ih, iw, ic):
                raise self._fail(layer, f"add output geometry {oh}x{ow}x{oc} differs from the input {ih}x{iw}x{ic}")
            self._check_stream(layer, "in1", in1, (ih, iw, ic))
            y = unpack(in1, (ih, iw, ic), self.act_bits, bool(r["in_signed"] & 2)).astype(np.int64)
            acc = x * r["add_ma"] + y * r["add_mb"]
            mult, shift = np.ones(1, np.int64), np.full(1, r["add_shift"], np.int64)
        else:
            raise self._fail(layer, f"mode {kind} has no model")
        out = requant(acc, mult, shift, lo, hi)
        return pack(out, self.act_bits, lo < 0)

    def run_list(self, cmds: np.ndarray, n_cmds: int, act: np.ndarray, wmem: np.ndarray,
                 fields: tuple[str, ...], layer: str = "?") -> None:
        """A command list: each descriptor's registers and streams, read from and written to `act`
        in place, one pass after the other (as the engine runs them)."""
        words = (len(fields) + 1) // 2
        for i in range(n_cmds):
            raw = np.asarray(cmds[i * words:(i + 1) * words], dtype=np.uint64)
            halves = np.empty(2 * words, dtype=np.uint64)
            halves[0::2], halves[1::2] = raw & np.uint64(0xFFFFFFFF), raw >> np.uint64(32)
            d = {f: int(v) for f, v in zip(fields, halves)}
            where = f"{layer} command {i}"
            out, in0, in1 = (self._list_stream(act, d, name, where) for name in ("out", "in0", "in1"))
            res = self.run_pass(d, in0, in1, wmem, where)
            if res is None:
                continue
            if out is None or out.size != res.size:
                raise self._fail(where, f"the pass produced {res.size} beats, the descriptor's out_beats is "
                                        f"{0 if out is None else out.size}")
            out[:] = res

    def _list_stream(self, act: np.ndarray, d: Mapping[str, int], name: str, where: str) -> np.ndarray | None:
        """The words of one descriptor stream inside the activation memory (None when empty)."""
        off, beats = d[f"{name}_off"], d[f"{name}_beats"]
        if off + beats > act.size:
            raise self._fail(where, f"stream {name}: words {off} + {beats} run past the activation memory "
                                    f"of {act.size} words")
        return act[off:off + beats] if beats else None

    def _view(self, layer: str, r: Mapping[str, int], in0: np.ndarray | None, in1: np.ndarray | None) -> np.ndarray:
        """The kernel's input from its source streams: V[h, w, c] = S[h // up, w // up, c_start + c],
        S = in0, concat(in0, in1) or the 2-group shuffle of that concat."""
        up, m, cs, ic = r.get("up", 1), r.get("src_map", 0), r.get("c_start", 0), r["in_c"]
        c0, c1 = r.get("src_c0", ic), r.get("src_c1", 0)
        if up < 1 or r["in_h"] % up or r["in_w"] % up or m not in (0, 1, 2):
            raise self._fail(layer, f"view registers up = {up}, src_map = {m} do not describe a view of {r['in_h']}x{r['in_w']}")
        sh = (r["in_h"] // up, r["in_w"] // up)
        self._check_stream(layer, "in0", in0, (*sh, c0))
        src = unpack(in0, (*sh, c0), self.act_bits, bool(r["in_signed"] & 1)).astype(np.int64)
        if m:
            self._check_stream(layer, "in1", in1, (*sh, c1))
            b = unpack(in1, (*sh, c1), self.act_bits, bool(r["in_signed"] & 2)).astype(np.int64)
            if m == 1:
                src = np.concatenate([src, b], axis=2)
            else:
                if c0 != c1:
                    raise self._fail(layer, f"shuffle view needs equal sources, registers say {c0} and {c1}")
                src = np.stack([src, b], axis=3).reshape(*sh, 2 * c0)
        if cs + ic > src.shape[2]:
            raise self._fail(layer, f"view channels c_start {cs} + in_c {ic} exceed the source's {src.shape[2]}")
        return src[:, :, cs:cs + ic].repeat(up, axis=0).repeat(up, axis=1)

    @staticmethod
    def _conv(xp: np.ndarray, wt: np.ndarray, s: int, oh: int, ow: int, bias: np.ndarray) -> np.ndarray:
        oc, k, _, ic = wt.shape
        exact = int(np.abs(xp).max(initial=0)) * int(np.abs(wt).max(initial=0)) * k * k * ic < _EXACT
        dt = np.float64 if exact else np.int64
        acc = np.zeros((oh * ow, oc), dtype=dt)
        for i in range(k):
            for j in range(k):
                tap = xp[i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s].reshape(oh * ow, ic).astype(dt)
                acc += tap @ wt[:, i, j, :].T.astype(dt)
        return acc.astype(np.int64).reshape(oh, ow, oc) + bias

    @staticmethod
    def _dw(xp: np.ndarray, wt: np.ndarray, s: int, oh: int, ow: int, bias: np.ndarray) -> np.ndarray:
        c, k, _ = wt.shape
        acc = np.broadcast_to(bias, (oh, ow, c)).copy()
        for i in range(k):
            for j in range(k):
                acc += xp[i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s] * wt[:, i, j]
        return acc

    @staticmethod
    def _deform(x: np.ndarray, off: np.ndarray, wt: np.ndarray, s: int, n: int, bias: np.ndarray) -> np.ndarray:
        ih, iw, c = x.shape
        oh, ow = off.shape
        d = np.minimum(off, n)
        acc = np.broadcast_to(bias, (oh, ow, c)).copy()
        hc = np.arange(oh)[:, None] * s
        wc = np.arange(ow)[None, :] * s
        for i in (-1, 0, 1):
            for j in (-1, 0, 1):
                hh, ww = hc + i * d, wc + j * d
                inside = (hh >= 0) & (hh < ih) & (ww >= 0) & (ww < iw)
                v = x[np.clip(hh, 0, ih - 1), np.clip(ww, 0, iw - 1)] * inside[:, :, None]
                acc += v * wt[:, i + 1, j + 1]
        return acc
