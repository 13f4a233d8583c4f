"""Sweep designs: which parameter values each run gets.

- ``grid``: every combination of each parameter's values (or ``steps`` evenly spaced values of
  its range);
- ``random``: ``samples`` points, each parameter uniform on its range (or drawn from its values);
- ``lhs``: a Latin hypercube of ``samples`` points (``scipy.stats.qmc.LatinHypercube``);
- ``sobol``: Saltelli's extension of a scrambled Sobol sequence (``SALib.sample.sobol``), N*(D+2)
  points (N*(2D+2) with second-order indices), for Sobol indices;
- ``morris``: ``samples`` Morris trajectories on a ``levels``-level grid
  (``SALib.sample.morris``), N*(D+1) points, for elementary effects.

Every point runs ``replicates`` times; replicate r has the model seed
``derive_seed(sweep seed, r)`` at every point (common random numbers across points), unless
``simulation.seed`` is itself swept. The design depends only on the sweep file, so it is the
same on every machine and at every rerun.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from sim.batch.task import derive_seed
from sim.sweep.spec import Sweep, design_columns, python_value


def problem(sweep: Sweep) -> dict[str, Any]:
    """The SALib problem: names and bounds of the parameters (ranges only)."""
    return {
        "num_vars": len(sweep.parameters),
        "names": sweep.names,
        "bounds": [list(p.range) if p.range is not None else [0.0, 1.0] for p in sweep.parameters],
    }


def points(sweep: Sweep) -> pd.DataFrame:
    """One row per design point (index ``point``), one column per parameter."""
    spec = sweep.spec
    pars = sweep.parameters
    names = sweep.names
    if spec.sampler == "grid":
        axes = [p.values if p.values is not None else np.linspace(p.range[0], p.range[1], p.steps) for p in pars]
        rows = list(itertools.product(*axes))
        df = pd.DataFrame(rows, columns=names)
    elif spec.sampler == "random":
        rng = np.random.default_rng(spec.seed)
        cols = {}
        for p in pars:
            if p.values is not None:
                cols[p.path] = [p.values[i] for i in rng.integers(0, len(p.values), spec.samples)]
            else:
                cols[p.path] = rng.uniform(p.range[0], p.range[1], spec.samples)
        df = pd.DataFrame(cols, columns=names)
    elif spec.sampler == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(pars), seed=np.random.default_rng(spec.seed)).random(spec.samples)
        lo = np.array([p.range[0] for p in pars])
        hi = np.array([p.range[1] for p in pars])
        df = pd.DataFrame(qmc.scale(unit, lo, hi), columns=names)
    elif spec.sampler == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(problem(sweep), spec.samples, calc_second_order=spec.second_order, seed=spec.seed)
        df = pd.DataFrame(x, columns=names)
    else:
        from SALib.sample import morris

        x = morris.sample(problem(sweep), spec.samples, num_levels=spec.levels, seed=spec.seed)
        df = pd.DataFrame(x, columns=names)
    for p in pars:
        if p.integer:
            df[p.path] = np.round(df[p.path].astype(float)).astype(np.int64)
    df.index.name = "point"
    return df


def design(sweep: Sweep) -> pd.DataFrame:
    """One row per run: run, point, replicate, seed and the parameter values."""
    pts = points(sweep)
    reps = sweep.spec.replicates
    n = len(pts)
    seeded = "simulation.seed" in sweep.names
    seeds = [derive_seed(sweep.spec.seed, r) for r in range(reps)]
    out = pts.loc[np.repeat(np.arange(n), reps)].reset_index()
    out.insert(0, "run", np.arange(len(out), dtype=np.int64))
    out.insert(2, "replicate", np.tile(np.arange(reps, dtype=np.int64), n))
    if seeded:
        out.insert(3, "seed", out["simulation.seed"].astype(np.int64))
    else:
        out.insert(3, "seed", np.tile(np.asarray(seeds, dtype=np.int64), n))
    return out[design_columns(sweep)]


def overrides_of(row: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """The key-path overrides of one design row (``simulation.seed`` is set by the task)."""
    return {k: python_value(row[k]) for k in names if k != "simulation.seed"}
