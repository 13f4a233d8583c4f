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


US_DEFICIT = {
    1980: 2.6,
    1982: 4.9,
    1987: 3.57,
    1993: 2.06,
    1998: -1.4,
    2002: 2.39,
    2009: 8.4,
    2013: 3.46,
    2020: 13.4,
    2022: 6.0,
}
"""Mean federal deficit / GDP (%) of each US fiscal stance from its first year (CBO historical
budget data, recalled): rule G's balance targets (their negatives) and, before, rule F."""

US_FUNDS = {1980: [13.35], 1981: [16.39, 12.24, 9.09, 10.23], 1985: [8.10, 6.81, 6.66, 7.57, 9.22],
            1990: [8.10, 5.69, 3.52, 3.02, 4.21], 1995: [5.83, 5.30, 5.46, 5.35, 4.97, 6.24],
            2001: [3.88, 1.67, 1.13, 1.35], 2005: [3.22, 4.97, 5.02],
            2008: [1.93, 0.16, 0.18, 0.10, 0.14, 0.11, 0.09, 0.13], 2016: [0.40, 1.00, 1.83, 2.16],
            2020: [0.38, 0.08], 2022: [1.68], 2023: [5.02, 5.14]}  # fmt: skip
"""Annual mean effective federal funds rate (%) in each year of each US policy episode, keyed by
its first year (Fed H.15, recalled)."""
US_CPI = {1980: [13.5], 1981: [10.3, 6.2, 3.2, 4.3], 1985: [3.6, 1.9, 3.6, 4.1, 4.8],
          1990: [5.4, 4.2, 3.0, 3.0, 2.6], 1995: [2.8, 3.0, 2.3, 1.6, 2.2, 3.4], 2001: [2.8, 1.6, 2.3, 2.7],
          2005: [3.4, 3.2, 2.9], 2008: [3.8, -0.4, 1.6, 3.2, 2.1, 1.5, 1.6, 0.1], 2016: [1.3, 2.1, 2.4, 1.8],
          2020: [1.2, 4.7], 2022: [8.0], 2023: [4.1, 2.9]}  # fmt: skip
"""CPI inflation (%, annual average) in the same years (BLS, recalled)."""
US_NATURAL_RATE = {1980: 3.2, 1981: 3.1, 1985: 3.0, 1990: 2.5, 1995: 2.9, 2001: 2.5, 2005: 2.2, 2008: 0.5,
                   2016: 0.4, 2020: 0.4, 2022: 0.7, 2023: 0.7}  # fmt: skip
"""The US natural real rate over each episode (%; Laubach and Williams 2003 and its updates,
recalled)."""
NEUTRAL_RATE = 3.4
"""The model's neutral rate, %: the world rate at the balanced start of the history (3.38%,
rounded): rule P's anchor."""


def us_policy_rate(year: int) -> float:
    """Rule P: the US policy rate (per year) from the episode starting in ``year``: the model's
    neutral rate plus the episode's mean real federal funds rate less the natural rate (rounded
    to 0.0001).
    """
    real = float(np.mean(US_FUNDS[year]) - np.mean(US_CPI[year]))
    return round((NEUTRAL_RATE + real - US_NATURAL_RATE[year]) / 100.0, 4)


CONTROLS_GDP = {
    "Japan": {1980: {"Japan": (1100, 1)}, 1981: {"Japan": (1200, 0)}},
    "Dragons": {1980: {"South Korea": (65, 1), "Taiwan": (42, 1), "Hong Kong": (29, 0), "Singapore": (12, 0)},
                1987: {"South Korea": (147, 1), "Taiwan": (105, 0), "Hong Kong": (50, 0), "Singapore": (21, 0)},
                1999: {"South Korea": (446, 0), "Taiwan": (300, 0), "Hong Kong": (166, 0), "Singapore": (86, 0)}},
    "Europe": {1980: {"Germany": (950, 0), "Netherlands": (190, 0), "France": (700, 1), "Italy": (480, 1),
                      "Spain": (230, 1), "Belgium-Luxembourg": (131, 1), "Austria": (80, 1), "Finland": (50, 1),
                      "Greece": (55, 1), "Portugal": (33, 1), "Ireland": (21, 1), "Slovakia, Slovenia": (40, 1)},
               1990: {"Germany": (1770, 0), "Netherlands": (320, 0), "France": (1270, 0), "Italy": (1180, 0),
                      "Spain": (535, 1), "Belgium-Luxembourg": (218, 0), "Austria": (165, 1), "Finland": (140, 1),
                      "Greece": (95, 1), "Portugal": (80, 1), "Ireland": (50, 1), "Slovakia, Slovenia": (33, 1)},
               1992: {"Germany": (2070, 0), "Netherlands": (360, 0), "France": (1400, 0), "Italy": (1320, 0),
                      "Spain": (620, 0), "Belgium-Luxembourg": (250, 0), "Austria": (195, 0), "Finland": (110, 0),
                      "Greece": (105, 1), "Portugal": (105, 0), "Ireland": (55, 0), "Slovakia, Slovenia": (25, 1)},
               1994: {}},
}  # fmt: skip
"""Rule K's data: each member's GDP (bn USD, World Bank WDI, recalled) and whether its capital
account was still prohibited in principle (1) or free in principle (0) in that year (Japan until
the revised Foreign Exchange and Foreign Trade Control Law, in force Dec 1980; Korea until
the Foreign Exchange Transactions Act, Apr 1999; Taiwan until July 1987; Singapore free since 1978,
Hong Kong always; the EC members until directive 88/361/EEC (1 July 1990) or their derogations:
Spain, Portugal and Ireland 1992, Greece May 1994; Austria and Finland 1991; Slovakia and Slovenia,
0.4% of the region's GDP in 1994, rounded away then). An empty year: every member free."""


def capital_controls(region: str, year: int) -> float:
    """Rule K: the GDP-weighted share of a region's members whose capital account is prohibited in
    principle in ``year`` (rounded to 0.01).
    """
    members = CONTROLS_GDP[region][year]
    if not members:
        return 0.0
    total = sum(g for g, _ in members.values())
    return round(sum(g * c for g, c in members.values()) / total, 2)


CHINA_FDI_OPEN_AREAS = {1980: (3, 981), 1984: (30, 1044), 1988: (160, 1110), 1992: (1172, 1172)}
"""Rule D's data: people (millions) living where foreign firms could invest in China, and China's
population, in each opening year (Naughton 2007 ch. 17, recalled): the four Special Economic Zones
(Aug 1980), the fourteen coastal cities (Apr 1984), the coastal open economic zones (1985-88),
the whole country after Deng's southern tour (1992)."""


def china_fdi_open(year: int) -> float:
    """Rule D: China's ``fdi_open`` in ``year``, the share of its population in areas open to
    FDI (rounded to 0.01, or 0.001 below 0.01).
    """
    open_, total = CHINA_FDI_OPEN_AREAS[year]
    share = open_ / total
    return round(share, 3 if share < 0.01 else 2)


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
