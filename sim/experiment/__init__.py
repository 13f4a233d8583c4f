"""Paired-seed experiments (``tradesim compare``): the same world with and without a change,
over many seeds, with effect sizes, confidence intervals, figures and a report.

``sim.compare(base, arms, seeds=..., metrics=...)`` runs one from Python;
:func:`compare_file` runs an experiment file; see ``docs/experiments.md``.
"""

from __future__ import annotations

from sim.experiment.run import Comparison, compare, compare_file, run_experiment
from sim.experiment.spec import Experiment, build_experiment, load_experiment
from sim.experiment.stats import bootstrap_interval, paired_effect

__all__ = [
    "Comparison",
    "Experiment",
    "bootstrap_interval",
    "build_experiment",
    "compare",
    "compare_file",
    "load_experiment",
    "paired_effect",
    "run_experiment",
]
