"""tradesim: an agent-based simulation of global trade imbalances on Mesa.

The public API::

    import sim
    scn = sim.load_scenario("scenarios/baseline.toml")
    res = sim.run(scn)                 # writes results/<name>/<run id>/
    res = sim.simulate(scn, seed=3)    # in memory only
    model = sim.TradeModel(scn); model.step()
"""

from __future__ import annotations

__version__ = "0.1.0"

from sim.errors import ScenarioError, SimulationError, TradesimError
from sim.model import TradeModel
from sim.results import Results
from sim.runner import load_run, run, simulate
from sim.scenario import load_scenario, synthetic


def compare(base, arms, **kwargs):
    """Paired-seed experiment: see :func:`sim.experiment.compare` (imported on first use)."""
    from sim.experiment import compare as _compare

    return _compare(base, arms, **kwargs)


__all__ = [
    "TradeModel",
    "Results",
    "run",
    "simulate",
    "load_run",
    "load_scenario",
    "synthetic",
    "compare",
    "TradesimError",
    "ScenarioError",
    "SimulationError",
]
