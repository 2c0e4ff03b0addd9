from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.dyadic import dyadic
from generator.errors import AccelgenError


@given(st.floats(1e-12, 1e4))
def test_dyadic_close(ratio):
    mult, shift = dyadic(ratio)
    assert 1 <= mult < 2**31 and 0 <= shift <= 62
    if ratio >= 2**-46:  # enough shift range for 15 significant bits
        assert mult < 2**15
        assert abs(mult / 2**shift - ratio) <= ratio * 2**-14


def test_dyadic_rejects_bad_ratio():
    with pytest.raises(AccelgenError, match="ratio must be a positive"):
        dyadic(0.0)
