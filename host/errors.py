"""Host-side error types (no dependency on the generator package).

Every problem a user can cause on the board (wrong inputs, wrong bitstream, missing files, a pass
that hangs) is a `HostError` whose message is one line naming the layer, field or file, the value
and the limit. `accelgen run` prints it and exits 2.
"""

from __future__ import annotations


class HostError(Exception):
    """A user-facing runtime error; its message is a single self-contained line."""

    exit_code = 2


class ProjectError(HostError):
    """The project's host files are missing, malformed or inconsistent with each other."""


class SignatureError(HostError):
    """The bitstream (ID register or file name) was built from a different plan."""


class InputError(HostError):
    """A frame's inputs have the wrong names, shape, dtype or range."""


class PassTimeout(HostError):
    """An engine pass (or its DMA) did not finish in time; the message names the layer."""


class DeviceError(HostError):
    """The device (board, C-sim library or emulator) rejected or failed a pass."""
