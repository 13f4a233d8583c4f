"""Metrics: one number per run, declared as data and computed where the run happened.

Experiment files (``tradesim compare``) and sweep files (``tradesim sweep``) declare metrics as
``[[metric]]`` tables; :func:`compile_metrics` checks them against the scenario and returns
:class:`Metric` objects that worker processes evaluate on a run's :class:`sim.Results`
(:func:`evaluate`), so only the numbers — and, when asked, the one series each metric is
computed from — travel back. Three kinds:

- a logged column for one country (``country = "US"``, ``column = "current_account"``) or
  for the world (``country = "world"``: the sum over countries of a column in USD bn or
  millions of workers, or ``imbalance_index`` / ``world_interest_rate``);
- a bilateral flow between a pair of countries (``pair = ["US", "China"]``, ``column`` one of
  ``balance`` (exports of the first to the second minus its imports from it), ``exports``,
  ``imports``; optionally one ``sector``), from the bilateral table at producer prices;
- a cycle metric of the analysis module (``cycle = "n_cycles"``, ``rule = "standard"``).

Series metrics are aggregated over a window of ticks (``ticks = [first, last]``, inclusive;
the whole run by default; or ``years = [first, last]`` with the scenario's ``start_year``) by ``stat``: ``mean``, ``sum`` (dt x sum over logged ticks: with
annual flows and log_every = 1 the cumulative flow in USD bn), ``max``, ``min``, or ``at``
(the value at tick ``at``). ``share_of_gdp = true`` divides tick by tick by the GDP of the
country (the first of a pair; world GDP for the world) before aggregating: values are then
fractions (0.01 = 1% of GDP).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.errors import ScenarioError, TradesimError
from sim.results import COUNTRY_COLUMNS, SECTOR_COLUMNS, TRADED_COLUMNS, sector_columns
from sim.scenario import key_text

if TYPE_CHECKING:
    from sim.results import Results
    from sim.schema import Scenario

CYCLE_KEYS: dict[str, str] = {
    "n_cycles": "number of imbalance cycles",
    "mean_period_years": "mean cycle period, years",
    "mean_amplitude": "mean cycle amplitude, share of world GDP",
    "time_in_balance": "share of time in balance",
    "time_in_imbalance": "share of time in imbalance",
    "time_in_rebalancing": "share of time rebalancing",
    "imbalance_mean": "mean imbalance index, share of world GDP",
    "imbalance_max": "largest imbalance index, share of world GDP",
    "imbalance_sd_smoothed": "standard deviation of the smoothed imbalance index",
    "largest_rise": "largest rise of the imbalance index, share of world GDP",
    "largest_fall": "largest fall of the imbalance index, share of world GDP",
}
"""Keys of ``sim.analysis.summary(results)`` usable as ``cycle = "<key>"``."""

PAIR_COLUMNS = ("balance", "exports", "imports")
WORLD_ONLY = ("imbalance_index", "world_interest_rate")
STATS = ("mean", "sum", "at", "max", "min")
RESERVED = ("task_id", "status", "error", "seconds", "arm", "seed", "seed_index", "metric", "value")


class MetricSpec(BaseModel):
    """One ``[[metric]]`` table as written in an experiment or sweep file."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    name: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_\-]+$")] | None = None
    """Column name of the metric in the output tables; generated if not given."""
    column: str | None = None
    """A logged column (country or world) or balance / exports / imports (pair)."""
    country: str | None = None
    """A country name, or ``world``."""
    pair: Annotated[list[str], Field(min_length=2, max_length=2)] | None = None
    """Two country names: flows of the first with the second."""
    sector: str | None = None
    """Pairs only: one traded sector (default: all traded sectors)."""
    ticks: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=2, max_length=2)] | None = None
    """Window [first, last] of ticks, inclusive (default: the whole run)."""
    years: Annotated[list[Annotated[int, Field(ge=-10_000, le=100_000)]], Field(min_length=2, max_length=2)] | None = (
        None
    )
    """Window [first, last] of calendar years, inclusive (the last year's every tick); needs
    ``simulation.start_year`` in the scenario. Give ticks or years, not both."""
    stat: Literal["mean", "sum", "at", "max", "min"] = "mean"
    """How the window is aggregated."""
    at: Annotated[int, Field(ge=0)] | None = None
    """The tick read by ``stat = "at"``."""
    share_of_gdp: bool = False
    """Divide by GDP tick by tick (values are then fractions of GDP)."""
    cycle: str | None = None
    """A key of the analysis module's summary (see CYCLE_KEYS)."""
    rule: str = "standard"
    """The analysis module's cycle-dating rule for ``cycle`` metrics."""
    label: str | None = None
    """Words used for the metric in reports (generated if not given)."""

    @model_validator(mode="after")
    def _one_kind(self) -> MetricSpec:
        kinds = [k for k, v in (("country", self.country), ("pair", self.pair), ("cycle", self.cycle)) if v is not None]
        if len(kinds) != 1:
            raise ValueError("give exactly one of country (with column), pair or cycle")
        if self.cycle is None and self.column is None and self.country is not None:
            raise ValueError("a country metric needs a column (e.g. column = 'current_account')")
        if self.stat == "at" and self.at is None:
            raise ValueError("stat = 'at' needs at = <tick>")
        if self.stat != "at" and self.at is not None:
            raise ValueError("at = <tick> is only used with stat = 'at'")
        if self.ticks is not None and self.ticks[0] > self.ticks[1]:
            raise ValueError(f"ticks = [{self.ticks[0]}, {self.ticks[1]}]: the first tick is after the last")
        if self.years is not None and self.years[0] > self.years[1]:
            raise ValueError(f"years = [{self.years[0]}, {self.years[1]}]: the first year is after the last")
        if self.years is not None and self.ticks is not None:
            raise ValueError("give ticks or years, not both")
        if self.years is not None and self.cycle is not None:
            raise ValueError("a cycle metric covers the whole run; it takes no years")
        return self


