"""Race simulator: turns the real 2023 Tour de France routes into Peloton's three sources.

Route data: Tour de France - Geodata (florentfgrs/tour_de_france_geodata), ODbL 1.0.
"""

from racesim.errors import SimulationError

__all__ = ["SimulationError"]
