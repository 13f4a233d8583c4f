"""Paired-seed experiments (``tradesim compare``): the same world with and without a change,
over many seeds, with effect sizes, confidence intervals, figures and a report.

``sim.compare(base, arms, seeds=..., metrics=...)`` runs one from Python;
:func:`compare_file` runs an experiment file; see ``docs/experiments.md``.
"""

from __future__ import annotations

from sim.lazy import lazy_exports

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

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
