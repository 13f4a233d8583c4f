"""What each view of the page shows, for a model as it stands: the text of the "now" card and,
for each chart, its title, a one-line key and the ECharts option. No Solara here:
:mod:`sim.viz.app` only places these on the page, and the tests and the benchmark call them
directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.overview import country_colors
from sim.viz import charts, data
from sim.viz.captions import SECTOR_WORDS, caption, year_words
from sim.viz.demo_model import DemoModel, describe


@dataclass(frozen=True)
class Now:
    """The "now" card: the live phase, the index, the caption and a line of context.

    Attributes:
        phase: ``balance``, ``imbalance`` or ``rebalancing``.
        level: the averaged imbalance index in words (empty before the first tick).
        caption: the plain-language caption (a prompt before the first tick).
        meta: the levers in force (or how to set them).
        when: scenario, year and tick, e.g. ``"baseline: 2011, tick 12 of 200"``.
    """

    phase: str
    level: str
    caption: str
    meta: str
    when: str


@dataclass(frozen=True)
class Panel:
    """One chart of the page.

    Attributes:
        title: the chart's title with its unit (HTML text above the chart).
        key: what the marks mean, one short line (HTML text under the title).
        option: the ECharts option (a JSON-safe dict).
    """

    title: str
    key: str
    option: dict[str, Any]


def now(model: DemoModel) -> Now:
    """The "now" card of the model's last tick."""
    index = data.imbalance_index(model)
    phase = data.live_phase(model)
    done = len(model.recorder.ticks)
    sim = model.spec.simulation
    if done == 0:
        level, text = "", "Press Step or ▶ to run the world; this caption tells what happens."
        when = str(sim.start_year)
    else:
        smooth = data.live_smoothed(index, model.spec.dt)
        level = f"index {100 * smooth[-1]:.1f}% of world GDP"
        lv = model.levers
        text = caption(data.situation(model, focus=(lv.country, lv.partner)))
        when = year_words(data.years(model)[-1], model.spec.dt)
    levers = describe(model.levers)
    start = year_words(sim.start_year + model.levers.start_tick * model.spec.dt, model.spec.dt)
    lever_text = (
        f"Levers from {start} (tick {model.levers.start_tick}): {levers}"
        if levers
        else "Levers: none (the scenario as shipped). Set them on the left, then press Reset."
    )
    name = model.initial_spec.simulation.name
    return Now(phase, level, text, lever_text, f"{name}: {when}, tick {done} of {sim.ticks}")


def countries(model: DemoModel) -> dict[str, str]:
    """Country -> colour, in scenario order: the page's one key to every chart's colours."""
    return country_colors(model.names)


def imbalance(model: DemoModel) -> Panel:
    """The global imbalance index with the live phase as bands."""
    index = data.imbalance_index(model)
    dt = model.spec.dt
    years = data.smoothing_ticks(dt) * dt
    option = charts.imbalance_chart(
        data.years(model),
        index,
        data.live_smoothed(index, dt),
        data.live_phases(index, dt),
        span=data.span(model),
        dt=dt,
        events=data.event_years(model),
    )
    return Panel(
        "Global imbalance index, % of world GDP",
        f"grey: each year · black: {years:g}-year average · bands: the phase",
        option,
    )


def balance(model: DemoModel) -> Panel:
    """Each country's trade balance, % of GDP."""
    option = charts.lines_chart(
        data.years(model),
        100 * data.balance_shares(model),
        model.names,
        countries(model),
        span=data.span(model),
        events=data.event_years(model),
        zero_line=True,
    )
    return Panel("Trade balance, % of GDP", "above 0: surplus · below 0: deficit", option)


def reserves(model: DemoModel) -> Panel:
    """Each country's reserves, months of imports."""
    option = charts.lines_chart(
        data.years(model),
        data.reserves_months(model),
        model.names,
        countries(model),
        span=data.span(model),
        events=data.event_years(model),
    )
    issuers = model.spec.world.reserve_issuers or model.names[:1]
    months = data.reserves_months(model)
    held = bool(months.size) and bool(np.nanmax(np.abs(months), initial=0.0) > 0)
    key = f"claims on the reserve issuer ({', '.join(issuers)})"
    if not held and len(model.recorder.ticks):
        key += " · no country holds any yet"
    return Panel("Reserves, months of imports", key, option)


def bilateral(model: DemoModel) -> Panel:
    """Who runs surpluses with whom, at the last tick."""
    done = len(model.recorder.ticks)
    world = float(data.gdp(model)[-1].sum()) if done else 0.0
    year = year_words(data.years(model)[-1], model.spec.dt) if done else "before the first year"
    matrix = data.bilateral_balance(model)
    option = charts.heatmap_chart(model.names, matrix, countries(model), gdp_world=world)
    largest = float(abs(matrix).max()) if matrix.size else 0.0
    scale = " (k: thousand, M: million)" if largest >= 999_500 else " (k: thousand)" if largest >= 999.5 else ""
    return Panel(f"Surplus of row with column, {year}", f"USD bn a year{scale} · blue surplus, red deficit", option)


def production(model: DemoModel) -> Panel:
    """Each country's share of the world's output of the relocating (labor-intensive) sector."""
    sector = model.spec.world.development.relocation_sector
    option = charts.lines_chart(
        data.years(model),
        100 * data.output_shares(model, sector),
        model.names,
        countries(model),
        span=data.span(model),
        events=data.event_years(model),
    )
    words = SECTOR_WORDS.get(sector, sector)
    return Panel(f"Where {words} goods are made", "% of the world's output value", option)


CHARTS = {
    "imbalance": imbalance,
    "balance": balance,
    "bilateral": bilateral,
    "reserves": reserves,
    "production": production,
}
"""Chart name -> panel builder, in page order (the page's CSS class is ``tradesim-chart-<name>``)."""
