"""Parameter sweeps (``tradesim sweep``): many runs over grids or samples, locally or on a Dask
cluster, resumable, with SALib sensitivity indices. See ``docs/sweeps.md``.

    from sim.sweep import run_sweep, report_sweep
    result = run_sweep("scenarios/sweeps/policy_sobol.toml", workers=2)
    result.runs            # one row per run
"""

from __future__ import annotations

import importlib
from typing import Any

# Names are imported on first use (PEP 562), so that `tradesim --help` and the other commands
# do not pay for this package's dependencies (scipy.stats, SALib, statsmodels) unless they use it.
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

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
