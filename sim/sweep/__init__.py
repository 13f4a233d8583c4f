"""Parameter sweeps (``tradesim sweep``): many runs over grids or samples, locally or on a Dask
cluster, resumable, with SALib sensitivity indices. See ``docs/sweeps.md``.

    from sim.sweep import run_sweep, report_sweep
    result = run_sweep("scenarios/sweeps/policy_sobol.toml", workers=2)
    result.runs            # one row per run
"""

from __future__ import annotations

from sim.sweep.design import design, points, problem
from sim.sweep.run import SweepResult, plan, report_sweep, run_sweep
from sim.sweep.sensitivity import indices
from sim.sweep.spec import Sweep, build_sweep, load_sweep

__all__ = [
    "Sweep",
    "SweepResult",
    "build_sweep",
    "design",
    "indices",
    "load_sweep",
    "plan",
    "points",
    "problem",
    "report_sweep",
    "run_sweep",
]