@dataclass(frozen=True)
class Metric:
    """A checked metric, ready to evaluate (plain data: it pickles to worker processes).

    Attributes:
        name: output column name.
        kind: ``country``, ``world``, ``pair`` or ``cycle``.
        column: the logged column (country, world), the pair flow, or the summary key (cycle).
        where: the country, ``world``, ``A|B`` for a pair, or the cycle rule.
        sector: the pair's sector, or "" for all traded sectors.
        window: (first, last) ticks, inclusive.
        stat: aggregation.
        at: tick for ``stat = "at"`` (-1 otherwise).
        share_of_gdp: divided by GDP.
        label: words for reports.
        members: ``fact`` metrics only: (economy, model countries) pairs standing for the
            fact's economy and partner; the window is then in calendar years.
    """

    name: str
    kind: str
    column: str
    where: str
    sector: str
    window: tuple[int, int]
    stat: str
    at: int
    share_of_gdp: bool
    label: str
    members: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def series_key(self) -> str:
        """Identifies the per-tick series the metric aggregates ("" for cycle and fact metrics)."""
        if self.kind in ("cycle", "fact"):
            return ""
        return f"{self.kind}:{self.where}:{self.column}:{self.sector}:{'gdp' if self.share_of_gdp else 'level'}"

    @property
    def unit(self) -> str:
        """Unit of the metric's values, in words."""
        if self.kind == "fact":
            from sim.history.facts import QUANTITIES

            return QUANTITIES[self.column].unit
        if self.kind == "cycle":
            return CYCLE_KEYS.get(self.column, "")
        if self.share_of_gdp:
            return "share of GDP"
        if self.kind == "pair" or self.column in COUNTRY_COLUMNS and "USD bn" in COUNTRY_COLUMNS[self.column]:
            return "USD bn" + ("" if self.stat == "sum" or "/yr" not in _describe(self.column) else "/yr")
        return _describe(self.column)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for hashing and manifests)."""
        return asdict(self)


def _describe(column: str) -> str:
    if column in COUNTRY_COLUMNS:
        return COUNTRY_COLUMNS[column]
    for kind, text in {**SECTOR_COLUMNS, **TRADED_COLUMNS}.items():
        if column.startswith(kind + "_"):
            return text
    if column.startswith("reserves_in_"):
        return "USD bn"
    if column == "imbalance_index":
        return "sum of |current account| / world GDP"
    return ""


def timeseries_columns(scn: Scenario) -> list[str]:
    """Every metric-addressable column of a run of this scenario's timeseries table."""
    issuers = scn.world.reserve_issuers or scn.names[:1]
    return [*COUNTRY_COLUMNS, *sector_columns(scn.all_sectors, scn.traded), *(f"reserves_in_{i}" for i in issuers)]


