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

import importlib

from sim.errors import ScenarioError, SimulationError, TradesimError

_EXPORTS = {
    "TradeModel": "sim.model",
    "Results": "sim.results",
    "load_run": "sim.runner",
    "run": "sim.runner",
    "simulate": "sim.runner",
    "load_scenario": "sim.scenario",
    "synthetic": "sim.scenario",
    "compare": "sim.experiment",
}
"""Names imported on first use, so that ``import sim`` (and ``tradesim --help``) stays light."""

SUBPACKAGES = ("analysis", "experiment", "sweep", "batch", "viz")
"""Subpackages reachable as attributes after ``import sim`` (``sim.analysis.summary(res)``)."""


def __getattr__(name: str):
    """The public names of :data:`_EXPORTS` and the subpackages, imported on first use."""
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name in SUBPACKAGES:
        return importlib.import_module(f"sim.{name}")
    raise AttributeError(f"module 'sim' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, *SUBPACKAGES})


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
