"""One set of words, units and scales for every figure and report: percent of GDP, years.

Series are stored as fractions (0.01 = 1% of GDP) and ticks; what people read is percent and
years. Every figure (``sim/overview.py``, ``sim/analysis/figures.py``,
``sim/experiment/figures.py``, ``sim/sweep/plots.py``) and the effect tables take their axis
labels, units and titles from here. Colours stay where they are defined (``sim.overview``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.metrics import Metric
    from sim.schema import Scenario

YEAR = "year"
"""The time axis of every figure."""
PCT_GDP = "% of GDP"
PCT_OWN_GDP = "% of own GDP"
PCT_WORLD_GDP = "% of world GDP"
MONTHS_IMPORTS = "months of imports"
INDEX_UNITS = {
    "S1": "share of variance",
    "ST": "share of variance",
    "S2": "share of variance",
    "delta": "delta (0 to 1)",
}
"""Units of the sensitivity indices that have their own; Morris's mu_star and sigma are in the
metric's stored units."""

_CYCLE_UNITS: dict[str, tuple[float, str]] = {
    "n_cycles": (1.0, "cycles"),
    "mean_period_years": (1.0, "years"),
    "mean_amplitude": (100.0, PCT_WORLD_GDP),
    "time_in_balance": (100.0, "% of the years"),
    "time_in_imbalance": (100.0, "% of the years"),
    "time_in_rebalancing": (100.0, "% of the years"),
    "imbalance_mean": (100.0, PCT_WORLD_GDP),
    "imbalance_max": (100.0, PCT_WORLD_GDP),
    "imbalance_sd_smoothed": (100.0, "pp of world GDP"),
    "largest_rise": (100.0, "pp of world GDP"),
    "largest_fall": (100.0, "pp of world GDP"),
}
_CYCLE_TITLES = {
    "n_cycles": "Number of imbalance cycles",
    "mean_period_years": "Mean cycle period",
    "mean_amplitude": "Mean cycle amplitude",
    "time_in_balance": "Time in balance",
    "time_in_imbalance": "Time in imbalance",
    "time_in_rebalancing": "Time rebalancing",
    "imbalance_mean": "Mean global imbalance index",
    "imbalance_max": "Largest global imbalance index",
    "imbalance_sd_smoothed": "Standard deviation of the smoothed imbalance index",
    "largest_rise": "Largest rise of the imbalance index",
    "largest_fall": "Largest fall of the imbalance index",
}
_STAT_WORDS = {"mean": "mean", "sum": "sum", "max": "largest", "min": "smallest"}


def metric_scale(m: Metric) -> tuple[float, str]:
    """(factor, unit) that turn a metric's stored values into what people read.

    Shares of GDP and the imbalance index become percent; cycle metrics get their own units.
    """
    if m.kind == "cycle":
        return _CYCLE_UNITS.get(m.column, (1.0, m.unit))
    if m.column == "imbalance_index":
        return 100.0, PCT_WORLD_GDP
    if m.share_of_gdp:
        return 100.0, PCT_WORLD_GDP if m.where == "world" else PCT_GDP
    return 1.0, m.unit


def metric_title(m: Metric, *, years: tuple[float, float] | None = None) -> str:
    """A metric in words with its statistic and window: "East's current account, largest over
    years 2000-2299" (a peak metric does not carry the title of the mean).
    """
    if m.kind == "cycle":
        return _CYCLE_TITLES.get(m.column, m.label[:1].upper() + m.label[1:])
    label = m.label.removesuffix(" (share of GDP)")
    label = label[:1].upper() + label[1:]
    lo, hi = years if years is not None else m.window
    span = f"years {lo:g}-{hi:g}" if years is not None else f"ticks {lo}-{hi}"
    if m.stat == "at":
        return f"{label}, at tick {m.at}"
    return f"{label}, {_STAT_WORDS.get(m.stat, m.stat)} over {span}"


def axis_label(unit: str) -> str:
    """A y-axis label from a unit (the quantity is in the title)."""
    return unit or "value"


def tick_years(scenario: Scenario, ticks):
    """Years of ticks (the scenario's start year plus ticks times the tick length in years)."""
    return scenario.simulation.start_year + scenario.dt * ticks


def parameter_label(path: str) -> str:
    """A swept key path in words: ``country.East.reserve_target_months`` -> ``East: reserve target months``."""
    bits = path.split(".")
    if bits[0] == "country" and len(bits) >= 3:
        who = "every country" if bits[1] == "*" else bits[1]
        return f"{who}: {' '.join(bits[2:]).replace('_', ' ')}"
    return " ".join(bits[1:] if bits[0] == "world" and len(bits) > 1 else bits).replace("_", " ")


def arm_legend(name: str, label: str) -> str:
    """An arm in a legend: its label, or its name when the label only repeats it."""
    if not label or label in (name, f"the scenario {name}"):
        return name
    return label
