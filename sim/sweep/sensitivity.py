"""Sensitivity indices of a finished sweep, computed with SALib, and the sweep's report.

Each metric is first averaged over the replicates of a design point (failed runs left out), then:

- ``sobol`` design: Sobol indices ``SALib.analyze.sobol.analyze`` — S1 (first order: the share
  of the metric's variance due to the parameter alone), ST (total: including interactions) and,
  if the design has them, S2 (pairwise interactions), each with a 95% bootstrap half-width;
- ``morris`` design: elementary effects ``SALib.analyze.morris.analyze`` — mu_star (mean
  absolute effect of moving the parameter across its range, in the metric's units), sigma
  (their spread: non-linearity or interactions) and mu (signed mean);
- ``random`` / ``lhs`` designs: the moment-independent delta (SALib's "raw" delta) and the
  first-order S1 estimated from any sample (``SALib.analyze.delta.analyze``, Plischke et al.
  2013); these need a few hundred points;
- ``grid``: no indices (the plots show the effects).

A metric with a design point where every replicate failed gets no Sobol or Morris indices (the
estimators need every point); the report says so.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.sweep.design import problem

if TYPE_CHECKING:
    from sim.sweep.run import SweepResult

INDEX_COLUMNS = ["metric", "parameter", "index", "value", "conf"]


def point_means(result: SweepResult) -> pd.DataFrame:
    """Metric means over each point's successful replicates (index: point, in design order)."""
    runs = result.runs
    names = [m.name for m in result.sweep.metrics]
    ok = runs[runs["status"] == "ok"]
    all_points = np.sort(runs["point"].unique())
    return ok.groupby("point")[names].mean().reindex(all_points)


def point_values(result: SweepResult) -> pd.DataFrame:
    """Parameter values of each point (index: point)."""
    return result.runs.groupby("point")[result.sweep.names].first()


def indices(result: SweepResult) -> tuple[pd.DataFrame, list[str]]:
    """(long table of indices: metric, parameter, index, value, conf; notes)."""
    spec = result.sweep.spec
    sampler = spec.sampler
    notes: list[str] = []
    if sampler == "grid":
        return pd.DataFrame(columns=INDEX_COLUMNS), ["a grid design gives no sensitivity indices; see the plots"]
    prob = problem(result.sweep)
    means = point_means(result)
    x = point_values(result).loc[means.index].to_numpy(dtype=float)
    rows: list[tuple] = []
    for m in result.sweep.metrics:
        y = means[m.name].to_numpy(dtype=float)
        bad = ~np.isfinite(y)
        if sampler in ("sobol", "morris") and bad.any():
            notes.append(f"{m.name}: {int(bad.sum())} design points have no successful run; no {sampler} indices")
            continue
        if np.nanstd(y) == 0:
            notes.append(f"{m.name}: the same value at every point; indices are undefined")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            new = _analyze(sampler, prob, x[~bad], y[~bad], m.name, spec)
        if new and all(not np.isfinite(r[3]) for r in new):
            notes.append(f"{m.name}: too few points for {sampler} indices ({int((~bad).sum())})")
        rows += new
    return pd.DataFrame(rows, columns=INDEX_COLUMNS), notes


def _analyze(sampler: str, prob: dict, x: np.ndarray, y: np.ndarray, metric: str, spec) -> list[tuple]:
    names = prob["names"]
    seed = (spec.seed + 1) % 2**32  # SALib reads seed 0 as "no seed"; delta needs < 2**32
    rows: list[tuple] = []
    if sampler == "sobol":
        from SALib.analyze import sobol

        si = sobol.analyze(prob, y, calc_second_order=spec.second_order, seed=seed)
        for key in ("S1", "ST"):
            rows += [(metric, n, key, float(si[key][i]), float(si[f"{key}_conf"][i])) for i, n in enumerate(names)]
        if spec.second_order:
            for i in range(len(names)):
                for j in range(i + 1, len(names)):
                    rows.append(
                        (metric, f"{names[i]} x {names[j]}", "S2", float(si["S2"][i, j]), float(si["S2_conf"][i, j]))
                    )
    elif sampler == "morris":
        from SALib.analyze import morris

        si = morris.analyze(prob, x, y, num_levels=spec.levels, seed=seed)
        for i, n in enumerate(names):
            rows.append((metric, n, "mu_star", float(si["mu_star"][i]), float(si["mu_star_conf"][i])))
            rows.append((metric, n, "sigma", float(si["sigma"][i]), float("nan")))
            rows.append((metric, n, "mu", float(si["mu"][i]), float("nan")))
    else:
        from SALib.analyze import delta

        # SALib's delta reseeds NumPy's global generator and prints notices: contain both
        state = np.random.get_state()
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                si = delta.analyze(prob, x, y, seed=seed)
        finally:
            np.random.set_state(state)
        for key, src in (("delta", "delta_raw"), ("S1", "S1")):
            rows += [(metric, n, key, float(si[src][i]), float(si[f"{src}_conf"][i])) for i, n in enumerate(names)]
    return rows