def _additive(column: str) -> bool:
    text = _describe(column)
    return "USD bn" in text or "millions of workers" in text


def logged_ticks(scn: Scenario) -> list[int]:
    """Ticks at which country series are logged."""
    n, every = scn.simulation.ticks, scn.simulation.log_every
    return sorted({t for t in range(0, n, every)} | {n - 1})


def compile_metrics(
    specs: Sequence[Mapping[str, Any] | MetricSpec],
    scn: Scenario,
    *,
    file: str = "<metrics>",
    prefix: str = "metric",
) -> list[Metric]:
    """Check metric tables against a scenario and return them as :class:`Metric` objects.

    Args:
        specs: ``[[metric]]`` tables (mappings or MetricSpec).
        scn: the resolved scenario the runs use (countries, sectors, ticks, logging).
        file: the file named in errors.
        prefix: key-path prefix in errors (``metric[2].country``).

    Raises:
        ScenarioError: naming ``metric[i].<key>`` and the reason, for every problem found.
        TradesimError: a cycle metric is requested and the analysis module is not available.
    """
    from pydantic import ValidationError

    problems: list[tuple[str, str]] = []
    out: list[Metric] = []
    for i, raw in enumerate(specs):
        where = f"{prefix}[{i}]"
        try:
            spec = raw if isinstance(raw, MetricSpec) else MetricSpec.model_validate(dict(raw))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = ".".join(key_text(x) if isinstance(x, str) else f"[{x}]" for x in err["loc"]).replace(".[", "[")
                msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
                problems.append((f"{where}.{loc}" if loc else where, msg))
            continue
        except TypeError:
            problems.append((where, "a metric must be a table"))
            continue
        metric, why = _compile_one(spec, scn)
        if why:
            problems.extend((f"{where}.{k}" if k else where, r) for k, r in why)
        else:
            out.append(metric)
    seen: dict[str, int] = {}
    for i, m in enumerate(out):
        if m.name in seen:
            problems.append((f"{prefix}[{i}].name", f"two metrics are named '{m.name}'; give them distinct names"))
        if m.name in RESERVED:
            problems.append((f"{prefix}[{i}].name", f"'{m.name}' is a reserved column name"))
        seen[m.name] = i
    if not specs:
        problems.append((prefix, "give at least one [[metric]] table"))
    if problems:
        raise ScenarioError(file, problems)
    if any(m.kind == "cycle" for m in out):
        analysis_summary()  # fails early and clearly if the module is missing
    return out


