"""The demo's charts as ECharts options (plain dicts): the browser draws them (as SVG, see
:mod:`sim.viz.svgchart`), so a step costs the server only the few milliseconds needed to build
these dicts. ECharts ships with Solara's offline assets, so the page needs no internet.

Made to fit any panel the page gives them (from about 370 x 230 px on a 1024 x 768 projector
up): titles, units and keys are HTML above each chart (:mod:`sim.viz.views`), so a chart holds
only its plot; ``grid.containLabel`` keeps the axis labels inside the panel; the x axis is a
value axis in calendar years (ECharts chooses round years for the panel's width and
``hideOverlap`` drops a label that would touch its neighbour), so quarterly runs read "2020,
2022, ..." rather than "2020 Q1 2020 Q2 ...". Each country keeps its colour from
:func:`sim.overview.country_colors`; surplus and deficit keep theirs from
:data:`sim.overview.SURPLUS_COLOR` / :data:`sim.overview.DEFICIT_COLOR` (the same as the
analysis figures). Every function takes plain arrays (from :mod:`sim.viz.data`) and returns a dict.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.analysis.figures import PHASE_COLORS
from sim.overview import DEFICIT_COLOR, EVEN_COLOR, SURPLUS_COLOR

FONT = 14
"""Axis label font size of the charts, px (the panels' HTML titles are larger)."""
YEAR_FORMAT = "year"
"""An ``axisLabel.formatter`` the page's chart widget replaces by a function printing a whole
year without a thousands separator (JSON cannot carry a function; see :mod:`sim.viz.svgchart`)."""
EVENT_COLOR = "#444444"
"""Dashed vertical lines at the scenario's policy events (and the levers' tick)."""


def _num(v: float) -> float | None:
    """A JSON-safe number (None for NaN or infinity: ECharts leaves a gap)."""
    v = float(v)
    return round(v, 6) if math.isfinite(v) else None


def _axes(first_year: float, last_year: float, unit_digits: int = 0) -> dict[str, Any]:
    """Grid and axes shared by the line charts: x in calendar years over the whole scenario."""
    return {
        "animation": False,
        "textStyle": {"fontSize": FONT},
        # the first and last year labels stand half outside the plot: room for them
        "grid": {"left": 18, "right": 18, "top": 12, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis", "textStyle": {"fontSize": FONT - 1}},
        "xAxis": {
            "type": "value",
            "min": first_year,
            "max": last_year,
            "minInterval": 1,
            "splitNumber": 5,
            "splitLine": {"show": False},
            # margin: the years stand clear of the y axis' lowest label at the corner
            "axisLabel": {
                "fontSize": FONT - 1,
                "formatter": YEAR_FORMAT,
                "hideOverlap": True,
                "showMaxLabel": False,
                "margin": 14,
            },
        },
        "yAxis": {
            "type": "value",
            "scale": False,
            "splitNumber": 4,
            "axisLabel": {"fontSize": FONT - 1, "hideOverlap": True},
        },
    }


def event_lines(event_years: list[float], span: tuple[float, float]) -> dict[str, Any]:
    """An ECharts ``markLine`` of dashed vertical lines at the given years (policy events) that
    fall within ``span``.
    """
    event_years = [y for y in event_years if span[0] <= y <= span[1]]
    return {
        "silent": True,
        "symbol": ["none", "none"],
        "label": {"show": False},
        "lineStyle": {"color": EVENT_COLOR, "type": "dashed", "width": 1.5},
        "data": [{"xAxis": _num(y)} for y in event_years],
    }


def lines_chart(
    years: np.ndarray,
    values: np.ndarray,
    names: list[str],
    colors: dict[str, str],
    *,
    span: tuple[float, float],
    events: list[float] | None = None,
    zero_line: bool = False,
) -> dict[str, Any]:
    """One thick line per country against calendar years.

    Args:
        years: (T,) calendar year of each tick run so far (fractional for quarters).
        values: (T, N) one column per country, in the unit the panel's title states.
        names: the N countries.
        colors: country -> colour.
        span: (first, last) year of the scenario: the fixed frame the lines grow across.
        events: years of policy events, drawn as dashed vertical lines.
        zero_line: draw a thin line at 0 (balances).
    """
    opt = _axes(*span)
    shown = np.asarray(years) >= span[0] - 1e-9  # a sliding frame: only the years in it
    yr = [_num(y) for y in np.asarray(years)[shown]]
    values = np.asarray(values)[shown]
    opt["series"] = [
        {
            "name": n,
            "type": "line",
            "showSymbol": False,
            "lineStyle": {"width": 3, "color": colors[n]},
            "itemStyle": {"color": colors[n]},
            "data": [[y, _num(v)] for y, v in zip(yr, values[:, j], strict=True)],
        }
        for j, n in enumerate(names)
    ]
    if opt["series"]:
        marks = event_lines(events or [], span)
        if zero_line:
            marks["data"].append({"yAxis": 0, "lineStyle": {"color": "#888888", "type": "solid", "width": 1}})
        opt["series"][0]["markLine"] = marks
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
    years: np.ndarray,
    index: np.ndarray,
    smoothed: np.ndarray,
    phases: np.ndarray,
    *,
    span: tuple[float, float],
    dt: float = 1.0,
    events: list[float] | None = None,
) -> dict[str, Any]:
    """The global imbalance index (% of world GDP): each tick's value (thin grey), the live
    average the phase is read from (thick black), and each tick's live phase as a coloured band.

    Args:
        years: (T,) calendar year of each tick run so far.
        index: (T,) the index of the first T ticks, share of world GDP.
        smoothed: (T,) its live average, share of world GDP.
        phases: (T,) live phase labels.
        span: (first, last) year of the scenario.
        dt: years per tick (a band runs to the end of its last tick).
        events: years of policy events, drawn as dashed vertical lines.
    """
    opt = _axes(*span)
    shown = np.asarray(years) >= span[0] - 1e-9  # a sliding frame: only the years in it
    yr = [float(y) for y in np.asarray(years)[shown]]
    index, smoothed, phases = np.asarray(index)[shown], np.asarray(smoothed)[shown], np.asarray(phases)[shown]
    # a band runs from its first tick to the end of its last (the next band's start), so a
    # one-tick phase still shows
    bands = [
        [
            {"xAxis": _num(yr[a]), "itemStyle": {"color": PHASE_COLORS[label], "opacity": 0.45}},
            {"xAxis": _num(min(yr[b] + dt, span[1]))},
        ]
        for a, b, label in phase_spans(phases)
    ]
    opt["series"] = [
        {
            "name": "each year",
            "type": "line",
            "showSymbol": False,
            "lineStyle": {"width": 1.5, "color": "#777777"},
            "itemStyle": {"color": "#777777"},
            "data": [[_num(y), _num(100 * v)] for y, v in zip(yr, index, strict=True)],
            "markArea": {"silent": True, "data": bands},
            "markLine": event_lines(events or [], span),
        },
        {
            "name": "average",
            "type": "line",
            "showSymbol": False,
            "lineStyle": {"width": 4, "color": "#000000"},
            "itemStyle": {"color": "#000000"},
            "data": [[_num(y), _num(100 * v)] for y, v in zip(yr, smoothed, strict=True)],
        },
    ]
    return opt


def compact(value: float) -> str:
    """A signed cell label of at most 5 characters: ``+297``, ``-27``, ``+1.2k`` (thousands),
    ``-52k``, ``+2.6M`` (millions); ``0`` under a half.
    """
    a = abs(value)
    if a < 0.5:
        return "0"
    for scale, suffix in ((1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "G")):
        v = value / scale
        if abs(v) < 9.95 and scale > 1:
            return f"{v:+.1f}{suffix}"
        if abs(v) < 999.5:
            return f"{v:+.0f}{suffix}"
    return f"{value / 1e12:+.0f}T"


def heatmap_label_size(n: int) -> int:
    """Font size (px) of the numbers in an n x n matrix; 0: too many countries to print them.

    The smallest panel (about 370 x 230 px at 1024 x 768) leaves cells of about 30 x 26 px for
    six countries; a 5-character label at 11 px is about 30 px wide (the browser test checks
    that no two labels touch at each size).
    """
    if n <= 5:
        return 13
    if n <= 6:
        return 12
    if n <= 8:
        return 10
    return 0


def heatmap_chart(names: list[str], balance: np.ndarray, colors: dict[str, str], *, gdp_world: float) -> dict[str, Any]:
    """Who runs surpluses with whom: cell (row a, column b) is a's exports to b minus its imports
    from b, coloured in % of world GDP (:data:`~sim.overview.SURPLUS_COLOR` surplus,
    :data:`~sim.overview.DEFICIT_COLOR` deficit) and labelled in USD bn a year (compact, see
    :func:`compact`; none with more than 8 countries). Country names take their colours.

    Args:
        names: the N countries.
        balance: (N, N) USD bn/yr, antisymmetric.
        colors: country -> colour.
        gdp_world: world GDP, USD bn/yr.
    """
    pct = 100 * balance / gdp_world if gdp_world > 0 else np.zeros_like(balance)
    lim = max(float(np.abs(pct).max()), 0.05)
    n = len(names)
    size = heatmap_label_size(n)
    cells = []
    for i in range(n):
        for j in range(n):
            label: dict[str, Any] = {"formatter": compact(balance[i, j]) if i != j and size else ""}
            if abs(pct[i, j]) > 0.55 * lim:  # dark cell: white numbers
                label["color"] = "#FFFFFF"
            cells.append({"value": [j, i, _num(pct[i, j])], "label": label})
    rotate = 30 if n > 5 or max(len(x) for x in names) > 7 else 0
    cats = [{"value": nm, "textStyle": {"color": colors[nm], "fontWeight": "bold"}} for nm in names]
    axis_font = FONT - 1 if n <= 6 else FONT - 3
    return {
        "animation": False,
        "tooltip": {"show": False},
        "grid": {"left": 4, "right": 8, "top": 10, "bottom": 4, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": cats,
            "position": "top",
            "axisTick": {"show": False},
            "axisLine": {"show": False},
            "axisLabel": {"fontSize": axis_font, "interval": 0, "rotate": rotate},
        },
        "yAxis": {
            "type": "category",
            "data": cats,
            "inverse": True,
            "axisTick": {"show": False},
            "axisLine": {"show": False},
            "axisLabel": {"fontSize": axis_font, "interval": 0},
        },
        "visualMap": {
            "show": False,
            "min": -lim,
            "max": lim,
            "dimension": 2,
            "inRange": {"color": [DEFICIT_COLOR, EVEN_COLOR, SURPLUS_COLOR]},
        },
        "series": [
            {
                "type": "heatmap",
                "data": cells,
                "label": {"show": bool(size), "fontSize": size or FONT, "color": "#000000"},
                "itemStyle": {"borderColor": "#FFFFFF", "borderWidth": 1.5},
            }
        ],
    }
