"""Paired-seed experiments (``tradesim compare``): the same world with and without a change,
over many seeds, with effect sizes, confidence intervals, figures and a report.

``sim.compare(base, arms, seeds=..., metrics=...)`` runs one from Python;
:func:`compare_file` runs an experiment file; see ``docs/experiments.md``.
"""

from __future__ import annotations

import importlib
from typing import Any

# Names are imported on first use (PEP 562), so that `tradesim --help` and the other commands
# do not pay for this package's dependencies (scipy.stats, SALib, statsmodels) unless they use it.
_EXPORTS: dict[str, str] = {
    "Comparison": "sim.experiment.run",
    "compare": "sim.experiment.run",
    "compare_file": "sim.experiment.run",
    "run_experiment": "sim.experiment.run",
    "Experiment": "sim.experiment.spec",
    "build_experiment": "sim.experiment.spec",
    "load_experiment": "sim.experiment.spec",
    "bootstrap_interval": "sim.experiment.stats",
    "paired_effect": "sim.experiment.stats",
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
