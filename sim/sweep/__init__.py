"""Parameter sweeps (``tradesim sweep``): many runs over grids or samples, locally or on a Dask
cluster, resumable, with SALib sensitivity indices. See ``docs/sweeps.md``.

    from sim.sweep import run_sweep, report_sweep
    result = run_sweep("scenarios/sweeps/policy_sobol.toml", workers=2)
    result.runs            # one row per run
"""

from __future__ import annotations

import sys
import types

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


class _Package(types.ModuleType):
    """``design`` is both a submodule and the function it defines: importing the submodule
    (``sim.sweep.run`` does) sets the package's attribute to the module, after which
    ``from sim.sweep import design`` returned the module. The function is kept instead.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name == "design" and isinstance(value, types.ModuleType):
            value = value.design
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
