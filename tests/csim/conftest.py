"""C-sim fixtures: each engine is compiled once per test session and reused by many layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.hw.engine import EngineConfig
from sim.csim import CsimLibrary
from sim.regress import csim_library


@pytest.fixture(scope="session")
def engine_cache(tmp_path_factory) -> Path:
    """`<work-dir>/engines`, the layout `accelgen regress --work-dir` uses."""
    path = tmp_path_factory.mktemp("regress") / "engines"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def compile_engine(engine_cache):
    def _compile(engine: EngineConfig) -> CsimLibrary:
        return csim_library(engine, engine_cache)

    return _compile