def _compile_one(spec: MetricSpec, scn: Scenario) -> tuple[Metric | None, list[tuple[str, str]]]:
    why: list[tuple[str, str]] = []
    names = scn.names
    last = scn.simulation.ticks - 1
    if spec.cycle is not None:
        if spec.cycle not in CYCLE_KEYS:
            why.append(("cycle", f"unknown cycle metric '{spec.cycle}' (known: {', '.join(CYCLE_KEYS)})"))
        for key in ("column", "ticks", "sector", "at"):
            if getattr(spec, key) is not None:
                why.append((key, "not used by a cycle metric"))
        if spec.share_of_gdp:
            why.append(("share_of_gdp", "not used by a cycle metric"))
        if why:
            return None, why
        name = spec.name or f"cycle_{spec.cycle}" + ("" if spec.rule == "standard" else f"_{spec.rule}")
        label = spec.label or CYCLE_KEYS[spec.cycle].split(",")[0]
        return Metric(name, "cycle", spec.cycle, spec.rule, "", (0, last), "value", -1, False, label), []

    if spec.pair is not None:
        kind = "pair"
        a, b = spec.pair
        for j, c in enumerate(spec.pair):
            if c not in names:
                why.append((f"pair[{j}]", f"no country named '{c}' (known: {', '.join(names)})"))
        if a == b:
            why.append(("pair", "the two countries must differ"))
        column = spec.column or "balance"
        if column not in PAIR_COLUMNS:
            why.append(("column", f"a pair metric's column is one of {', '.join(PAIR_COLUMNS)}, not '{column}'"))
        if spec.sector is not None and spec.sector not in scn.traded:
            why.append(("sector", f"'{spec.sector}' is not a traded sector ({', '.join(scn.traded)})"))
        if scn.simulation.bilateral_every == 0:
            why.append(("pair", "the scenario logs no bilateral flows (simulation.bilateral_every = 0)"))
        where = f"{a}|{b}"
        available = _bilateral_ticks(scn)
    else:
        if spec.sector is not None:
            why.append(("sector", "only pair metrics take a sector (use a column such as exports_hightech)"))
        column = spec.column or ""
        where = spec.country or ""
        available = logged_ticks(scn)
        if where == "world":
            kind = "world"
            if column not in WORLD_ONLY and column not in timeseries_columns(scn):
                why.append(("column", f"unknown column '{column}'"))
            elif column not in WORLD_ONLY and not _additive(column):
                why.append(
                    (
                        "column",
                        f"'{column}' cannot be summed over countries; for the world use a column in USD bn "
                        f"or {' or '.join(WORLD_ONLY)}",
                    )
                )
        else:
            kind = "country"
            if where not in names:
                why.append(("country", f"no country named '{where}' (known: {', '.join(names)}, or world)"))
            if column in WORLD_ONLY[:1]:
                why.append(("column", f"'{column}' is a world series: use country = 'world'"))
            elif column not in timeseries_columns(scn):
                why.append(("column", f"unknown column '{column}' (see sim.results.COUNTRY_COLUMNS)"))
        if spec.share_of_gdp and column in WORLD_ONLY:
            why.append(("share_of_gdp", f"'{column}' is not a level that can be divided by GDP"))
    window = tuple(spec.ticks) if spec.ticks is not None else (0, last)
    if spec.years is not None:
        window, year_why = year_window(scn, spec.years)
        why += year_why
    if spec.years is None and window[1] > last:
        why.append(("ticks", f"tick {window[1]} is after the last tick ({last}; ticks start at 0)"))
    at = -1
    if spec.stat == "at":
        at = int(spec.at)
        if at > last:
            why.append(("at", f"tick {at} is after the last tick ({last}; ticks start at 0)"))
        elif at not in available:
            why.append(("at", f"tick {at} is not logged (see simulation.log_every / bilateral_every)"))
    elif not why and not [t for t in available if window[0] <= t <= window[1]]:
        why.append(("ticks", f"no logged tick in [{window[0]}, {window[1]}]"))
    if why:
        return None, why
    name = spec.name or _default_name(kind, where, column, spec, window, at, last)
    label = spec.label or _default_label(kind, where, column, spec.sector, spec.share_of_gdp)
    metric = Metric(name, kind, column, where, spec.sector or "", window, spec.stat, at, spec.share_of_gdp, label)
    return metric, []


def year_window(scn: Scenario, years: Sequence[int]) -> tuple[tuple[int, int], list[tuple[str, str]]]:
    """Ticks [first, last] covering calendar years [first, last] (the whole last year)."""
    sim = scn.simulation
    if "start_year" not in sim.model_fields_set:
        return (0, 0), [("years", "a window in years needs simulation.start_year in the scenario")]
    per = 1 if sim.tick_length == "year" else 4
    first, last = (years[0] - sim.start_year) * per, (years[1] - sim.start_year + 1) * per - 1
    end = sim.start_year + (sim.ticks - 1) // per
    if first < 0 or last >= sim.ticks:
        return (0, 0), [("years", f"[{years[0]}, {years[1]}] is outside the run ({sim.start_year} to {end})")]
    return (first, last), []


