"""Worlds: synthetic ones of any size (benchmarks, tests) and real ones from data.

``synthetic_document(n, s, seed)`` builds a valid scenario document: countries on a circle (trade
costs grow with distance), lognormal labor forces, productivity levels spread over a 1:50 range
with mild sector-specific comparative advantage, labor shares near what demand buys at the start,
managed and pegged regimes, reserves, a few bilateral tariffs and export controls. The same
arguments always give the same document.

``from_data(year, countries or regions)`` builds a scenario of real countries (or regions of
them) from the gapminder incomes and populations (:mod:`sim.history.gapminder`), by the rules
of :func:`data_document` (``docs/validation.md``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.schema import Scenario


def synthetic_document(n_countries: int, n_sectors: int, seed: int = 0, *, ticks: int = 100) -> dict[str, Any]:
    """A scenario document with ``n_countries`` countries and ``n_sectors`` traded sectors.

    Args:
        n_countries: number of countries (>= 1).
        n_sectors: number of traded sectors (>= 1); services come on top.
        seed: seed of the generator (the document is a pure function of the arguments).
        ticks: simulation length.
    """
    if n_countries < 1 or n_sectors < 1:
        raise ValueError("a synthetic world needs at least one country and one traded sector")
    rng = np.random.default_rng(np.random.SeedSequence([seed, n_countries, n_sectors]))
    sectors = [f"s{k}" for k in range(n_sectors)]
    names = [f"C{i:04d}" for i in range(n_countries)]
    angle = rng.uniform(0, 2 * np.pi, n_countries)
    level = np.exp(rng.uniform(np.log(0.02), 0.0, n_countries))
    level[0] = 1.0  # the issuer is at the frontier
    labor = np.exp(rng.normal(np.log(30.0), 1.2, n_countries))
    labor[0] = max(labor.max(), 0.15 * labor.sum())  # the reserve issuer is the largest economy
    countries = []
    for i, name in enumerate(names):
        tilt = np.exp(rng.normal(0.0, 0.1, n_sectors))
        prod = {s: float(level[i] * tilt[k]) for k, s in enumerate(sectors)}
        prod["services"] = float(level[i])
        traded = rng.dirichlet(np.full(n_sectors, 8.0)) * 0.37
        shares = {s: float(traded[k]) for k, s in enumerate(sectors)}
        shares["services"] = float(1.0 - traded.sum())
        regime = "float" if i == 0 else str(rng.choice(["float", "float", "managed", "peg"]))
        c: dict[str, Any] = {
            "name": name,
            "labor_force": float(labor[i]),
            "labor_growth": float(rng.uniform(-0.005, 0.015)),
            "productivity": prod,
            "labor_shares": shares,
            "propensity_to_consume": float(c_rate := rng.uniform(0.75, 0.80)),
            "investment_rate": float(1.0 - c_rate + rng.uniform(-0.01, 0.01)),
            "exchange_rate_regime": regime,
            "reserves_months": float(rng.uniform(2.0 if regime == "float" else 4.0, 8.0)) if i else 0.0,
            "catchup_speed": float(rng.uniform(0.5, 2.0)),
        }
        countries.append(c)
    # a few tariffs and export controls (about 2% of countries each), never on the issuer
    k = max(1, n_countries // 50) if n_countries > 2 else 0
    for _ in range(k):
        d, o = rng.choice(np.arange(1, n_countries), 2, replace=False) if n_countries > 2 else (0, 0)
        countries[d].setdefault("tariffs", {})[names[o]] = {
            sectors[int(rng.integers(n_sectors))]: float(rng.uniform(0.05, 0.3))
        }
        x, y = rng.choice(np.arange(1, n_countries), 2, replace=False) if n_countries > 2 else (0, 0)
        countries[x].setdefault("export_controls", {})[sectors[int(rng.integers(n_sectors))]] = {
            "destinations": [names[y]]
        }
    # trade costs by distance on the circle, written for the nearest partners only
    base = 0.9
    pairs = []
    if n_countries > 1:
        near = min(3, n_countries - 1)
        for i in range(n_countries):
            gap = np.abs((angle - angle[i] + np.pi) % (2 * np.pi) - np.pi)
            for j in np.argsort(gap)[1 : near + 1]:
                if i < j:
                    pairs.append(
                        {"origin": names[i], "destination": names[int(j)], "cost": float(base * (0.4 + gap[j] / np.pi))}
                    )
    return {
        "simulation": {
            "name": f"synthetic_{n_countries}x{n_sectors}",
            "ticks": ticks,
            "seed": seed,
            "bilateral_every": 0 if n_countries > 30 else 1,
        },
        "world": {"sectors": sectors, "elasticity": 4.0, "trade_cost": base, "trade_costs": pairs},
        "country": countries,
    }


PARTICIPATION = 0.45
"""Labor force / population, the same everywhere (about the world's ratio): population is not
labor force, and with one ratio relative incomes per worker equal relative incomes per head."""


def data_document(
    year: int,
    countries: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    *,
    issuer: str = "United States",
    ticks: int = 25,
    seed: int = 0,
    name: str | None = None,
    interpolate: bool = False,
) -> dict[str, Any]:
    """A scenario document of real countries (or regions) in ``year``, from the gapminder data.

    The rules (``docs/validation.md``):

    - labor force (millions) = population x :data:`PARTICIPATION` / 1e6; a region's population is
      the sum of its members';
    - labor growth = the annual population growth over the five years before ``year`` (after it
      before 1957: the data start in 1952);
    - productivity, the same in every sector = PPP income per head relative to the issuer's,
      capped at 1: no economy starts above the frontier (the oil exporters' incomes are rents, not
      productivity); a region's income per head is its members' population-weighted mean;
    - the issuer (the reserve currency and unit of account) is the first country; every currency
      floats, nobody holds reserves, and everything else takes the scenario defaults.

    Args:
        year: a year of the data (1952-2007 every 5 years).
        countries: country names (tradesim names, :data:`sim.history.gapminder.RENAMES`); or a
            mapping region -> member countries; None: all 142 countries.
        issuer: the country (or region) whose income is the reference and whose currency is
            the reserve; it must be one of the countries or regions.
        ticks: simulation length (years); tick 0 is ``year``.
        seed: the scenario's seed.
        name: the scenario name (default ``data_<year>``).
        interpolate: accept a year between two years of the data (log-linear interpolation;
            :func:`sim.history.gapminder.at`), e.g. 1980 from 1977 and 1982.

    Raises:
        ScenarioError: an unknown country, a year outside the data, an empty region, a country
            in two regions, or an issuer not among the countries.
    """
    from sim.errors import ScenarioError
    from sim.history import gapminder

    file = f"<from_data {year}>"
    if countries is None:
        groups = {c: [c] for c in gapminder.countries()}
    elif isinstance(countries, Mapping):
        groups = {str(k): list(v) for k, v in countries.items()}
    else:
        groups = {str(c): [str(c)] for c in countries}
    problems: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for region, members in groups.items():
        if not members:
            problems.append((f"regions.{region}", "a region needs at least one country"))
        for m in members:
            if m in seen:
                problems.append((f"regions.{region}", f"'{m}' is already in {seen[m]}"))
            seen[m] = region
    if issuer not in groups:
        problems.append(("issuer", f"'{issuer}' is not among the countries or regions"))
    if problems:
        raise ScenarioError(file, problems)
    members = [m for ms in groups.values() for m in ms]
    now = gapminder.at(year, members, interpolate=interpolate, file=file)
    before_year = year - 5 if year - 5 >= gapminder.YEARS[0] else year + 5
    before = gapminder.at(before_year, members, interpolate=interpolate, file=file)
    pop = {r: float(now.loc[ms, "population"].sum()) for r, ms in groups.items()}
    gdp = {r: float((now.loc[ms, "population"] * now.loc[ms, "income"]).sum()) for r, ms in groups.items()}
    pop_b = {r: float(before.loc[ms, "population"].sum()) for r, ms in groups.items()}
    ref = gdp[issuer] / pop[issuer]
    order = [issuer, *[r for r in groups if r != issuer]]
    country_docs = []
    for r in order:
        growth = np.log(pop[r] / pop_b[r]) / (year - before_year)
        country_docs.append(
            {
                "name": r,
                "labor_force": pop[r] * PARTICIPATION / 1e6,
                "labor_growth": float(np.clip(growth, -0.1, 0.1)),
                "productivity": float(min(1.0, gdp[r] / pop[r] / ref)),
            }
        )
    return {
        "simulation": {
            "name": name or f"data_{year}",
            "ticks": ticks,
            "seed": seed,
            "start_year": year,
            "bilateral_every": 0 if len(groups) > 30 else 1,
        },
        "world": {},
        "country": country_docs,
    }


def from_data(
    year: int,
    countries: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    **kwargs: Any,
) -> Scenario:
    """A validated scenario of real countries or regions in ``year``: :func:`data_document`."""
    from sim.scenario import load_scenario

    doc = data_document(year, countries, **kwargs)
    return load_scenario(doc, file=f"<from_data {year}>")
