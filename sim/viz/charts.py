"""The demo's charts as ECharts options (plain dicts): the browser draws them, so a step costs
the server only the few milliseconds needed to build these dicts (a Matplotlib PNG costs about
0.1-0.3 s a chart on these machines). ECharts ships with Solara's offline assets, so the page
needs no internet.

Readable on a projector: large type, thick lines, the colour-blind-safe Okabe-Ito palette and
each country's colour from :func:`sim.overview.country_colors` (the same in every view and in
the run figures). The x axis holds every tick of the scenario, so lines grow across a fixed
frame. Every function takes plain arrays (from :mod:`sim.viz.data`) and returns a dict.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.analysis.figures import PHASE_COLORS
from sim.analysis.phases import BALANCE, IMBALANCE, REBALANCING

FONT = 17
"""Base font size of the charts, px."""
SURPLUS, DEFICIT, EVEN = "#E69F00", "#5E3C99", "#F7F7F7"
"""Heatmap colours: Okabe-Ito orange for surplus, a purple for deficit (the PuOr scheme)."""


def _num(v: float) -> float | None:
    """A JSON-safe number (None for NaN or infinity: ECharts leaves a gap)."""
    v = float(v)
    return round(v, 6) if math.isfinite(v) else None


NICE_YEARS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000)


def label_interval(n_ticks: int, dt: float, most: int = 10) -> int:
    """ECharts' ``axisLabel.interval`` (labels skipped between two shown) that shows a label
    every 1, 2, 5, 10, 20, ... years, at most ``most`` labels over ``n_ticks`` ticks of
    ``dt`` years.
    """
    span = n_ticks * dt
    step = next((y for y in NICE_YEARS if span / y <= most and y >= dt), NICE_YEARS[-1])
    return max(int(round(step / dt)) - 1, 0)


def _base(title: str, unit: str, labels: list[str], *, top: int = 80, dt: float = 1.0) -> dict[str, Any]:
    return {
        "animation": False,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": FONT + 3}},
        "textStyle": {"fontSize": FONT},
        "grid": {"left": 70, "right": 25, "top": top, "bottom": 35},
        "tooltip": {"trigger": "axis", "textStyle": {"fontSize": FONT - 2}},
        "xAxis": {
            "type": "category",
            "data": list(labels),
            "boundaryGap": False,
            "axisLabel": {"fontSize": FONT - 2, "interval": label_interval(len(labels), dt)},
            "axisTick": {"interval": label_interval(len(labels), dt)},
        },
        "yAxis": {
            "type": "value",
            "name": unit,
            "nameTextStyle": {"fontSize": FONT - 2, "align": "left"},
            "axisLabel": {"fontSize": FONT - 2},
        },
    }


def lines_chart(
    title: str,
    unit: str,
    labels: list[str],
    values: np.ndarray,
    names: list[str],
    colors: dict[str, str],
    *,
    dt: float = 1.0,
) -> dict[str, Any]:
    """One thick line per country.

    Args:
        title: chart title.
        unit: y-axis name (the unit of ``values``).
        labels: the x-axis labels of every tick of the scenario (the ticks run so far come first).
        values: (T, N) one column per country for the first T ticks, in ``unit``.
        names: the N countries.
        colors: country -> colour.
        dt: years per tick (for the axis labels).
    """
    opt = _base(title, unit, labels, dt=dt)
    opt["legend"] = {"top": 32, "textStyle": {"fontSize": FONT - 1}, "itemWidth": 30}
    opt["series"] = [
        {
            "name": n,
            "type": "line",
            "showSymbol": False,
            "lineStyle": {"width": 3.5, "color": colors[n]},
            "itemStyle": {"color": colors[n]},
            "data": [_num(v) for v in values[:, j]],
        }
        for j, n in enumerate(names)
    ]
    return opt


def phase_spans(phases: np.ndarray) -> list[tuple[int, int, str]]:
    """Runs of equal labels as (first, last, label), inclusive."""
    out = []
    start = 0
    for i in range(1, len(phases) + 1):
        if i == len(phases) or phases[i] != phases[start]:
            out.append((start, i - 1, str(phases[start])))
            start = i
    return out


def imbalance_chart(
    labels: list[str],
    index: np.ndarray,
    smoothed: np.ndarray,
    phases: np.ndarray,
    *,
    average_years: float,
    dt: float = 1.0,
) -> dict[str, Any]:
    """The global imbalance index (% of world GDP): each tick's value (thin grey), the live
    average the phase is read from (thick black), and each tick's live phase as a coloured band.

    Args:
        labels: the x-axis labels of every tick of the scenario (the ticks run so far first).
        index: (T,) the index of the first T ticks, share of world GDP.
        smoothed: (T,) its live average, share of world GDP.
        phases: (T,) live phase labels.
        average_years: years the average spans (for the legend).
        dt: years per tick (for the axis labels).
    """
    opt = _base("Global imbalance index", "% of world GDP", labels, top=100, dt=dt)
    # a band runs from its first tick to the next band's first tick (the last to its own end),
    # so a one-tick phase still shows
    last = len(labels) - 1
    bands = [
        [
            {"xAxis": labels[a], "itemStyle": {"color": PHASE_COLORS[label], "opacity": 0.45}},
            {"xAxis": labels[min(b + 1, last)]},
        ]
        for a, b, label in phase_spans(phases)
    ]
    opt["legend"] = {"top": 30, "textStyle": {"fontSize": FONT - 2}, "itemWidth": 26, "itemGap": 12}
    opt["series"] = [
        {
            "name": "yearly",
            "type": "line",
            "showSymbol": False,
            "lineStyle": {"width": 1.5, "color": "#777777"},
            "itemStyle": {"color": "#777777"},
            "data": [_num(100 * v) for v in index],
            "markArea": {"silent": True, "data": bands},
        },
        {
            "name": f"{average_years:g}-year average",
            "type": "line",
            "showSymbol": False,
            "lineStyle": {"width": 4, "color": "#000000"},
            "itemStyle": {"color": "#000000"},
            "data": [_num(100 * v) for v in smoothed],
        },
    ]
    # empty series name the band colours in the legend
    opt["series"] += [
        {"name": p, "type": "line", "data": [], "itemStyle": {"color": PHASE_COLORS[p]}, "lineStyle": {"width": 10}}
        for p in (BALANCE, IMBALANCE, REBALANCING)
    ]
    return opt


def heatmap_chart(
    names: list[str], balance: np.ndarray, colors: dict[str, str], *, gdp_world: float, year: str
) -> dict[str, Any]:
    """Who runs surpluses with whom: cell (row a, column b) is a's exports to b minus its imports
    from b, coloured in % of world GDP (orange: surplus, purple: deficit) and labelled in
    USD bn a year. Country names take their colours.

    Args:
        names: the N countries.
        balance: (N, N) USD bn/yr, antisymmetric.
        colors: country -> colour.
        gdp_world: world GDP, USD bn/yr.
        year: the year shown, as text.
    """
    pct = 100 * balance / gdp_world if gdp_world > 0 else np.zeros_like(balance)
    lim = max(float(np.abs(pct).max()), 0.05)
    n = len(names)
    cells = [
        {
            "value": [j, i, _num(pct[i, j])],
            "label": {"formatter": f"{balance[i, j]:+,.0f}" if i != j else ""},
        }
        for i in range(n)
        for j in range(n)
    ]
    cats = [{"value": nm, "textStyle": {"color": colors[nm], "fontWeight": "bold"}} for nm in names]
    return {
        "animation": False,
        "title": {
            "text": f"Surplus (+) of row with column, {year}",
            "subtext": "USD bn a year; colour: % of world GDP",
            "left": "center",
            "textStyle": {"fontSize": FONT + 3},
            "subtextStyle": {"fontSize": FONT - 3},
        },
        "tooltip": {"show": False},
        "grid": {"left": 95, "right": 90, "top": 75, "bottom": 55},
        "xAxis": {"type": "category", "data": cats, "axisLabel": {"fontSize": FONT - 1, "interval": 0}},
        "yAxis": {"type": "category", "data": cats, "inverse": True, "axisLabel": {"fontSize": FONT - 1}},
        "visualMap": {
            "min": -lim,
            "max": lim,
            "calculable": False,
            "orient": "vertical",
            "right": 5,
            "top": "middle",
            "itemHeight": 180,
            "precision": 1,
            "textStyle": {"fontSize": FONT - 4},
            "inRange": {"color": [DEFICIT, EVEN, SURPLUS]},
        },
        "series": [
            {
                "type": "heatmap",
                "data": cells,
                "label": {"show": True, "fontSize": FONT - 1},
                "itemStyle": {"borderColor": "#FFFFFF", "borderWidth": 2},
            }
        ],
    }
