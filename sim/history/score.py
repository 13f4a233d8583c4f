"""The scorecard: a run (or the median over seeds) against a facts table.

For each fact the model value is computed from the run's tables over the fact's years (the mean
over a period), the median is taken over seeds, and the fact passes if the value falls in its
band. Each fact's normalised error is the distance from the fact's value in units of the band's
half on that side: ``(model - value) / (high - value)`` above the value, ``(value - model) /
(value - low)`` below it, so an error of at most 1 is a pass. The overall distance is the mean
normalised error over the facts the model covers; in-sample (the facts ending in or before
``split``) and out-of-sample facts are reported separately.

Economies map to model countries by name, by the aliases and groups of
:data:`sim.history.facts.ECONOMIES`, or by a mapping given by the caller; a fact whose economy
has no model countries, or whose years the run does not cover in full, is reported as not covered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.errors import TradesimError
from sim.history.facts import ECONOMIES
from sim.results import Results

SPLIT_YEAR = 2000
"""Facts ending in or before this year are in-sample; later ones out-of-sample."""


def resolve_mapping(
    economies: Sequence[str], names: Sequence[str], overrides: Mapping[str, Sequence[str]] | None = None
) -> dict[str, list[str]]:
    """Model countries standing for each economy (an empty list: not in the model).

    Order of rules: the caller's mapping; a model country of the economy's name; the economy's
    alias or group (:data:`~sim.history.facts.ECONOMIES`) if every member is in the model, with
    each member resolved the same way; ``World`` is every country.

    Raises:
        TradesimError: if the caller maps an economy to a country the model does not have.
    """
    overrides = dict(overrides or {})
    have = set(names)
    for econ, members in overrides.items():
        missing = [m for m in members if m not in have]
        if missing:
            raise TradesimError(f"--map {econ}: the model has no country {', '.join(repr(m) for m in missing)}")

    def one(econ: str, depth: int = 0) -> list[str]:
        if econ in overrides:
            return list(overrides[econ])
        if econ == "World":
            return list(names)
        if econ in have:
            return [econ]
        members = ECONOMIES.get(econ, ())
        if not members or depth > 3:
            return []
        out = [one(m, depth + 1) for m in members]
        return [c for part in out for c in part] if all(out) else []

    return {e: one(e) for e in economies}


class _Run:
    """A run's tables prepared once for computing many facts."""

    def __init__(self, res: Results):
        ts = res.timeseries
        self.ts = ts.assign(country=ts["country"].astype(str))
        self.bil = res.bilateral
        by_tick = self.ts.groupby("tick", sort=True)
        self.world_gdp = by_tick["gdp"].sum()
        self.abs_ca = self.ts["current_account"].abs().groupby(self.ts["tick"], sort=True).sum()
        self.year = np.floor(by_tick["year"].first() + 1e-9)  # calendar year of each tick
        self.first = self.year.min() if len(self.year) else np.inf
        self.last = self.year.max() if len(self.year) else -np.inf
        self._cache: dict[tuple[str, str, str], pd.Series | None] = {}

    def series(
        self, economy: str, partner: str, quantity: str, mapping: Mapping[str, Sequence[str]]
    ) -> pd.Series | None:
        """The quantity at every logged tick (bilateral: every tick with flows); None if not in the model."""
        key = (economy, partner, quantity)
        if key not in self._cache:
            self._cache[key] = self._compute(economy, partner, quantity, mapping)
        return self._cache[key]

    def _compute(self, economy: str, partner: str, q: str, mapping: Mapping[str, Sequence[str]]) -> pd.Series | None:
        members = list(mapping.get(economy, []))
        if not members:
            return None
        if q == "global_imbalance":
            return 100.0 * self.abs_ca / self.world_gdp
        own = self.ts[self.ts["country"].isin(members)].groupby("tick", sort=True)
        if q == "gdp_share":
            return 100.0 * own["gdp"].sum() / self.world_gdp
        if q == "bilateral_balance":
            partners = list(mapping.get(partner, []))
            b = self.bil
            if not partners or b.empty:
                return None
            o, d = b["origin"].astype(str), b["destination"].astype(str)
            out_flow = b[o.isin(members) & d.isin(partners)].groupby("tick")["value"].sum()
            in_flow = b[o.isin(partners) & d.isin(members)].groupby("tick")["value"].sum()
            ticks = np.unique(b["tick"].to_numpy())
            bal = out_flow.reindex(ticks, fill_value=0.0) - in_flow.reindex(ticks, fill_value=0.0)
            return 100.0 * bal / self.world_gdp.reindex(ticks)
        if q.endswith("_usd_bn"):
            sums = own[["exports", "imports"]].sum()
            col = q.removesuffix("_usd_bn")
            return sums["exports"] - sums["imports"] if col == "trade_balance" else sums[col]
        col = {"ca_gdp": "current_account", "exports_gdp": "exports", "imports_gdp": "imports",
               "trade_balance_gdp": "trade_balance", "reserves_gdp": "reserves"}[q]  # fmt: skip
        sums = own[[col, "gdp"]].sum()
        return 100.0 * sums[col] / sums["gdp"]

    def mean_over(self, series: pd.Series, start: int, end: int) -> float:
        """Mean of a per-tick series over the ticks of years start..end (NaN if none)."""
        years = self.year.reindex(series.index).to_numpy()
        sel = series.to_numpy(dtype=float)[(years >= start) & (years <= end)]
        return float(np.mean(sel)) if len(sel) else float("nan")


