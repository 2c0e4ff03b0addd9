"""The device interface: what the Accelerator needs from a board, a C-sim or an emulator.

A device owns the engine's AXI4-Lite registers and its DMA buffers. The Accelerator writes every
register of a pass through `write_reg` (at the offsets of regmap.json), then calls `run` with the
pass's stream buffers; `run` starts the engine, moves the streams and waits for ap_done, raising
`PassTimeout` naming the layer when it does not come within `timeout_s`. For a command list the
registers name the descriptor table and the activation memory (buffers from `allocate`) and `run`
gets no stream buffers: the engine reads and writes memory itself.
"""

from __future__ import annotations

import abc

import numpy as np

from host.project import Project


class Device(abc.ABC):
    name = "device"

    @abc.abstractmethod
    def open(self, project: Project) -> None:
        """Program the device for `project` (bitstream, C-sim library or emulator)."""

    @abc.abstractmethod
    def allocate(self, n_words: int, cacheable: bool = True) -> np.ndarray:
        """A DMA-capable buffer of `n_words` uint64 (contiguous, physically addressable on a board);
        `cacheable=False` maps it uncached on a board (no flush/invalidate needed)."""

    @abc.abstractmethod
    def address(self, buf: np.ndarray) -> int:
        """Bus address of a buffer from `allocate` (written to the `weights` pointer register)."""

    def sync_to_device(self, buf: np.ndarray) -> None:
        """Make CPU writes to `buf` visible to the fabric (cache flush on a board)."""
        return None

    def sync_from_device(self, buf: np.ndarray) -> None:
        """Make fabric writes to `buf` visible to the CPU (cache invalidate on a board)."""
        return None

    @abc.abstractmethod
    def write_reg(self, offset: int, value: int) -> None:
        """Write one 32-bit AXI4-Lite register."""

    @abc.abstractmethod
    def read_reg(self, offset: int) -> int:
        """Read one 32-bit AXI4-Lite register."""

    @abc.abstractmethod
    def run(self, layer: str, in0: np.ndarray | None, in1: np.ndarray | None, out: np.ndarray | None,
            timeout_s: float) -> None:
        """Start the pass the registers describe, stream in0/in1 in and out back, wait for ap_done."""

    def close(self) -> None:
        """Release the device (buffers, overlay, library)."""
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
