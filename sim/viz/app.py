"""The classroom demo page: Mesa's model controller (Reset, play/pause, Step) around a
:class:`~sim.viz.demo_model.DemoModel`, with the levers and a layout made for classroom
projectors.

Served by ``tradesim demo [SCENARIO]`` (which runs ``solara run sim.viz.app``); the scenario it
opens with comes from the environment variable ``TRADESIM_DEMO_SCENARIO`` (default
``endless_cycle``). The left column holds Mesa's ``ModelController`` (its play and step logic,
without the internal Render-interval and Use-threads switches), a play speed, the scenario and
the levers, each showing its value and unit; the levers take effect on Reset (Mesa's rule) and
follow the chosen world's countries. The main area is a grid that fills the window (three
panels a row from 1200 px wide, two below): the phase and caption, the global imbalance index,
trade balances, the bilateral balances, reserves and where labor-intensive goods are made.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from typing import Any

import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from sim.analysis.figures import PHASE_COLORS
from sim.analysis.phases import BALANCE, IMBALANCE, REBALANCING
from sim.scenario import load_scenario
from sim.viz import views
from sim.viz.captions import possessive, year_words
from sim.viz.demo_model import CONTROLLED_SECTOR, DemoModel, Levers, classroom_choices, default_pair, scenario_path
from sim.viz.svgchart import FigureSvgEcharts

START = os.environ.get("TRADESIM_DEMO_SCENARIO", "endless_cycle")
TITLE = "tradesim: the balance-imbalance cycle, live"
SPEEDS = (1, 2, 5, 10, 20)
"""Play speeds offered, years a second (at most: each step also waits for the redraw)."""
DEFAULT_SPEED = 5
CSS = """
.tradesim-root { position: fixed; inset: 0; display: grid; grid-template-columns: 262px minmax(0, 1fr);
  background: #fff; color: #111; font-family: Roboto, Arial, sans-serif; z-index: 5; }
.tradesim-side { overflow-y: auto; overflow-x: hidden; padding: 8px 12px 16px; background: #f6f6f6;
  border-right: 1px solid #ddd; }
.tradesim-side h1 { font-size: 19px; line-height: 1.25; margin: 2px 0 8px; font-weight: 700; }
.tradesim-side .v-btn { font-size: 15px !important; min-width: 0 !important; padding: 0 14px !important; }
.tradesim-side .v-input { margin-top: 0 !important; padding-top: 0 !important; }
.tradesim-side .v-input__slot { margin-bottom: 0 !important; }
.tradesim-side .v-messages { display: none; }
.tradesim-side .v-input__slider { margin: 0 !important; }
.tradesim-side .v-input__slider .v-input__slot { min-height: 26px; margin: 0 !important; }
.tradesim-side .v-select { margin-top: 8px !important; }
.tradesim-side .v-slider__tick-label { font-size: 13px; }
.tradesim-side .v-select__selection { font-size: 16px !important; }
.tradesim-side .v-label { font-size: 15px !important; }
.tradesim-section { font-size: 13px; font-weight: 700; color: #555; text-transform: uppercase;
  letter-spacing: 0.05em; margin: 12px 0 10px; }
.tradesim-lever { font-size: 15px; line-height: 1.25; margin-top: 8px; }
.tradesim-lever b { white-space: nowrap; }
.tradesim-main { display: grid; grid-template-rows: auto minmax(0, 1fr); gap: 6px; padding: 6px 10px 8px;
  min-width: 0; min-height: 0; overflow: auto; }
.tradesim-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 14px; font-size: 15px; }
.tradesim-when { font-weight: 700; font-size: 17px; }
.tradesim-country { font-weight: 700; white-space: nowrap; }
.tradesim-event-key { color: #444; white-space: nowrap; }
.tradesim-grid { display: grid; gap: 8px; min-height: 0;
  grid-template-columns: repeat(3, minmax(0, 1fr)); grid-template-rows: repeat(2, minmax(0, 1fr)); }
.tradesim-panel { display: flex; flex-direction: column; min-width: 0; min-height: 0;
  border: 1px solid #e0e0e0; border-radius: 6px; padding: 4px 8px 2px; }
.tradesim-title { font-size: 17px; font-weight: 700; line-height: 1.2; }
.tradesim-key { font-size: 13px; color: #444; line-height: 1.25; }
.tradesim-chart { flex: 1 1 0; min-height: 0; width: 100%; }
.tradesim-now { overflow: hidden; padding: 8px 10px; }
.tradesim-phase { display: inline-block; padding: 2px 12px; border-radius: 6px; font-size: 24px;
  font-weight: 700; color: #000; letter-spacing: 0.04em; text-transform: uppercase; }
.tradesim-index { font-size: 17px; margin-left: 10px; }
.tradesim-caption { font-size: 17px; line-height: 1.35; margin-top: 6px; }
.tradesim-meta { font-size: 14px; color: #444; margin-top: 6px; line-height: 1.3; }
@media (max-width: 1199px) {
  .tradesim-root { grid-template-columns: 240px minmax(0, 1fr); }
  .tradesim-grid { grid-template-columns: repeat(2, minmax(0, 1fr)); grid-template-rows: repeat(3, minmax(0, 1fr)); }
}
@media (max-height: 800px) {
  .tradesim-caption { font-size: 15px; line-height: 1.3; }
  .tradesim-phase { font-size: 20px; }
  .tradesim-index { font-size: 15px; }
  .tradesim-meta { font-size: 13px; }
  .tradesim-title { font-size: 15px; }
  .tradesim-key { font-size: 12px; }
}
@media (min-width: 1600px) and (min-height: 950px) {
  .tradesim-caption { font-size: 20px; }
  .tradesim-title { font-size: 20px; }
  .tradesim-key { font-size: 15px; }
  .tradesim-head { font-size: 17px; }
}
"""


@dataclass(frozen=True)
class Lever:
    """A slider of the page: its model keyword, range and how its value reads."""

    name: str
    low: float
    high: float
    step: float

    def words(self, value: float, country: str, partner: str, scenario: str) -> tuple[str, str]:
        """(label, value in words with its unit) for the left column."""
        if self.name == "start_tick":
            spec = load_scenario(scenario_path(scenario))
            year = year_words(spec.simulation.start_year + int(value) * spec.dt, spec.dt)
            return "Levers from", f"{year} (tick {int(value)})"
        if self.name == "reserve_target_months":
            return f"{possessive(country).capitalize()} reserve target", (
                f"{value:g} months of imports" if value > 0 else "as in the scenario"
            )
        if self.name == "consumption_change":
            return f"{possessive(country).capitalize()} consumption share", (
                f"{100 * value:+.0f} points of income" if value else "as in the scenario"
            )
        if self.name == "tariff":
            return f"{partner} tariff on {country}", (f"{100 * value:.0f}%" if value > 0 else "as in the scenario")
        return "Catch-up speed", (f"×{value:g}" if value != 1 else "×1 (as in the scenario)")


LEVERS = (
    Lever("start_tick", 0, 100, 1),
    Lever("reserve_target_months", 0, 24, 1),
    Lever("consumption_change", -0.15, 0.15, 0.01),
    Lever("tariff", 0.0, 0.5, 0.05),
    Lever("catchup", 0.0, 3.0, 0.25),
)


def initial_params(scenario: str) -> dict[str, Any]:
    """The keywords of :class:`DemoModel` the page opens with: the scenario, its default pair and
    every lever at rest.
    """
    country, partner = default_pair(scenario)
    lv = Levers()
    return {
        "scenario_name": scenario,
        "country": country,
        "partner": partner,
        "start_tick": lv.start_tick,
        "reserve_target_months": int(lv.reserve_target_months),
        "consumption_change": lv.consumption_change,
        "tariff": lv.tariff,
        "export_controls": lv.export_controls,
        "catchup": lv.catchup,
    }


def switch_scenario(params: dict[str, Any], scenario: str) -> dict[str, Any]:
    """The parameters after choosing another scenario: its countries' default pair where the
    chosen pair is not in that world, the start tick within its length, export controls off
    where it has no ``hightech`` sector.
    """
    spec = load_scenario(scenario_path(scenario))
    out = {**params, "scenario_name": scenario}
    if out["country"] not in spec.names or out["partner"] not in spec.names:
        out["country"], out["partner"] = default_pair(scenario)
    out["start_tick"] = min(int(out["start_tick"]), spec.simulation.ticks - 1)
    if CONTROLLED_SECTOR not in spec.world.sectors:
        out["export_controls"] = False
    return out


@solara.component
def LeverInputs(params: solara.Reactive[dict[str, Any]]) -> None:  # noqa: N802 (Solara components are CamelCase)
    """The scenario, the pair and the levers; each shows its value and unit."""
    p = params.value
    spec = load_scenario(scenario_path(p["scenario_name"]))
    names = spec.names

    def set_key(key: str):
        def on(value: Any) -> None:
            if key == "scenario_name":
                params.value = switch_scenario(params.value, value)
            else:
                params.value = {**params.value, key: value}

        return on

    with solara.Div(classes=["tradesim-levers"]):
        solara.HTML(tag="div", unsafe_innerHTML="Next run (press Reset)", classes=["tradesim-section"])
        solara.Select(
            "Scenario", values=classroom_choices(START), value=p["scenario_name"], on_value=set_key("scenario_name")
        )
        solara.Select("Country", values=names, value=p["country"], on_value=set_key("country"))
        solara.Select(
            "Partner", values=[n for n in names if n != p["country"]], value=p["partner"], on_value=set_key("partner")
        )
        for lever in LEVERS:
            high = min(lever.high, spec.simulation.ticks - 1) if lever.name == "start_tick" else lever.high
            label, value = lever.words(p[lever.name], p["country"], p["partner"], p["scenario_name"])
            with solara.Div(classes=["tradesim-lever", f"tradesim-lever-{lever.name}"]):
                solara.HTML(tag="div", unsafe_innerHTML=f"{html.escape(label)}: <b>{html.escape(value)}</b>")
                slider = solara.SliderInt if isinstance(lever.step, int) else solara.SliderFloat
                slider(
                    "",
                    value=p[lever.name],
                    min=lever.low,
                    max=high,
                    step=lever.step,
                    on_value=set_key(lever.name),
                    thumb_label=False,
                )
        solara.Checkbox(
            label=f"{p['partner']} bans high-tech exports to {p['country']}",
            value=p["export_controls"],
            on_value=set_key("export_controls"),
            disabled=CONTROLLED_SECTOR not in spec.world.sectors,
        )


@solara.component
def NowCard(card: views.Now) -> None:  # noqa: N802 (Solara components are CamelCase)
    """The phase in words and colour, the caption and the levers in force."""
    with solara.Div(classes=["tradesim-panel", "tradesim-now"]):
        with solara.Div():
            solara.HTML(
                tag="span",
                unsafe_innerHTML=card.phase,
                classes=["tradesim-phase"],
                style=f"background: {PHASE_COLORS[card.phase]}",
            )
            solara.HTML(tag="span", unsafe_innerHTML=html.escape(card.level), classes=["tradesim-index"])
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(card.caption), classes=["tradesim-caption"])
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(card.meta), classes=["tradesim-meta"])


@solara.component
def Head(when: str, colors: dict[str, str]) -> None:  # noqa: N802 (Solara components are CamelCase)
    """The scenario, year and tick; the countries' colours (one key for every chart); the phase
    colours and the event lines.
    """
    swatch = "".join(
        f'<span class="tradesim-country" style="color: {c}">■ {html.escape(n)}</span> ' for n, c in colors.items()
    )
    phases = " ".join(
        f'<span class="tradesim-country" style="color: #333"><span style="color: {PHASE_COLORS[p]}">■</span> {p}</span>'
        for p in (BALANCE, IMBALANCE, REBALANCING)
    )
    with solara.Div(classes=["tradesim-head"]):
        solara.HTML(tag="span", unsafe_innerHTML=html.escape(when), classes=["tradesim-when"])
        solara.HTML(tag="span", unsafe_innerHTML=swatch, classes=["tradesim-countries"])
        solara.HTML(tag="span", unsafe_innerHTML=phases, classes=["tradesim-phases"])
        solara.HTML(tag="span", unsafe_innerHTML="┆ policy event", classes=["tradesim-event-key"])


@solara.component
def ChartPanel(name: str, panel: views.Panel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """One chart with its title and key."""
    with solara.Div(classes=["tradesim-panel", f"tradesim-panel-{name}"]):
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(panel.title), classes=["tradesim-title"])
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(panel.key), classes=["tradesim-key"])
        FigureSvgEcharts(option=panel.option, attributes={"class": f"tradesim-chart tradesim-chart-{name}"})


@solara.component
def Views(model: DemoModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """The main area, rebuilt after every step (Mesa's update counter): the views are computed
    here and passed down as plain values, so each part redraws when its values change.
    """
    update_counter.get()
    card = views.now(model)
    with solara.Div(classes=["tradesim-main"]):
        Head(card.when, views.countries(model))
        with solara.Div(classes=["tradesim-grid"]):
            NowCard(card)
            for name, build in views.CHARTS.items():
                ChartPanel(name, build(model))


@solara.component
def Page() -> None:  # noqa: N802 (Solara components are CamelCase)
    """The page; each browser tab (each Solara session) gets a model of its own."""
    first = solara.use_memo(lambda: initial_params(START), [])
    params = solara.use_reactive(first)
    model = solara.use_reactive(solara.use_memo(lambda: DemoModel(**first), []))
    speed = solara.use_reactive(DEFAULT_SPEED)
    play_ms = solara.use_reactive(int(1000 / DEFAULT_SPEED))
    render_every = solara.use_reactive(1)
    threads = solara.use_reactive(False)

    def set_speed(value: int) -> None:
        speed.value = value
        play_ms.value = int(1000 / value)

    solara.Style(CSS)
    solara.Title(TITLE)
    with solara.Div(classes=["tradesim-root"]):
        with solara.Div(classes=["tradesim-side"]):
            solara.HTML(tag="h1", unsafe_innerHTML=html.escape(TITLE))
            ModelController(
                model,
                model_parameters=params,
                play_interval=play_ms,
                render_interval=render_every,
                use_threads=threads,
            )
            with solara.Div(classes=["tradesim-lever", "tradesim-lever-speed"]):
                solara.HTML(tag="div", unsafe_innerHTML=f"Play speed (▶): <b>up to {speed.value} years a second</b>")
                solara.SliderValue("", value=speed.value, values=list(SPEEDS), on_value=set_speed)
            LeverInputs(params)
        Views(model.value)
