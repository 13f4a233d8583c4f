"""Figures of an experiment: each metric's series for base and arm across seeds, and their
paired difference, as median lines with 10-90% bands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim import style
from sim.experiment.spec import BASE_ARM

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.experiment.run import Comparison

BAND = (0.10, 0.90)


def figure_name(arm: str, metric: str) -> str:
    """File name of the figure of one arm and metric."""
    return f"{arm}__{metric}.png"


def _bands(wide: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(median, 10th, 90th percentile) across seeds (columns) per tick (rows)."""
    v = wide.to_numpy(dtype=float)
    with np.errstate(all="ignore"):
        q = np.nanquantile(v, [0.5, *BAND], axis=1) if v.size else np.full((3, len(wide)), np.nan)
    return q[0], q[1], q[2]


def effect_figure(comp: Comparison, arm: str, metric: str, path: str | Path | None = None) -> Figure | None:
    """Two panels: base and arm (median, 10-90% band across seeds); arm - base per seed
    (median, band). The metric's window is shaded. Returns None for cycle metrics (no series).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    m = next(x for x in comp.metrics if x.name == metric)
    if m.kind == "cycle":
        return None
    s = comp.series[comp.series["series"] == m.series_key]
    scale, unit = style.metric_scale(m)
    scn = comp.experiment.scenario
    wide = {}
    for a in (BASE_ARM, arm):
        w = s[s["arm"] == a].pivot(index="tick", columns="seed_index", values="value") * scale
        w.index = style.tick_years(scn, w.index.to_numpy())
        wide[a] = w
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.2), sharex=True, height_ratios=[3, 2])
    arm_label = next(a.label for a in comp.experiment.arms if a.name == arm)
    for a, color, text in ((BASE_ARM, "#4c72b0", "base"), (arm, "#dd8452", style.arm_legend(arm, arm_label))):
        w = wide[a]
        if w.empty:
            continue
        med, lo, hi = _bands(w)
        top.fill_between(w.index, lo, hi, color=color, alpha=0.25, linewidth=0)
        top.plot(w.index, med, color=color, label=text)
    common = wide[BASE_ARM].columns.intersection(wide[arm].columns)
    diff = wide[arm][common] - wide[BASE_ARM][common]
    if not diff.empty:
        med, lo, hi = _bands(diff)
        bottom.fill_between(diff.index, lo, hi, color="#55a868", alpha=0.3, linewidth=0, label="10-90% of seeds")
        bottom.plot(diff.index, med, color="#55a868", label="median")
    bottom.axhline(0.0, color="black", linewidth=0.7)
    for ax in (top, bottom):
        if m.stat == "at":
            ax.axvline(style.tick_years(scn, m.at), color="grey", linestyle=":", linewidth=1)
        else:
            lo, hi = style.tick_years(scn, np.array(m.window, dtype=float))
            ax.axvspan(lo, hi, color="grey", alpha=0.08, linewidth=0)
        ax.grid(alpha=0.3)
    n = len(common)
    window = tuple(style.tick_years(scn, np.array(m.window, dtype=float)))
    top.set_title(f"{style.metric_title(m, years=window)}\nmedian and 10-90% band across {n} seeds", fontsize=10)
    top.set_ylabel(style.axis_label(unit))
    top.legend(fontsize=8, loc="best")
    bottom.set_ylabel(f"arm - base, {unit}")
    bottom.set_xlabel(style.YEAR)
    bottom.legend(fontsize=8, loc="best")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig


def write_figures(comp: Comparison, folder: Path) -> list[Path]:
    """Write one figure per (arm, series metric) into ``folder``; returns their paths."""
    out = []
    for arm in comp.arms:
        for m in comp.metrics:
            if m.kind == "cycle":
                continue
            path = folder / figure_name(arm, m.name)
            tmp = folder / f".tmp-{path.name}"
            if effect_figure(comp, arm, m.name, tmp) is not None:
                tmp.replace(path)
                out.append(path)
    return out
