"""echeancier — contributions, échéancier and recovery of French self-employed workers (CSS L613-3).

The public entry points are imported lazily so that the command line starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Simulation", "Situation", "simulate", "simulate_many"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from echeancier.contributions.engine import simulate
    from echeancier.contributions.result import Simulation
    from echeancier.contributions.situation import Situation
    from echeancier.contributions.vectorized import simulate_many


def __getattr__(name: str) -> Any:
    if name == "simulate":
        from echeancier.contributions.engine import simulate

        return simulate
    if name == "simulate_many":
        from echeancier.contributions.vectorized import simulate_many

        return simulate_many
    if name == "Simulation":
        from echeancier.contributions.result import Simulation

        return Simulation
    if name == "Situation":
        from echeancier.contributions.situation import Situation

        return Situation
    raise AttributeError(name)
