"""Paired-seed experiments for the mechanism tests: the same scenario with and without one
change, over the same seeds (common random numbers)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import sim
from sim.scenario import load_scenario

SEEDS = (1, 2, 3, 4, 5, 6)


def paired(
    path, change: dict, metric: Callable[[sim.Results], float], seeds=SEEDS, base: dict | None = None
) -> np.ndarray:
    """Per-seed differences metric(with change) - metric(without), same seeds both arms."""
    scn = load_scenario(path, base or None)
    arm = load_scenario(scn, change)
    return np.array([metric(sim.simulate(arm, seed=s)) - metric(sim.simulate(scn, seed=s)) for s in seeds])