def _bilateral_ticks(scn: Scenario) -> list[int]:
    n, every = scn.simulation.ticks, scn.simulation.bilateral_every
    if every == 0:
        return []
    return sorted({t for t in range(0, n, every)} | {n - 1})


def _default_name(kind, where, column, spec, window, at, last) -> str:
    who = where.replace("|", "-")
    parts = [who, column]
    if spec.sector:
        parts.append(spec.sector)
    if spec.share_of_gdp:
        parts.append("gdp")
    parts.append(spec.stat)
    if spec.stat == "at":
        parts.append(f"t{at}")
    elif window != (0, last):
        parts.append(f"t{window[0]}-{window[1]}")
    return re.sub(r"[^A-Za-z0-9_\-]+", "_", "_".join(parts))


def _owner(name: str) -> str:
    """How a country is named before a noun: the US, the world, China's."""
    if name == "world" or (name.isupper() and len(name) <= 4):
        return f"the {name}"
    return f"{name}'s"


def _default_label(kind, where, column, sector, share) -> str:
    if kind == "pair":
        a, b = where.split("|")
        what = {"balance": f"trade balance with {b}", "exports": f"exports to {b}"}.get(column, f"imports from {b}")
        what = f"{_owner(a)} {what}"
        if sector:
            what += f" in {sector}"
    elif column == "imbalance_index":
        what = "the global imbalance index"
    elif column == "world_interest_rate":
        what = "the world interest rate"
    else:
        what = f"{_owner(where)} {column.replace('_', ' ')}"
    return what + (" (share of GDP)" if share else "")


# ----------------------------------------------------------------------------- evaluation


def analysis_summary():
    """``sim.analysis.summary``, or a clear error if the analysis module is not available."""
    try:
        module = importlib.import_module("sim.analysis")
        return module.summary
    except (ImportError, AttributeError):
        raise TradesimError(
            "the analysis module is not available in this version, so cycle metrics cannot be computed"
        ) from None


def metric_series(metric: Metric, results: Results) -> pd.Series:
    """The per-tick series a (non-cycle) metric aggregates, indexed by tick."""
    ts = results.timeseries
    if metric.kind == "country":
        rows = ts.loc[ts["country"] == metric.where, ["tick", metric.column, "gdp"]]
        s = pd.Series(rows[metric.column].to_numpy(dtype=float), index=rows["tick"].to_numpy())
        gdp = pd.Series(rows["gdp"].to_numpy(dtype=float), index=s.index)
    elif metric.kind == "world":
        gdp = ts.groupby("tick", sort=True)["gdp"].sum()
        if metric.column == "imbalance_index":
            ca = ts["current_account"].abs().groupby(ts["tick"], sort=True).sum()
            s = ca / gdp
        elif metric.column == "world_interest_rate":
            s = ts.groupby("tick", sort=True)["world_interest_rate"].first()
        else:
            s = ts.groupby("tick", sort=True)[metric.column].sum()
        s = s.astype(float)
    else:
        a, b = metric.where.split("|")
        bil = results.bilateral
        if metric.sector:
            bil = bil[bil["sector"] == metric.sector]
        ex = bil.loc[(bil["origin"] == a) & (bil["destination"] == b)].groupby("tick", sort=True)["value"].sum()
        im = bil.loc[(bil["origin"] == b) & (bil["destination"] == a)].groupby("tick", sort=True)["value"].sum()
        s = {"balance": ex - im, "exports": ex, "imports": im}[metric.column].astype(float)
        rows = ts.loc[ts["country"] == a, ["tick", "gdp"]]
        gdp = pd.Series(rows["gdp"].to_numpy(dtype=float), index=rows["tick"].to_numpy())
        if metric.share_of_gdp:
            s = s[s.index.isin(gdp.index)]
    if metric.share_of_gdp:
        s = s / gdp.reindex(s.index)
    s.index = s.index.astype(np.int64)
    s.index.name = "tick"
    return s