def model_values(res: Results, facts: pd.DataFrame, mapping: Mapping[str, Sequence[str]]) -> np.ndarray:
    """(F,) the run's value of each fact (NaN where not covered), in the facts' units: the mean
    over the fact's years of the quantity at each logged tick.
    """
    run = _Run(res)
    out = np.full(len(facts), np.nan)
    for k, f in enumerate(facts.itertuples(index=False)):
        if f.start < run.first or f.end > run.last:  # a period the run covers only in part is not covered
            continue
        series = run.series(f.economy, f.partner, f.quantity, mapping)
        if series is not None:
            out[k] = run.mean_over(series, f.start, f.end)
    return out


def annual_values(res: Results, keys: pd.DataFrame, mapping: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Each (economy, partner, quantity) of ``keys`` in every year of the run (mean over the
    year's ticks). Columns economy, partner, quantity, year, model.
    """
    run = _Run(res)
    frames = []
    for f in keys[["economy", "partner", "quantity"]].drop_duplicates().itertuples(index=False):
        series = run.series(f.economy, f.partner, f.quantity, mapping)
        if series is None:
            continue
        yearly = series.groupby(run.year.reindex(series.index).to_numpy()).mean()
        frames.append(pd.DataFrame({"economy": f.economy, "partner": f.partner, "quantity": f.quantity,
                                    "year": yearly.index.astype(int), "model": yearly.to_numpy(float)}))  # fmt: skip
    cols = ["economy", "partner", "quantity", "year", "model"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def normalised_error(model: np.ndarray, value: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """(F,) distance of each model value from the fact in units of the band's half on its side
    (<= 1 inside the band; NaN where the model value is NaN).
    """
    model = np.asarray(model, float)
    above = model >= value
    with np.errstate(invalid="ignore"):
        return np.where(above, (model - value) / (high - value), (value - model) / (value - low))


@dataclass
class Scorecard:
    """The scorecard of a set of runs against a facts table.

    Attributes:
        table: one row per fact: the facts' columns, ``model`` (median over seeds; NaN if not
            covered), ``seeds`` (runs with a value), ``error`` (normalised), ``passed``
            (True/False, None if not covered), ``sample`` ("in" or "out").
        split: the last in-sample year.
        mapping: economy -> model countries used.
        per_seed: (runs, F) the value of each fact in each run.
    """

    table: pd.DataFrame
    split: int
    mapping: dict[str, list[str]]
    per_seed: np.ndarray = field(repr=False)

    def summary(self, sample: str | None = None) -> dict[str, float | int]:
        """Counts and the overall distance, for all facts or one sample ("in", "out")."""
        t = self.table if sample is None else self.table[self.table["sample"] == sample]
        covered = t[t["model"].notna()]
        n = len(covered)
        return {
            "facts": int(len(t)),
            "covered": int(n),
            "passed": int(covered["passed"].astype(bool).sum()),
            "distance": float(covered["error"].mean()) if n else float("nan"),
        }


def score(
    runs: Sequence[Results],
    facts: pd.DataFrame,
    *,
    mapping: Mapping[str, Sequence[str]] | None = None,
    split: int = SPLIT_YEAR,
) -> Scorecard:
    """Score runs (seeds of one scenario) against a facts table (:func:`~sim.history.facts.load_facts`).

    Args:
        runs: one or more runs of the same scenario.
        facts: the facts table.
        mapping: economy -> model countries, overriding the rules of :func:`resolve_mapping`.
        split: the last in-sample year.
    """
    if not runs:
        raise TradesimError("nothing to score: no runs")
    names = runs[0].countries
    economies = sorted(set(facts["economy"]) | {p for p in facts["partner"] if p})
    resolved = resolve_mapping(economies, names, mapping)
    per_seed = np.vstack([model_values(r, facts, resolved) for r in runs])
    covered = np.isfinite(per_seed)
    counts = covered.sum(axis=0)
    med = np.full(len(facts), np.nan)
    if covered.any():
        cols = counts > 0
        med[cols] = np.nanmedian(per_seed[:, cols], axis=0)
    t = facts.copy()
    t["model"] = med
    t["seeds"] = counts
    t["error"] = normalised_error(med, t["value"].to_numpy(), t["low"].to_numpy(), t["high"].to_numpy())
    inside = (med >= t["low"].to_numpy()) & (med <= t["high"].to_numpy())
    t["passed"] = pd.array(np.where(np.isfinite(med), inside, None), dtype="boolean")
    t["sample"] = np.where(t["end"].to_numpy() <= split, "in", "out")
    return Scorecard(table=t, split=split, mapping=resolved, per_seed=per_seed)
