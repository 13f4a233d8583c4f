"""Measures per logged tick, from a run's tables.

World: the global imbalance index (sum of |current account| / world GDP, the IMF's measure of
global imbalances) and the dispersion of development levels (standard deviation across
countries of log GDP at PPP per worker). By country: current account / GDP, net foreign
assets / GDP, reserves in months of imports. By pair: the bilateral balance matrix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import TradesimError
from sim.results import Results


def as_results(run: Results | str | Path) -> Results:
    """A run given as ``sim.Results`` or as a finished run folder (loaded with ``sim.load_run``)."""
    if isinstance(run, Results):
        return run
    if isinstance(run, str | Path):
        from sim.runner import load_run

        return load_run(run)
    raise TradesimError(f"a run is a sim.Results or a run folder, not {type(run).__name__}")


def series_dt(results: Results) -> float:
    """Years between logged observations (the tick length times ``log_every``; the median
    spacing, so an extra last logged tick does not change it).
    """
    years = np.unique(results.timeseries["year"].to_numpy(dtype=float))
    if years.size >= 2:
        return float(np.median(np.diff(years)))
    return float(results.scenario.dt)


def years(results: Results) -> pd.Series:
    """Calendar year of each logged tick (index: tick)."""
    return results.timeseries.drop_duplicates("tick").set_index("tick")["year"].astype(float)


def imbalance_index(results: Results) -> pd.Series:
    """Global imbalance index per tick: sum over countries of |current account| / world GDP."""
    return results.imbalance_index().rename("imbalance_index")


def balance_shares(results: Results) -> pd.DataFrame:
    """Current account / GDP, tick x country (a share: 0.05 = 5% of the country's GDP)."""
    return results.share_of_gdp("current_account")


def nfa_shares(results: Results) -> pd.DataFrame:
    """Net foreign assets / GDP, tick x country (a share of a year's GDP)."""
    return results.share_of_gdp("net_foreign_assets")


def reserves_months(results: Results) -> pd.DataFrame:
    """Official reserves in months of imports, tick x country (NaN where imports are zero)."""
    imports = results.series("imports")
    return results.series("reserves") / imports.where(imports > 0) * 12.0


def log_gdp_ppp_per_worker(results: Results) -> pd.DataFrame:
    """Log of GDP at PPP per worker (thousand USD per worker-year), tick x country."""
    per_worker = results.series("gdp_ppp") / results.series("labor_force")
    return np.log(per_worker.where(per_worker > 0))


def development_dispersion(results: Results) -> pd.Series:
    """Standard deviation across countries (population, ddof 0) of log GDP at PPP per worker,
    per tick: 0 when every country is equally developed, ~1.6 for a 1:50 income gap between
    two equal-sized halves of the world.
    """
    return log_gdp_ppp_per_worker(results).std(axis=1, ddof=0).rename("development_dispersion")


def _codes(values: pd.Series, names: list[str]) -> np.ndarray:
    codes = pd.Categorical(values.astype(str), categories=names).codes
    if (codes < 0).any():
        raise TradesimError("the bilateral table names countries the scenario does not have")
    return codes.astype(np.int64)


def bilateral_exports(results: Results, ticks: list[int] | np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exports by pair summed over traded sectors, at producer prices, USD bn/yr.

    Args:
        results: a run with bilateral flows logged.
        ticks: the logged ticks wanted (default: every tick with bilateral flows).

    Returns:
        (ticks, E) with E[k, a, b] = exports of country a to country b at ticks[k] (zero diagonal).
    """
    bil = results.bilateral
    names = results.countries
    n = len(names)
    logged = np.unique(bil["tick"].to_numpy(dtype=np.int64)) if len(bil) else np.empty(0, dtype=np.int64)
    if ticks is None:
        want = logged
    else:
        want = np.asarray(list(ticks), dtype=np.int64)
        missing = np.setdiff1d(want, logged)
        if missing.size:
            raise TradesimError(
                f"no bilateral flows logged at tick(s) {missing[:5].tolist()}; simulation.bilateral_every "
                f"decides which ticks are logged ({logged.size} are)"
            )
    out = np.zeros((want.size, n, n))
    if want.size == 0:
        return want, out
    sel = bil[bil["tick"].isin(want)]
    o = _codes(sel["origin"], names)
    d = _codes(sel["destination"], names)
    k = np.searchsorted(want, sel["tick"].to_numpy(dtype=np.int64))
    off = o != d
    np.add.at(out, (k[off], o[off], d[off]), sel["value"].to_numpy(dtype=float)[off])
    return want, out


def bilateral_balance_matrix(results: Results, tick: int) -> pd.DataFrame:
    """Bilateral balances at one tick, country x partner, USD bn/yr: exports of the row country
    to the column country minus its imports from it, summed over traded sectors, at producer
    prices. Antisymmetric; each row sums to the country's trade balance.
    """
    _, e = bilateral_exports(results, [tick])
    names = results.countries
    return pd.DataFrame(e[0] - e[0].T, index=pd.Index(names, name="country"), columns=pd.Index(names, name="partner"))


def bilateral_balances(results: Results, ticks: list[int] | np.ndarray | None = None) -> pd.DataFrame:
    """Bilateral balances in long form: one row per (tick, country, partner != country), with
    ``balance`` (USD bn/yr) and ``balance_share`` (of the country's GDP).

    Args:
        results: a run with bilateral flows logged.
        ticks: logged ticks wanted (default: all with bilateral flows).
    """
    want, e = bilateral_exports(results, ticks)
    names = results.countries
    n = len(names)
    bal = e - e.transpose(0, 2, 1)
    k, a, b = np.indices(bal.shape).reshape(3, -1)
    off = a != b
    gdp = results.series("gdp")
    gdp_at = gdp.reindex(want).to_numpy()
    return pd.DataFrame(
        {
            "tick": want[k[off]],
            "country": pd.Categorical.from_codes(a[off], categories=names),
            "partner": pd.Categorical.from_codes(b[off], categories=names),
            "balance": bal.reshape(-1)[off],
            "balance_share": (bal / gdp_at[:, :, None]).reshape(-1)[off] if n else np.empty(0),
        }
    )


def country_measures(results: Results) -> pd.DataFrame:
    """Per (tick, country): ``balance_share`` (CA / GDP), ``nfa_share`` (NFA / GDP),
    ``reserves_months`` (months of imports) and ``log_gdp_ppp_per_worker``.
    """
    parts = {
        "balance_share": balance_shares(results),
        "nfa_share": nfa_shares(results),
        "reserves_months": reserves_months(results),
        "log_gdp_ppp_per_worker": log_gdp_ppp_per_worker(results),
    }
    first = parts["balance_share"]
    ticks = first.index.to_numpy()
    names = results.countries
    n = len(names)
    out = pd.DataFrame(
        {
            "tick": np.repeat(ticks, n),
            "year": np.repeat(years(results).reindex(ticks).to_numpy(), n),
            "country": pd.Categorical(np.tile(names, ticks.size), categories=names),
        }
    )
    for name, df in parts.items():
        out[name] = df.reindex(index=ticks, columns=names).to_numpy().reshape(-1)
    return out