def aggregate(metric: Metric, series: pd.Series, dt: float) -> float:
    """Aggregate a metric's series over its window (see the module docstring)."""
    if metric.stat == "at":
        return float(series.get(metric.at, np.nan))
    lo, hi = metric.window
    vals = series[(series.index >= lo) & (series.index <= hi)].to_numpy(dtype=float)
    if vals.size == 0:
        return float("nan")
    if metric.stat == "mean":
        return float(vals.mean())
    if metric.stat == "sum":
        return float(vals.sum() * dt)
    if metric.stat == "max":
        return float(vals.max())
    return float(vals.min())


def evaluate(
    metrics: Sequence[Metric], results: Results, *, with_series: bool = False
) -> tuple[dict[str, float], dict[str, pd.Series]]:
    """Every metric's value for one run, and (if asked) the series they aggregate.

    Returns:
        (values by metric name, series by :attr:`Metric.series_key`).
    """
    values: dict[str, float] = {}
    series: dict[str, pd.Series] = {}
    summaries: dict[str, dict] = {}
    dt = results.scenario.dt
    facts = [m for m in metrics if m.kind == "fact"]
    if facts:
        values.update(fact_values(facts, results))
    for m in metrics:
        if m.kind == "fact":
            continue
        if m.kind == "cycle":
            if m.where not in summaries:
                summaries[m.where] = analysis_summary()(results, rule=m.where)
            values[m.name] = float(summaries[m.where][m.column])
            continue
        key = m.series_key
        if key not in series:
            series[key] = metric_series(m, results)
        values[m.name] = aggregate(m, series[key], dt)
    return values, (series if with_series else {})


def fact_values(metrics: Sequence[Metric], results: Results) -> dict[str, float]:
    """Several ``fact`` metrics of one run at once: the same values as :func:`fact_value` gives
    each, but the run's tables are prepared once and each series computed once (a calibration
    to facts asks for tens of them per run). Metrics whose economies map to different model
    countries than an earlier one's are computed alone.
    """
    from sim.history.score import model_values

    mapping: dict[str, list[str]] = {}
    shared: list[Metric] = []
    values: dict[str, float] = {}
    for m in metrics:
        members = {e: list(c) for e, c in m.members}
        if all(mapping.setdefault(e, c) == c for e, c in members.items()):
            shared.append(m)
        else:
            values[m.name] = fact_value(m, results)
    if shared:
        rows = pd.DataFrame(
            [
                {
                    "economy": m.where.partition("|")[0],
                    "partner": m.where.partition("|")[2],
                    "quantity": m.column,
                    "start": m.window[0],
                    "end": m.window[1],
                }
                for m in shared
            ]
        )
        out = model_values(results, rows, mapping)
        values.update({m.name: float(v) for m, v in zip(shared, out, strict=True)})
    return {m.name: values[m.name] for m in metrics}


def fact_value(metric: Metric, results: Results) -> float:
    """A ``fact`` metric: the run's value of one facts-table quantity (economy, partner,
    quantity, years), computed as the scorecard computes it (:func:`sim.history.score.model_values`),
    in the facts' units (percent).
    """
    from sim.history.score import model_values

    economy, _, partner = metric.where.partition("|")
    row = pd.DataFrame(
        [
            {
                "economy": economy,
                "partner": partner,
                "quantity": metric.column,
                "start": metric.window[0],
                "end": metric.window[1],
            }
        ]
    )
    return float(model_values(results, row, {e: list(m) for e, m in metric.members})[0])


def default_metrics(names: Sequence[str]) -> list[dict[str, Any]]:
    """Metrics used when none are declared: each country's current account (share of GDP,
    mean over the run) and the mean global imbalance index.
    """
    out: list[dict[str, Any]] = [
        {"country": c, "column": "current_account", "share_of_gdp": True, "stat": "mean"} for c in names
    ]
    out.append({"country": "world", "column": "imbalance_index", "stat": "mean"})
    return out
