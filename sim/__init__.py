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

SUBPACKAGES = ("analysis", "experiment", "sweep", "batch", "viz")
"""Subpackages reachable as attributes after ``import sim`` (``sim.analysis.summary(res)``),
imported on first use so that ``import sim`` stays light."""


def __getattr__(name: str):
    """``sim.compare`` (:func:`sim.experiment.compare`) and the subpackages, imported on first use."""
    import importlib

    if name == "compare":
        from sim.experiment import compare

        return compare
    if name in SUBPACKAGES:
        return importlib.import_module(f"sim.{name}")
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
