"""The classroom demo page: Mesa's SolaraViz around a :class:`~sim.viz.demo_model.DemoModel`.

Served by ``tradesim demo [SCENARIO]`` (which runs ``solara run sim.viz.app``); the scenario it
opens with comes from the environment variable ``TRADESIM_DEMO_SCENARIO`` (default
``baseline``). The sidebar holds Mesa's controls (Reset, play/pause, Step) and the levers
(model parameters: they take effect on Reset). The main area shows, for the ticks run so far:
the phase and a caption, the global imbalance index, trade balances, reserves, the bilateral
balances and where labor-intensive goods are made.
"""

from __future__ import annotations

import html
import os
from typing import Any

import solara
from mesa.visualization import Slider, SolaraViz

from sim.analysis.figures import PHASE_COLORS
from sim.overview import country_colors
from sim.scenario import load_scenario
from sim.viz import charts, data
from sim.viz.captions import SECTOR_WORDS, caption, year_words
from sim.viz.demo_model import DemoModel, Levers, classroom_choices, describe, scenario_path

START = os.environ.get("TRADESIM_DEMO_SCENARIO", "baseline")
CHART_STYLE = "height: 370px; width: 100%"
CSS = """
.v-application { font-size: 18px; }
.v-application .v-label, .v-application .v-select__selection, .v-application .v-btn,
.v-application .v-input input { font-size: 18px !important; }
.v-application .v-card__title { font-size: 22px !important; }
.v-application .v-toolbar__title { font-size: 26px !important; }
.v-application .v-tabs { display: none; }
.tradesim-now { padding: 8px 14px; max-height: 385px; overflow-y: auto; }
.tradesim-phase { display: inline-block; padding: 4px 16px; border-radius: 8px; font-size: 28px;
  font-weight: 700; color: #000; letter-spacing: 0.04em; text-transform: uppercase; }
.tradesim-index { font-size: 22px; margin-left: 14px; }
.tradesim-caption { font-size: 21px; line-height: 1.4; margin-top: 10px; }
.tradesim-meta { font-size: 17px; color: #444; margin-top: 8px; }
"""


def _defaults(start: str) -> tuple[str, str]:
    names = load_scenario(scenario_path(start)).names
    country = "China" if "China" in names else names[-1]
    partner = "US" if "US" in names and country != "US" else next(n for n in names if n != country)
    return country, partner


def model_params(start: str) -> dict[str, Any]:
    """The sidebar's model parameters (every one a keyword of :class:`DemoModel`)."""
    names = load_scenario(scenario_path(start)).names
    country, partner = _defaults(start)
    lv = Levers()
    return {
        "scenario_name": {"type": "Select", "value": start, "values": classroom_choices(start), "label": "Scenario"},
        "country": {"type": "Select", "value": country, "values": names, "label": "Country"},
        "partner": {"type": "Select", "value": partner, "values": names, "label": "Partner"},
        "start_tick": Slider("Levers from tick", lv.start_tick, 0, 100, 1),
        "reserve_target_months": Slider("Reserve target, months", 0, 0, 24, 1),
        "consumption_change": Slider("Consumption share, change", 0.0, -0.15, 0.15, 0.01),
        "tariff": Slider("Partner's tariff", 0.0, 0.0, 0.5, 0.05),
        "export_controls": {"type": "Checkbox", "value": False, "label": "Partner bans hightech exports to country"},
        "catchup": Slider("Catch-up speed, times", 1.0, 0.0, 3.0, 0.25),
    }


def _colors(model: DemoModel) -> dict[str, str]:
    return country_colors(model.names)


