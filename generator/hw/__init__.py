"""Hardware IR: the engine's kernels, register map, data layouts and layer schedule.

This package is the contract between the generator, the HLS and RTL backends and the host
runtime; docs/architecture.md describes it in prose.
"""
