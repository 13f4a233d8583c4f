"""What each view of the page shows, for a model as it stands: the text of the "now" card and
the ECharts option of each chart. No Solara here: :mod:`sim.viz.app` only places these on the
page, and the tests and the benchmark call them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
        meta: scenario, year, tick and the levers in force.
    """

    phase: str
    level: str
    caption: str
    meta: str


def now(model: DemoModel) -> Now:
    """The "now" card of the model's last tick."""
    index = data.imbalance_index(model)
    phase = data.live_phase(model)
    done = len(model.recorder.ticks)
    sim = model.spec.simulation
    if done == 0:
        level, text = "", "Press Step or ▶ to run the world; the caption tells what happens."
        when = str(sim.start_year)
    else:
        smooth = data.live_smoothed(index, model.spec.dt)
        level = f"imbalance index {100 * smooth[-1]:.1f}% of world GDP"
        lv = model.levers
        text = caption(data.situation(model, focus=(lv.country, lv.partner)))
        when = year_words(data.years(model)[-1], model.spec.dt)
    levers = describe(model.levers)
    lever_text = (
        f"Levers from tick {model.levers.start_tick}: {levers}"
        if levers
        else "Levers: none (the scenario as shipped). Set them in the sidebar, then press Reset."
    )
    name = model.initial_spec.simulation.name
    return Now(phase, level, text, f"{name}: {when}, tick {done} of {sim.ticks}. {lever_text}")


def imbalance(model: DemoModel) -> dict[str, Any]:
    """The global imbalance index with the live phase as bands."""
    index = data.imbalance_index(model)
    dt = model.spec.dt
    return charts.imbalance_chart(
        data.tick_labels(model),
        index,
        data.live_smoothed(index, dt),
        data.live_phases(index, dt),
        average_years=data.smoothing_ticks(dt) * dt,
        dt=dt,
    )


def balance(model: DemoModel) -> dict[str, Any]:
    """Each country's trade balance, % of GDP."""
    return charts.lines_chart(
        "Trade balance",
        "% of GDP",
        data.tick_labels(model),
        100 * data.balance_shares(model),
        model.names,
        country_colors(model.names),
        dt=model.spec.dt,
    )


def reserves(model: DemoModel) -> dict[str, Any]:
    """Each country's reserves, months of imports."""
    return charts.lines_chart(
        "Reserves",
        "months of imports",
        data.tick_labels(model),
        data.reserves_months(model),
        model.names,
        country_colors(model.names),
        dt=model.spec.dt,
    )


def bilateral(model: DemoModel) -> dict[str, Any]:
    """Who runs surpluses with whom, at the last tick."""
    done = len(model.recorder.ticks)
    world = float(data.gdp(model)[-1].sum()) if done else 0.0
    year = year_words(data.years(model)[-1], model.spec.dt) if done else "before the first tick"
    return charts.heatmap_chart(
        model.names, data.bilateral_balance(model), country_colors(model.names), gdp_world=world, year=year
    )


def production(model: DemoModel) -> dict[str, Any]:
    """Each country's share of the world's output of the relocating (labor-intensive) sector."""
    sector = model.spec.world.development.relocation_sector
    return charts.lines_chart(
        f"Where {SECTOR_WORDS.get(sector, sector)} goods are made",
        "% of world output",
        data.tick_labels(model),
        100 * data.output_shares(model, sector),
        model.names,
        country_colors(model.names),
        dt=model.spec.dt,
    )


CHARTS = {
    "imbalance": imbalance,
    "balance": balance,
    "bilateral": bilateral,
    "reserves": reserves,
    "production": production,
}
"""Chart name -> option builder, in page order (the page's CSS class is ``tradesim-chart-<name>``)."""
