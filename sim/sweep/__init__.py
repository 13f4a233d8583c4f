"""Parameter sweeps (``tradesim sweep``): many runs over grids or samples, locally or on a Dask
cluster, resumable, with SALib sensitivity indices. See ``docs/sweeps.md``.

    from sim.sweep import run_sweep, report_sweep
    result = run_sweep("scenarios/sweeps/policy_sobol.toml", workers=2)
    result.runs            # one row per run
"""

from __future__ import annotations

from sim.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "design": "sim.sweep.design",
    "points": "sim.sweep.design",
    "problem": "sim.sweep.design",
    "SweepResult": "sim.sweep.run",
    "plan": "sim.sweep.run",
    "report_sweep": "sim.sweep.run",
    "run_sweep": "sim.sweep.run",
    "indices": "sim.sweep.sensitivity",
    "Sweep": "sim.sweep.spec",
    "build_sweep": "sim.sweep.spec",
    "load_sweep": "sim.sweep.spec",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
