"""Figures of the analysis, one function each, written as PNG files readable on a projector:
large type, thick lines, the colour-blind-safe Okabe-Ito palette and the same colour for a
country in every figure (:func:`sim.overview.country_colors`).

Each function takes a ``sim.Results`` or an :class:`~sim.analysis.run_analysis.Analysis`
(a bare run is analysed with the ``standard`` rule first) and a path, and returns the path.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from sim.analysis import measures  # noqa: E402
from sim.analysis.cycles import Rule  # noqa: E402
from sim.analysis.phases import BALANCE, IMBALANCE, REBALANCING  # noqa: E402
from sim.analysis.run_analysis import Analysis, analyse  # noqa: E402
from sim.overview import PALETTE, balance_cmap, country_colors  # noqa: E402
from sim.results import Results  # noqa: E402

STYLE = {
    "font.size": 17,
    "axes.titlesize": 20,
    "axes.labelsize": 17,
    "xtick.labelsize": 15,
    "ytick.labelsize": 15,
    "legend.fontsize": 14,
    "lines.linewidth": 2.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
DPI = 110
WIDE = (13, 6.5)
PHASE_COLORS = {BALANCE: "#BBBBBB", IMBALANCE: "#E69F00", REBALANCING: "#56B4E9"}
"""Okabe-Ito grey, orange and sky blue, drawn as light bands behind the index."""
PEAK_COLOR, TROUGH_COLOR = "#D55E00", "#0072B2"


def _analysis(source: Results | Analysis, rule: Rule = "standard") -> Analysis:
    return source if isinstance(source, Analysis) else analyse(source, rule)


def _results(source: Results | Analysis) -> Results:
    return source.results if isinstance(source, Analysis) else measures.as_results(source)


def _largest(res: Results, max_countries: int) -> list[str]:
    """The countries drawn: all, or the largest by mean GDP, in scenario order."""
    names = res.countries
    if len(names) <= max_countries:
        return names
    top = set(res.series("gdp").mean().sort_values(ascending=False).index[:max_countries])
    return [n for n in names if n in top]


def _colors(res: Results, drawn: list[str]) -> dict[str, str]:
    """The overview's stable colours; in worlds larger than the palette, the drawn countries
    (the same largest ones in every figure) are coloured in order so that no two collide.
    """
    if len(res.countries) <= len(PALETTE):
        return country_colors(res.countries)
    return country_colors(drawn)


def _title(res: Results) -> str:
    sim = res.scenario.simulation
    return f"{sim.name} (seed {sim.seed})"


def _save(fig: plt.Figure, path: str | Path) -> Path:
    path = Path(path)
    fig.savefig(path, dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return path


def _phase_bands(ax: plt.Axes, years: np.ndarray, phases: np.ndarray) -> None:
    """Shade runs of equal phase; a band spans half a step either side of its ticks."""
    if years.size == 0:
        return
    step = float(np.median(np.diff(years))) if years.size > 1 else 1.0
    change = np.flatnonzero(phases[1:] != phases[:-1]) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [phases.size]])
    for a, b in zip(starts, ends, strict=True):
        ax.axvspan(
            years[a] - step / 2, years[b - 1] + step / 2, color=PHASE_COLORS[phases[a]], alpha=0.28, lw=0, zorder=0
        )


def imbalance_figure(source: Results | Analysis, path: str | Path, rule: Rule = "standard") -> Path:
    """The global imbalance index (% of world GDP) with its smoothed version, the phases shaded
    and the dated peaks and troughs marked.

    Args:
        source: a run or its analysis.
        path: the PNG to write.
        rule: dating rule when ``source`` is a bare run.
    """
    a = _analysis(source, rule)
    yr = a.years
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=WIDE, constrained_layout=True)
        _phase_bands(ax, yr, a.phases)
        ax.plot(yr, 100 * a.index.to_numpy(), color="#777777", lw=1.4, label="index")
        ax.plot(yr, 100 * a.tp.smoothed, color="#000000", lw=3.0, label=f"{a.rule.smoothing_years:g}-year average")
        pk, tr = a.tp.peaks, a.tp.troughs
        ax.plot(yr[pk], 100 * a.tp.smoothed[pk], "v", ms=15, color=PEAK_COLOR, label="peak", zorder=5)
        ax.plot(yr[tr], 100 * a.tp.smoothed[tr], "^", ms=15, color=TROUGH_COLOR, label="trough", zorder=5)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("year")
        ax.set_ylabel("sum of |current account|,\n% of world GDP")
        ax.set_title(f"Global imbalances — {_title(a.results)}")
        handles, _ = ax.get_legend_handles_labels()
        handles += [Patch(color=PHASE_COLORS[p], alpha=0.5, label=p) for p in (BALANCE, IMBALANCE, REBALANCING)]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=7, frameon=False,
                  handletextpad=0.4, columnspacing=1.2)  # fmt: skip
        ax.grid(alpha=0.3)
        return _save(fig, path)


def balances_figure(source: Results | Analysis, path: str | Path, max_countries: int = 8) -> Path:
    """Each country's current account as % of its GDP (the largest ``max_countries`` by GDP).

    Args:
        source: a run or its analysis.
        path: the PNG to write.
        max_countries: how many countries to draw at most.
    """
    res = _results(source)
    ca = measures.balance_shares(res) * 100
    yr = measures.years(res).reindex(ca.index).to_numpy()
    drawn = _largest(res, max_countries)
    colors = _colors(res, drawn)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=WIDE, constrained_layout=True)
        for n in drawn:
            ax.plot(yr, ca[n].to_numpy(), color=colors[n], label=n)
        ax.axhline(0, color="grey", lw=1.2)
        ax.set_xlabel("year")
        ax.set_ylabel("% of own GDP")
        ax.set_title(f"Current account balances — {_title(res)}")
        ax.legend(loc="best", frameon=False, ncol=2)
        ax.grid(alpha=0.3)
        return _save(fig, path)


def reserves_figure(source: Results | Analysis, path: str | Path, max_countries: int = 8) -> Path:
    """Official reserves in months of imports by country.

    Args:
        source: a run or its analysis.
        path: the PNG to write.
        max_countries: how many countries to draw at most.
    """
    res = _results(source)
    months = measures.reserves_months(res)
    yr = measures.years(res).reindex(months.index).to_numpy()
    drawn = _largest(res, max_countries)
    colors = _colors(res, drawn)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=WIDE, constrained_layout=True)
        for n in drawn:
            ax.plot(yr, months[n].to_numpy(), color=colors[n], label=n)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("year")
        ax.set_ylabel("months of imports")
        ax.set_title(f"Official reserves — {_title(res)}")
        ax.legend(loc="best", frameon=False, ncol=2)
        ax.grid(alpha=0.3)
        return _save(fig, path)


def bilateral_heatmap(
    source: Results | Analysis, path: str | Path, tick: int | None = None, max_countries: int = 12
) -> Path:
    """Bilateral balances at one tick as % of world GDP: row country's exports to the column
    country minus its imports from it (blue: the row country is in surplus with the column
    country, red: in deficit; :func:`sim.overview.balance_cmap`, the demo page's colours).

    Args:
        source: a run or its analysis.
        path: the PNG to write.
        tick: the tick (default: the largest dated peak of the imbalance index, or its maximum).
        max_countries: the largest countries by GDP shown.
    """
    a = _analysis(source)
    res = a.results
    t = a.largest_peak_tick() if tick is None else int(tick)
    mat = measures.bilateral_balance_matrix(res, t)
    world_gdp = float(res.series("gdp").loc[t].sum())
    names = _largest(res, max_countries)
    pct = mat.loc[names, names] * 100 / world_gdp
    lim = max(float(np.nanmax(np.abs(pct.to_numpy()))), 0.01)  # at least 0.01% of world GDP
    year = measures.years(res).loc[t]
    size = max(7.0, 0.75 * len(names) + 4)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(size + 2, size), constrained_layout=True)
        im = ax.imshow(pct.to_numpy(), cmap=balance_cmap(), vmin=-lim, vmax=lim)
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel("partner")
        ax.set_ylabel("country")
        if len(names) <= 8:
            for i in range(len(names)):
                for j in range(len(names)):
                    if i != j:
                        v = pct.iat[i, j]
                        ax.text(j, i, f"{v:+.2f}", ha="center", va="center", fontsize=14,
                                color="white" if abs(v) > 0.6 * lim else "black")  # fmt: skip
        ax.spines[:].set_visible(False)
        cb = fig.colorbar(im, ax=ax, shrink=0.85)
        cb.set_label("% of world GDP")
        ax.set_title(f"Bilateral balances in {year:g} (tick {t}):\nrow country's exports to column minus imports")
        return _save(fig, path)


def development_figure(source: Results | Analysis, path: str | Path, rule: Rule = "standard") -> Path:
    """Imbalance beside uneven development: the smoothed imbalance index (% of world GDP) and the
    dispersion of development levels (std of log GDP at PPP per worker) on two axes.

    Args:
        source: a run or its analysis.
        path: the PNG to write.
        rule: dating rule when ``source`` is a bare run.
    """
    a = _analysis(source, rule)
    yr = a.years
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=WIDE, constrained_layout=True)
        ax.plot(yr, 100 * a.tp.smoothed, color="#000000", lw=3.0, label="imbalance index (smoothed)")
        ax.set_ylabel("imbalances, % of world GDP")
        ax.set_ylim(bottom=0)
        ax.set_xlabel("year")
        ax2 = ax.twinx()
        ax2.plot(yr, a.world["development_dispersion"].to_numpy(), color="#009E73", lw=3.0, ls="--")
        ax2.set_ylabel("dispersion of log GDP (PPP) per worker", color="#009E73")
        ax2.tick_params(axis="y", colors="#009E73")
        ax2.spines["right"].set_visible(True)
        ax.plot([], [], color="#009E73", lw=3.0, ls="--", label="development dispersion")
        ax.legend(loc="upper right", frameon=False)
        ax.set_title(f"Imbalances and uneven development — {_title(a.results)}")
        ax.grid(alpha=0.3)
        return _save(fig, path)


FIGURES = {
    "imbalance.png": imbalance_figure,
    "balances.png": balances_figure,
    "bilateral.png": bilateral_heatmap,
    "reserves.png": reserves_figure,
    "development.png": development_figure,
}
"""File name -> figure function, in the order the report shows them."""


def all_figures(a: Analysis, folder: str | Path) -> dict[str, Path]:
    """Write every figure into ``folder`` (the bilateral heatmap only if flows were logged)."""
    folder = Path(folder)
    out = {}
    has_bilateral = len(a.results.bilateral) > 0
    for name, fn in FIGURES.items():
        if fn is bilateral_heatmap:
            if not has_bilateral:
                continue
            logged = set(pd.unique(a.results.bilateral["tick"]))
            t = a.largest_peak_tick()
            if t not in logged:
                t = min(logged, key=lambda x: (abs(x - t), x))
            out[name] = fn(a, folder / name, tick=t)
        else:
            out[name] = fn(a, folder / name)
    return out
