"""Shared estimate primitives: resource vectors, memories (BRAM18 / LUTRAM / SRL FIFOs), LUTs of
multipliers and adders, and the calibration coefficients every estimate reads.

Kernel-specific estimates live beside their kernels in generator/hw/kernels/; this package holds
only what several kernels share.
"""

from generator.cost.calibration import Calibration, load_calibration
from generator.cost.resources import RESOURCE_KEYS, Resources

__all__ = ["Calibration", "RESOURCE_KEYS", "Resources", "load_calibration"]
