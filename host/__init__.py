"""accelgen host runtime: runs a generated accelerator from the board's ARM cores.

Imports only numpy (and pynq, lazily, for the board device); it never imports the generator, so
the `host/` folder can be copied to a board on its own (`accelgen deploy`).
"""

from __future__ import annotations

from host.accelerator import Accelerator
from host.devices import Device, PynqDevice, SimDevice, make_device
from host.errors import HostError
from host.project import Project, load_project

__all__ = ["Accelerator", "Device", "HostError", "Project", "PynqDevice", "SimDevice", "load_project", "make_device"]