def write_report(result: SweepResult) -> Path:
    """Write ``report/`` (indices.csv, report.md, figures/) into the sweep's folder."""
    from sim.sweep.plots import heatmaps, index_bars, metric_vs_parameters

    folder = result.path / "report"
    figs = folder / "figures"
    figs.mkdir(parents=True, exist_ok=True)
    table, notes = indices(result)
    tmp = folder / f".{os.getpid()}-indices.csv.tmp"  # written whole, then renamed: a kill leaves no half table
    table.to_csv(tmp, index=False, float_format="%.6g")
    os.replace(tmp, folder / "indices.csv")
    lines = [f"# Sweep: {result.sweep.name}", ""]
    if result.sweep.spec.description:
        lines += [result.sweep.spec.description.strip(), ""]
    runs = result.runs
    spec = result.sweep.spec
    lines += [
        f"{spec.sampler} design: {runs['point'].nunique()} points x {spec.replicates} replicates = {len(runs)} runs "
        f"({result.failed} failed). Parameters: " + ", ".join(f"`{p}`" for p in result.sweep.names) + ".",
        "",
    ]
    n_ok = int((runs["status"] == "ok").sum())
    if n_ok == 0:
        notes.append("no run finished without an error: nothing to plot")
    for m in result.sweep.metrics:
        unit = "" if not m.unit or m.unit in m.label else f" ({m.unit})"
        lines += [f"## {m.name}", "", f"{m.label[:1].upper()}{m.label[1:]}{unit}.", ""]
        if n_ok == 0:
            continue
        sub = table[table["metric"] == m.name]
        if not sub.empty:
            lines += [_markdown(sub), ""]
            if sub["conf"].notna().any():
                lines += ["In brackets: the 95% confidence interval (value ± SALib's bootstrap half-width).", ""]
            path = figs / f"{m.name}__indices.png"
            index_bars(sub, m, path)
            lines += [f"![indices](figures/{path.name})", ""]
        path = figs / f"{m.name}__vs_parameters.png"
        metric_vs_parameters(result, m, path)
        lines += [f"![{m.name} against each parameter](figures/{path.name})", ""]
        if len(result.sweep.names) >= 2:
            path = figs / f"{m.name}__heatmaps.png"
            heatmaps(result, m, path)
            lines += [f"![{m.name}: two-parameter heatmaps](figures/{path.name})", ""]
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    tmp = folder / f".{os.getpid()}-report.md.tmp"
    tmp.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    os.replace(tmp, folder / "report.md")
    return folder


def _cell(value: float, conf: float) -> str:
    """``0.41 [0.36, 0.46]``: the index and its 95% interval (value alone if it has none)."""
    if not np.isfinite(conf):
        return f"{value:.3g}"
    return f"{value:.3g} [{value - conf:.3g}, {value + conf:.3g}]"


def _markdown(long: pd.DataFrame) -> str:
    """One row per parameter, one column per index, each cell with its confidence interval."""
    cells = long.assign(cell=[_cell(v, c) for v, c in zip(long["value"], long["conf"], strict=True)])
    wide = cells.pivot_table(index="parameter", columns="index", values="cell", aggfunc="first", sort=False)
    cols = list(wide.columns)
    out = ["| parameter | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for name, row in wide.iterrows():
        out.append(f"| `{name}` | " + " | ".join(str(v) for v in row.to_numpy()) + " |")
    return "\n".join(out)
