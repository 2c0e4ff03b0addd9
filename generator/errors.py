"""User-facing error types.

Every error a user can cause (bad network, bad board, bad flag) is an `AccelgenError` whose
message is one line naming the item, the field and the limit. The CLI prints it and exits 2;
library code never uses `assert` for user input.
"""


class AccelgenError(Exception):
    """An error caused by user input; its message is a single self-contained line."""

    exit_code = 2


class NetworkError(AccelgenError):
    """A network file (JSON or NPZ) or its inputs break a rule of the network format."""


class BoardError(AccelgenError):
    """A board file is missing or malformed, or an unknown board was named."""


class MismatchError(AccelgenError):
    """A backend (C-sim, RTL sim, device) disagreed with the golden model: a failed check, exit 1."""

    exit_code = 1


class ToolError(AccelgenError):
    """An external tool (g++, a simulator, yosys, Vitis) is missing or failed."""
