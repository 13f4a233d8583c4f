"""Regions of the 1980-2024 history, and a draft of their 1980 initial conditions from data.

The regions are those of issue 24's history scenario: the US, Japan, the four dragons, mainland
China, Europe (the euro-area members in the gapminder data, as in the facts tables) and the
rest of the world (every other gapminder country). :func:`history_1980_document` draws their
1980 sizes and incomes from the gapminder data (interpolated between 1977 and 1982); the
history's events wait for the scenario language (issue 21), and openness is not in the data
(trade costs stay at the defaults).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from sim.history import gapminder
from sim.history.facts import EURO_AREA

DRAGONS = ("South Korea", "Taiwan", "Hong Kong, China", "Singapore")


def history_regions() -> dict[str, list[str]]:
    """Region -> gapminder countries; every country is in exactly one region."""
    named = {
        "US": ["United States"],
        "Japan": ["Japan"],
        "Dragons": list(DRAGONS),
        "China": ["China"],
        "Europe": list(EURO_AREA),
    }
    taken = {c for members in named.values() for c in members}
    named["Rest of world"] = [c for c in gapminder.countries() if c not in taken]
    return named


PAST, BEFORE_START = 1957, 1977
"""The persistence rule's window: the last 20 years of data before the 1980 start."""

OPENNESS_1980 = {"US": 9.8, "China": 6.0}
"""1980 exports of goods and services / GDP, % (World Bank WDI, recalled; rows of
``data/facts_history.csv``): the two targets of :func:`solve_openness`."""


def relative_income(year: int, interpolate: bool = False) -> dict[str, float]:
    """Log PPP income per head of each region relative to the US in ``year`` (regions'
    population-weighted means).
    """
    reg = history_regions()
    df = gapminder.at(year, [m for ms in reg.values() for m in ms], interpolate=interpolate)
    level = {r: float((df.loc[ms, "population"] * df.loc[ms, "income"]).sum() / df.loc[ms, "population"].sum())
             for r, ms in reg.items()}  # fmt: skip
    return {r: float(np.log(v / level["US"])) for r, v in level.items()}


def catchup_multipliers() -> dict[str, float]:
    """Each region's ``catchup_speed`` multiplier, from data up to 1977 only (rounded to 0.01).

    The persistence rule (:mod:`sim.history.world142`, lam = 1): a region at first closes its
    1980 gap at the rate r it closed it over 1957-1977, ``m = clip(r / (kappa gap**2 / (gap +
    h)), 0, 20)`` with kappa and h the model's default catch-up speed and curvature. China fell
    behind over 1957-1977 (m would be 0); its 1978 reforms are a break the past cannot show, so
    it gets the rate of the dragons over 1957-1977 instead, the nearest earlier case of a poor
    Asian economy opening to trade. The US is the frontier (its multiplier does nothing): 1.
    """
    from sim.schema import Development

    dev = Development()
    past, before, now = relative_income(PAST), relative_income(BEFORE_START), relative_income(1980, True)
    out = {}
    for r in history_regions():
        rate = (before["Dragons" if r == "China" else r] - past["Dragons" if r == "China" else r]) / (
            BEFORE_START - PAST
        )
        gap = max(-now[r], 0.0)
        pull = dev.catchup_speed * gap**2 / (gap + dev.catchup_curvature)
        out[r] = 1.0 if pull < 1e-9 else round(float(np.clip(rate / pull, 0.0, 20.0)), 2)
    return out


def exports_gdp_at_start(doc: dict[str, Any]) -> dict[str, float]:
    """Exports / GDP (%) of each country at tick 0 of a scenario document (its balanced start)."""
    import sim

    d = {**doc, "simulation": {**doc["simulation"], "ticks": 1}, "event": []}
    t0 = sim.simulate(d).timeseries.set_index("country")
    return {str(k): float(v) for k, v in (100.0 * t0["exports"] / t0["gdp"]).items()}


def solve_openness(doc: dict[str, Any], tol: float = 0.005) -> tuple[float, float]:
    """(world trade cost, cost of every pair with China) giving the US and China their 1980
    exports / GDP (:data:`OPENNESS_1980`) at the start of ``doc`` (rounded to 0.01).

    Each cost is found by bisection on [0, 10] with the other held, twice over (the US's
    exports hardly depend on China's cost).
    """
    import copy

    others = [c["name"] for c in doc["country"] if c["name"] != "China"]

    def with_costs(world: float, china: float) -> dict[str, Any]:
        d = copy.deepcopy(doc)
        d["world"] = {**d.get("world", {}), "trade_cost": world, "pair_costs": {"China": dict.fromkeys(others, china)}}
        return d

    def bisect(f, target: float) -> float:  # f falls with the cost
        lo, hi = 0.0, 10.0
        while hi - lo > tol:
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if f(mid) > target else (lo, mid)
        return round(0.5 * (lo + hi), 2)

    world, china = 1.0, 3.0
    for _ in range(2):
        world = bisect(lambda x, c=china: exports_gdp_at_start(with_costs(x, c))["US"], OPENNESS_1980["US"])
        china = bisect(lambda x, w=world: exports_gdp_at_start(with_costs(w, x))["China"], OPENNESS_1980["China"])
    return world, china


CHINA_TARIFF = {1982: 55.6, 1985: 43.3, 1994: 36.3, 1996: 23.6, 1997: 17.6, 2001: 15.3, 2002: 12.0, 2005: 9.9}
"""China's average statutory import tariff, % (Lardy 2002, table 2-1; WTO 2006 Trade Policy
Review of China): the time profile of China's trade barriers in rule T."""


def china_pair_cost(year: int, world: float, china_1980: float) -> float:
    """Rule T: the cost of China's pairs in ``year`` (one of :data:`CHINA_TARIFF`'s years), its
    1980 excess over the world cost shrunk in proportion to China's average tariff (rounded to
    0.01).
    """
    return round(world + (china_1980 - world) * CHINA_TARIFF[year] / CHINA_TARIFF[1982], 2)


def history_1980_document(*, ticks: int = 45, seed: int = 1) -> dict[str, Any]:
    """A scenario document of the history's regions in 1980 (1980-2024 with the default 45 ticks),
    by the rules of :func:`sim.worlds.data_document`; no events.
    """
    from sim.worlds import data_document

    return data_document(
        1980, history_regions(), issuer="US", ticks=ticks, seed=seed, name="history_1980", interpolate=True
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.history.regions OUT.toml [TICKS]``: write the 1980 regions as a scenario file."""
    import tomli_w

    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 2:
        print("usage: python -m sim.history.regions OUT.toml [TICKS]", file=sys.stderr)
        return 2
    doc = history_1980_document(ticks=int(args[1]) if len(args) > 1 else 45)
    head = "# The history's regions in 1980 from the gapminder data (sim.history.regions); no events.\n"
    Path(args[0]).write_text(head + tomli_w.dumps(doc), encoding="utf-8")
    print(args[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
