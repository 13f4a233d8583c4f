"""Plots of a sweep: a metric against each parameter, two-parameter heatmaps, index bars."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim import style

if TYPE_CHECKING:
    from sim.metrics import Metric
    from sim.sweep.run import SweepResult

MAX_BINS = 8
MAX_PAIRS = 6


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _scale(m: Metric) -> tuple[float, str]:
    return style.metric_scale(m)


def _bins(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """Bin codes and labels: each distinct value if there are few, else quantile bins."""
    distinct = pd.unique(values)
    if len(distinct) <= 12:
        order = sorted(distinct, key=lambda v: (str(type(v)), v))
        codes = values.map({v: i for i, v in enumerate(order)})
        return codes, [f"{v:.3g}" if isinstance(v, float) else str(v) for v in order]
    cut = pd.qcut(values.astype(float), MAX_BINS, duplicates="drop")
    labels = [f"{iv.mid:.3g}" for iv in cut.cat.categories]
    return pd.Series(cut.cat.codes, index=values.index), labels


def metric_vs_parameters(result: SweepResult, m: Metric, path: Path) -> None:
    """One panel per parameter: every run's value (dots) and the mean per value or bin (line)."""
    plt = _plt()
    runs = result.runs[result.runs["status"] == "ok"]
    names = result.sweep.names
    scale, unit = _scale(m)
    ncol = min(3, len(names))
    nrow = -(-len(names) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(max(6.0, 4.2 * ncol), 3.4 * nrow), squeeze=False)
    y = runs[m.name] * scale
    for ax, name in zip(axes.flat, names, strict=False):
        x = runs[name]
        numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
        codes, labels = _bins(x)
        means = y.groupby(codes).mean()
        if numeric and len(labels) > 0:
            ax.scatter(x.astype(float), y, s=6, alpha=0.35, color="#4c72b0", linewidths=0)
            centers = x.astype(float).groupby(codes).mean()
            ax.plot(centers.loc[means.index], means, color="#c44e52", marker="o", markersize=3, label="mean")
        else:
            ax.scatter(codes + np.random.default_rng(0).uniform(-0.15, 0.15, len(codes)), y, s=6, alpha=0.35)
            ax.plot(means.index, means, color="#c44e52", marker="o", markersize=3, label="mean")
            ax.set_xticks(range(len(labels)), labels, rotation=30)
        ax.set_xlabel(style.parameter_label(name), fontsize=8)
        ax.set_ylabel(style.axis_label(unit), fontsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    fig.suptitle(f"{style.metric_title(m)} ({len(runs)} runs)", fontsize=10)
    fig.tight_layout()
    _save(fig, path)


def heatmaps(result: SweepResult, m: Metric, path: Path) -> None:
    """Mean of the metric over bins of each pair of parameters (the first six pairs)."""
    plt = _plt()
    runs = result.runs[result.runs["status"] == "ok"]
    pairs = list(itertools.combinations(result.sweep.names, 2))[:MAX_PAIRS]
    scale, unit = _scale(m)
    ncol = min(3, len(pairs))
    nrow = -(-len(pairs) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(max(6.0, 4.4 * ncol), 3.8 * nrow), squeeze=False)
    for ax, (a, b) in zip(axes.flat, pairs, strict=False):
        ca, la = _bins(runs[a])
        cb, lb = _bins(runs[b])
        grid = (runs[m.name] * scale).groupby([cb, ca]).mean().unstack()
        grid = grid.reindex(index=range(len(lb)), columns=range(len(la)))
        im = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(la)), la, rotation=45, fontsize=7)
        ax.set_yticks(range(len(lb)), lb, fontsize=7)
        ax.set_xlabel(style.parameter_label(a), fontsize=8)
        ax.set_ylabel(style.parameter_label(b), fontsize=8)
        fig.colorbar(im, ax=ax, shrink=0.85).set_label(style.axis_label(unit), fontsize=7)
    for ax in list(axes.flat)[len(pairs) :]:
        ax.set_visible(False)
    fig.suptitle(f"{style.metric_title(m)}: mean over the runs in each cell", fontsize=10)
    fig.tight_layout()
    _save(fig, path)


def index_bars(table: pd.DataFrame, m: Metric, path: Path) -> None:
    """Bars of the main indices per parameter, with their 95% half-widths where SALib gives them."""
    plt = _plt()
    sub = table[~table["parameter"].str.contains(" x ")]
    kinds = [k for k in ("S1", "ST", "mu_star", "sigma", "delta") if k in set(sub["index"])]
    if "delta" in kinds:
        kinds = ["delta", "S1"]
    params = list(dict.fromkeys(sub["parameter"]))
    fig, ax = plt.subplots(figsize=(max(5.0, 1.3 * len(params) + 2), 3.6))
    width = 0.8 / max(1, len(kinds))
    for k, kind in enumerate(kinds):
        rows = sub[sub["index"] == kind].set_index("parameter").reindex(params)
        err = rows["conf"].to_numpy(dtype=float)
        ax.bar(
            np.arange(len(params)) + (k - (len(kinds) - 1) / 2) * width,
            rows["value"].to_numpy(dtype=float),
            width,
            yerr=np.where(np.isfinite(err), err, 0.0),
            capsize=3,
            label=kind,
        )
    ax.set_xticks(range(len(params)), [style.parameter_label(p) for p in params], fontsize=8, rotation=15)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel("parameter", fontsize=8)
    ax.legend(fontsize=8)
    units = {style.INDEX_UNITS.get(k, m.unit or "metric units") for k in kinds}
    ax.set_ylabel(" / ".join(sorted(units)) if kinds else "index", fontsize=8)
    ax.set_title(f"Sensitivity of: {style.metric_title(m)}\n(bars: index, whiskers: 95% interval)", fontsize=10)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    _save(fig, path)


def _save(fig, path: Path) -> None:
    tmp = path.with_name(f".tmp-{path.name}")
    fig.savefig(tmp, dpi=100)
    _plt().close(fig)
    tmp.replace(path)
