"""Shared fixtures: seeded randomness and tiny-network helpers."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def extreme_ints(rng: np.random.Generator, lo: int, hi: int, shape: tuple[int, ...], p_extreme: float = 0.3) -> np.ndarray:
    """Uniform integers in [lo, hi] with a fraction replaced by lo or hi (corner cases)."""
    a = rng.integers(lo, hi, size=shape, endpoint=True, dtype=np.int64)
    m = rng.random(shape)
    a[m < p_extreme / 2] = lo
    a[(m >= p_extreme / 2) & (m < p_extreme)] = hi
    return a
