"""Simulation: the cocotb runner wrapper and the testbenches (tb/)."""
