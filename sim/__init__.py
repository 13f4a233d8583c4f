"""tradesim: an agent-based simulation of global trade imbalances on Mesa.

The public API::

    import sim
    scn = sim.load_scenario("scenarios/baseline.toml")
    res = sim.run(scn)                 # writes results/<name>/<run id>/
    res = sim.simulate(scn, seed=3)    # in memory only
    model = sim.TradeModel(scn); model.step()
    comp = sim.compare(scn, {"thrifty": {"country.China.propensity_to_consume": 0.7}}, seeds=20)
"""

from __future__ import annotations

__version__ = "0.1.0"

from sim.errors import ScenarioError, SimulationError, TradesimError
from sim.model import TradeModel
from sim.results import Results
from sim.runner import load_run, run, simulate
from sim.scenario import load_scenario, synthetic


def __getattr__(name: str):
    """``sim.compare`` (:func:`sim.experiment.compare`), imported on first use."""
    if name == "compare":
        from sim.experiment import compare

        return compare
    raise AttributeError(f"module 'sim' has no attribute '{name}'")


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
