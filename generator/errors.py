"""User-facing error types.

Every error a user can cause (bad network, bad board, bad flag) is an `AccelgenError` whose
message is one line naming the item, the field and the limit. The CLI prints it and exits 2;
library code never uses `assert` for user input.
"""


class AccelgenError(Exception):
    """An error caused by user input; its message is a single self-contained line."""


class NetworkError(AccelgenError):
    """A network file (JSON or NPZ) or its inputs break a rule of the network format."""


class BoardError(AccelgenError):
    """A board file is missing or malformed, or an unknown board was named."""
