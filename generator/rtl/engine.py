"""The engine the RTL implements.

The RTL kernels have no view readers and no move kernel (yet): they run the *unfolded* schedule
of the same kernels, with the data movement (slice, concat, shuffle, upsample) on the ARM. Every
RTL entry point passes its engine through `rtl_engine`, so a project generated for the HLS flow
(folded) can still be verified kernel by kernel in RTL.
"""

from __future__ import annotations

from dataclasses import replace

from generator.hw.engine import EngineConfig

RTL_KINDS = ("pwconv", "conv", "dwconv", "deform", "add")


def rtl_engine(engine: EngineConfig) -> EngineConfig:
    return replace(engine, fold=False, kernels=tuple(k for k in engine.kernels if k.kind in RTL_KINDS))
