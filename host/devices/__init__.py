"""Devices behind one interface: `pynq` (the board) and `sim` (C-sim library or numpy emulator)."""

from __future__ import annotations

from host.devices.base import Device
from host.devices.pynq_device import PynqDevice
from host.devices.sim_device import SimDevice
from host.errors import HostError

DEVICES = ("sim", "pynq")


def make_device(kind: str, fast: bool = False, **kwargs) -> Device:
    """`sim` (fast=True: emulator) or `pynq`."""
    if kind == "sim":
        return SimDevice(fast=fast, **kwargs)
    if kind == "pynq":
        if fast:
            raise HostError("--fast applies to --device sim only (the pynq device runs the bitstream)")
        return PynqDevice(**kwargs)
    raise HostError(f"device '{kind}': unknown (choose from {', '.join(DEVICES)})")


__all__ = ["DEVICES", "Device", "PynqDevice", "SimDevice", "make_device"]