def NowCard(model: DemoModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """The phase in words and colour, the caption and the levers in force."""
    solara.Style(CSS)
    index = data.imbalance_index(model)
    with solara.Div(classes=["tradesim-now"]):
        if index.size == 0:
            phase, text = data.live_phase(model), "Press Step or ▶ to run the world; the caption tells what happens."
            level = ""
        else:
            phase = data.live_phase(model)
            smooth = data.live_smoothed(index, model.spec.dt)
            level = f"imbalance index {100 * smooth[-1]:.1f}% of world GDP"
            lv = model.levers
            text = caption(data.situation(model, focus=(lv.country, lv.partner)))
        solara.HTML(
            tag="span",
            unsafe_innerHTML=phase,
            classes=["tradesim-phase"],
            style=f"background: {PHASE_COLORS[phase]}",
        )
        solara.HTML(tag="span", unsafe_innerHTML=level, classes=["tradesim-index"])
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(text), classes=["tradesim-caption"])
        done = len(model.recorder.ticks)
        sim = model.spec.simulation
        when = year_words(data.years(model)[-1], model.spec.dt) if done else str(sim.start_year)
        levers = describe(model.levers)
        lever_text = (
            f"Levers from tick {model.levers.start_tick}: {levers}"
            if levers
            else "Levers: none (the scenario as shipped). Set them in the sidebar, then press Reset."
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=html.escape(f"{model.scenario_name}: {when}, tick {done} of {sim.ticks}. {lever_text}"),
            classes=["tradesim-meta"],
        )


def ImbalanceChart(model: DemoModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """The global imbalance index with the live phase as bands."""
    index = data.imbalance_index(model)
    dt = model.spec.dt
    opt = charts.imbalance_chart(
        data.tick_labels(model),
        index,
        data.live_smoothed(index, dt),
        data.live_phases(index, dt),
        average_years=data.smoothing_ticks(dt) * dt,
        dt=dt,
    )
    solara.FigureEcharts(
        option=opt, responsive=True, attributes={"style": CHART_STYLE, "class": "tradesim-chart-imbalance"}
    )


def BalanceChart(model: DemoModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """Each country's trade balance, % of GDP."""
    opt = charts.lines_chart(
        "Trade balance",
        "% of GDP",
        data.tick_labels(model),
        100 * data.balance_shares(model),
        model.names,
        _colors(model),
        dt=model.spec.dt,
    )
    solara.FigureEcharts(
        option=opt, responsive=True, attributes={"style": CHART_STYLE, "class": "tradesim-chart-balance"}
    )


def ReservesChart(model: DemoModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """Each country's reserves, months of imports."""
    opt = charts.lines_chart(
        "Reserves",
        "months of imports",
        data.tick_labels(model),
        data.reserves_months(model),
        model.names,
        _colors(model),
        dt=model.spec.dt,
    )
    solara.FigureEcharts(
        option=opt, responsive=True, attributes={"style": CHART_STYLE, "class": "tradesim-chart-reserves"}
    )


def BilateralChart(model: DemoModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """Who runs surpluses with whom, at the last tick."""
    done = len(model.recorder.ticks)
    world = float(data.gdp(model)[-1].sum()) if done else 0.0
    year = year_words(data.years(model)[-1], model.spec.dt) if done else "before the first tick"
    opt = charts.heatmap_chart(model.names, data.bilateral_balance(model), _colors(model), gdp_world=world, year=year)
    solara.FigureEcharts(
        option=opt, responsive=True, attributes={"style": CHART_STYLE, "class": "tradesim-chart-bilateral"}
    )


def ProductionChart(model: DemoModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """Each country's share of the world's output of the relocating (labor-intensive) sector."""
    sector = model.spec.world.development.relocation_sector
    opt = charts.lines_chart(
        f"Where {SECTOR_WORDS.get(sector, sector)} goods are made",
        "% of world output",
        data.tick_labels(model),
        100 * data.output_shares(model, sector),
        model.names,
        _colors(model),
        dt=model.spec.dt,
    )
    solara.FigureEcharts(
        option=opt, responsive=True, attributes={"style": CHART_STYLE, "class": "tradesim-chart-production"}
    )


COMPONENTS = [NowCard, ImbalanceChart, BalanceChart, BilateralChart, ReservesChart, ProductionChart]
_country, _partner = _defaults(START)
model = DemoModel(scenario_name=START, country=_country, partner=_partner)
page = SolaraViz(
    model,
    components=[(c, 0) for c in COMPONENTS],
    model_params=model_params(START),
    name="tradesim: the balance-imbalance cycle, live",
    play_interval=150,
)
