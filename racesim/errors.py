"""Errors raised by the simulator, each naming the file, line or value at fault."""

from lakehouse.errors import PelotonError


class SimulationError(PelotonError):
    """The simulator cannot go on: bad route data, an unknown scale, an unreachable database."""
