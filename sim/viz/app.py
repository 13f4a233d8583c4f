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
from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization import Slider, SolaraViz

from sim.analysis.figures import PHASE_COLORS
from sim.scenario import load_scenario
from sim.viz import views
from sim.viz.demo_model import DemoModel, Levers, classroom_choices, scenario_path

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


def NowCard(model: DemoModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """The phase in words and colour, the caption and the levers in force."""
    solara.Style(CSS)
    card = views.now(model)
    with solara.Div(classes=["tradesim-now"]):
        solara.HTML(
            tag="span",
            unsafe_innerHTML=card.phase,
            classes=["tradesim-phase"],
            style=f"background: {PHASE_COLORS[card.phase]}",
        )
        solara.HTML(tag="span", unsafe_innerHTML=html.escape(card.level), classes=["tradesim-index"])
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(card.caption), classes=["tradesim-caption"])
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(card.meta), classes=["tradesim-meta"])


def chart_component(name: str) -> Callable[[DemoModel], None]:
    """A page component drawing the chart ``views.CHARTS[name]`` of the model."""
    build = views.CHARTS[name]

    def Chart(model: DemoModel) -> None:  # noqa: N802 (Solara components are CamelCase)
        solara.FigureEcharts(
            option=build(model), responsive=True, attributes={"style": CHART_STYLE, "class": f"tradesim-chart-{name}"}
        )

    Chart.__name__ = Chart.__qualname__ = f"{name.title()}Chart"
    Chart.__doc__ = build.__doc__
    return Chart


COMPONENTS = [NowCard, *(chart_component(name) for name in views.CHARTS)]
PARAMS = model_params(START)
_country, _partner = _defaults(START)


@solara.component
def Page() -> None:  # noqa: N802 (Solara components are CamelCase)
    """The page; each browser tab (each Solara session) gets a model of its own."""
    model = solara.use_memo(lambda: DemoModel(scenario_name=START, country=_country, partner=_partner), [])
    SolaraViz(
        model,
        components=[(c, 0) for c in COMPONENTS],
        model_params=PARAMS,
        name="tradesim: the balance-imbalance cycle, live",
        play_interval=150,
    )
