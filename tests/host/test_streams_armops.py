"""host.streams equals generator.hw.layout; host.armops equals generator.golden (random data)."""

from __future__ import annotations

import numpy as np
import pytest

from generator import golden
from generator.hw import layout
from host import armops, streams


@pytest.mark.parametrize("act_bits", [8, 16])
@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 5, 7), (4, 2, 8), (2, 3, 17), (5, 4, 64)])
def test_pack_unpack_match_layout(rng, act_bits, signed, shape):
    bits = act_bits if rng.random() < 0.5 else int(rng.integers(2, act_bits))
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    x = rng.integers(lo, hi, size=shape, endpoint=True)
    x.flat[0], x.flat[-1] = lo, hi
    beats = streams.pack(x, act_bits, signed)
    np.testing.assert_array_equal(beats, layout.pack_tensor(x, act_bits))
    assert beats.size == streams.n_beats(shape, act_bits)
    back = streams.unpack(beats, shape, act_bits, signed)
    np.testing.assert_array_equal(back, layout.unpack_tensor(beats, shape, act_bits, signed))
    np.testing.assert_array_equal(back, x)
    assert back.dtype == streams.container_dtype(act_bits, signed)


def test_pack_into_buffer_and_size_errors():
    x = np.arange(2 * 2 * 9).reshape(2, 2, 9) % 200
    buf = np.full(streams.n_beats(x.shape, 8), 0xFFFF_FFFF_FFFF_FFFF, dtype=np.uint64)
    streams.pack(x, 8, False, out=buf)  # stale lanes must be cleared
    np.testing.assert_array_equal(buf, layout.pack_tensor(x, 8))
    with pytest.raises(ValueError, match="needs 8 uint64"):
        streams.pack(x, 8, False, out=np.zeros(7, np.uint64))
    with pytest.raises(ValueError, match="needs 8"):
        streams.unpack(buf[:-1], x.shape, 8, False)


@pytest.mark.parametrize("dtype,lo,hi", [(np.uint8, 0, 255), (np.int8, -128, 127), (np.int16, -32768, 32767)])
def test_armops_match_golden(rng, dtype, lo, hi):
    for _ in range(5):
        h, w = (int(v) for v in rng.integers(1, 12, size=2))
        c = int(rng.choice([2, 4, 6, 12, 16]))
        x = rng.integers(lo, hi, size=(h, w, c), endpoint=True).astype(dtype)
        y = rng.integers(lo, hi, size=(h, w, 3), endpoint=True).astype(dtype)
        np.testing.assert_array_equal(armops.concat([x, y, x]), golden.concat([x, y, x]))
        start = int(rng.integers(0, c))
        stop = int(rng.integers(start + 1, c + 1))
        np.testing.assert_array_equal(armops.channel_slice(x, start, stop), golden.channel_slice(x, start, stop))
        for g in (1, 2, c // 2, c):
            np.testing.assert_array_equal(armops.shuffle(x, g), golden.shuffle(x, g))
        for f in (1, 2, 3):
            np.testing.assert_array_equal(armops.upsample(x, f), golden.upsample(x, f))
        for k, s, p in ((1, 1, 0), (2, 2, 0), (3, 2, 1), (3, 1, 1), (3, 3, 0), (5, 2, 2)):
            if h + 2 * p < k or w + 2 * p < k:
                continue
            got = armops.maxpool(x, k, s, p, lo)
            np.testing.assert_array_equal(got, golden.maxpool(x, k, s, p, lo))
            assert got.dtype == x.dtype


def test_armops_keep_container_dtype(rng):
    x = rng.integers(0, 255, size=(4, 4, 8)).astype(np.uint8)
    for y in (armops.shuffle(x, 2), armops.upsample(x, 2), armops.channel_slice(x, 1, 3), armops.concat([x, x])):
        assert y.dtype == np.uint8 and y.flags.c_contiguous
