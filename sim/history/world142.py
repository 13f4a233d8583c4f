"""The first real world: 142 countries from 1982 to 2007, out of sample.

Every country starts from its 1982 income and population (:func:`sim.worlds.from_data`). Its
development parameter, the multiplier of the world catch-up speed, is set by ONE rule from its
1957-1982 data only; the run's 2007 incomes per head are then compared with the real ones.

Rules (:data:`RULES`):

- ``uniform`` (0 coefficients): every multiplier is 1, the model's unconditional catch-up;
- ``persistence`` (1 coefficient, ``lam``, set to 1 before any run): a country closes its gap
  to the frontier at first at ``lam`` times the rate it closed it over 1957-1982, i.e.
  ``m_i = clip(lam * r_i / (kappa * gap_i**2 / (gap_i + h)), 0, 20)`` with ``r_i`` the annual
  change of log income relative to the United States over 1957-1982, ``gap_i`` minus the log of
  its 1982 productivity, ``kappa`` and ``h`` the model's default catch-up speed and curvature.
  A country that fell behind gets 0 (the model has no way to fall behind: it grows with the
  frontier).
- ``capability`` (1 coefficient, the same ``lam``): the persistence rule, extended to the
  countries that fell behind through their social capability (docs/model.md section 7.7). A
  country that gained keeps the persistence multiplier and capability 1; one that fell behind
  keeps the multiplier 1 and gets the capability at which it first falls behind at ``lam``
  times its 1957-1982 rate: ``phi_i = clip((g_F - lam |r_i|) / (g_F + kappa gap_i**2 / (gap_i +
  h)), 0, 1)`` (the closed form of the growth gap, at investment effort 1), capability
  ``phi_i c*`` (c* the default threshold; only phi_i matters).

Investment rates are left at the default everywhere (the data have none), so absorptive
capacity differs only as investment responds to growth during the run.

Run as ``python -m sim.history.world142 [--rule persistence] [--seeds 3]``: prints the comparison
numbers of ``docs/validation.md``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.history import gapminder
from sim.schema import Development

START, END, PAST = 1982, 2007, 1957
ISSUER = "United States"
RULES = {"uniform": 0, "persistence": 1, "capability": 1}
"""Rule name -> number of free coefficients (knobs)."""
EAST_ASIA = (
    "China", "Hong Kong, China", "Indonesia", "Malaysia", "Singapore", "South Korea", "Taiwan",
    "Thailand", "Vietnam",
)  # fmt: skip
"""The East Asian catch-up club as usually named (the dragons and the next tigers, and China)."""
NORTH_AFRICA = ("Algeria", "Egypt", "Libya", "Morocco", "Tunisia")


def relative_income(year: int) -> pd.Series:
    """Log PPP income per head relative to the United States in ``year``, by country."""
    df = gapminder.at(year)
    return np.log(df["income"] / df.loc[ISSUER, "income"])


def multipliers(rule: str = "persistence", lam: float = 1.0) -> pd.Series:
    """Catch-up multiplier of each country by ``rule`` from 1957-1982 data only.

    Raises:
        ValueError: an unknown rule.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule '{rule}' (known: {', '.join(RULES)})")
    names = gapminder.countries()
    if rule == "uniform":
        return pd.Series(1.0, index=names)
    rate, pull = _past()
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(pull > 1e-9, lam * rate / pull, 1.0)
    m = pd.Series(np.clip(m, 0.0, 20.0), index=rate.index)
    if rule == "capability":
        m[rate < 0] = 1.0
    return m.loc[names]


def _past() -> tuple[pd.Series, pd.Series]:
    """Each country's relative growth per year over 1957-1982 and the model's catch-up pull
    ``kappa gap**2 / (gap + h)`` at its 1982 gap (default speed and curvature).
    """
    dev = Development()
    rel_now, rel_past = relative_income(START), relative_income(PAST)
    rate = (rel_now - rel_past) / (START - PAST)  # relative growth per year, 1957-1982
    gap = np.maximum(-rel_now, 0.0)  # the 1982 productivity is capped at the frontier
    return rate, dev.catchup_speed * gap**2 / (gap + dev.catchup_curvature)


def capabilities(rule: str = "persistence", lam: float = 1.0) -> pd.Series:
    """Social capability of each country by ``rule`` (1 everywhere except under ``capability``,
    where a country that fell behind over 1957-1982 first falls behind at ``lam`` times that rate).

    Raises:
        ValueError: an unknown rule.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule '{rule}' (known: {', '.join(RULES)})")
    names = gapminder.countries()
    if rule != "capability":
        return pd.Series(1.0, index=names)
    dev = Development()
    rate, pull = _past()
    phi = np.clip((dev.frontier_growth - lam * np.abs(rate)) / (dev.frontier_growth + pull), 0.0, 1.0)
    c = np.where(rate < 0, phi * dev.capability_threshold, 1.0)
    return pd.Series(c, index=rate.index).loc[names]


def document(rule: str = "persistence", lam: float = 1.0, seed: int = 1) -> dict[str, Any]:
    """The 142-country scenario document of 1982 with the rule's multipliers, 25 years to 2007."""
    from sim.worlds import data_document

    doc = data_document(START, None, ticks=END - START + 1, seed=seed, name=f"world142_{rule}")
    m, cap = multipliers(rule, lam), capabilities(rule, lam)
    for c in doc["country"]:
        c["catchup_speed"] = float(m[c["name"]])
        if cap[c["name"]] < 1.0:
            c["capability"] = float(cap[c["name"]])
    return doc


def model_relative_income(res) -> pd.DataFrame:
    """(years x countries) log model income per head (gdp_ppp per worker) relative to the US."""
    ts = res.timeseries
    per = ts["gdp_ppp"] / ts["labor_force"]
    wide = pd.DataFrame({"year": ts["year"].round().astype(int), "country": ts["country"].astype(str), "y": per})
    wide = wide.pivot(index="year", columns="country", values="y")
    return np.log(wide.div(wide[ISSUER], axis=0))


def dispersion(logy: pd.Series, weights: pd.Series | None = None) -> float:
    """Standard deviation of log income across countries (weighted if ``weights`` given)."""
    w = np.ones(len(logy)) if weights is None else weights.loc[logy.index].to_numpy(float)
    x = logy.to_numpy(float)
    mean = np.average(x, weights=w)
    return float(np.sqrt(np.average((x - mean) ** 2, weights=w)))


def compare(runs: Sequence) -> dict[str, Any]:
    """The comparison with the data (median over runs of the model's numbers).

    Returns:
        ``spearman``: rank correlation across countries of growth 1982-2007 relative to the US,
        model against data; two benchmarks without the model: ``spearman_past``, the data's
        growth against its 1957-1982 growth, and ``spearman_gap``, against the 1982 gap (what
        unconditional convergence predicts); ``dispersion``: table by year (1982, 1987, ..., 2007) of the sd of
        log income, unweighted and population-weighted, data and model; ``clubs``: for East Asia
        and Sub-Saharan Africa, the change in log income relative to the US 1982-2007 (mean
        weighted by 1982 population, and unweighted) and the share of countries that gained on
        the US, data and model.
    """
    from scipy.stats import spearmanr

    years = [y for y in gapminder.YEARS if START <= y <= END]
    data = pd.DataFrame({y: relative_income(y) for y in years}).T
    pop = {y: gapminder.at(y)["population"] for y in years}
    models = [model_relative_income(r) for r in runs]
    model = pd.concat(models).groupby(level=0).median().loc[years, data.columns]
    g_data = data.loc[END] - data.loc[START]
    g_model = model.loc[END] - model.loc[START]
    rho = float(spearmanr(g_data, g_model).statistic)
    past = (relative_income(START) - relative_income(PAST)).loc[data.columns]
    rho_past = float(spearmanr(g_data, past).statistic)
    rho_gap = float(spearmanr(g_data, -data.loc[START]).statistic)
    rows = []
    for y in years:
        rows.append(
            {
                "year": y,
                "data_unweighted": dispersion(data.loc[y]),
                "model_unweighted": dispersion(model.loc[y]),
                "data_weighted": dispersion(data.loc[y], pop[y]),
                "model_weighted": dispersion(model.loc[y], pop[y]),
            }
        )
    cont = gapminder.continent_of()
    africa = [c for c, k in cont.items() if k == "Africa" and c not in NORTH_AFRICA]
    clubs = []
    for club, members in (("East Asia", list(EAST_ASIA)), ("Sub-Saharan Africa", africa)):
        w = pop[START].loc[members]
        clubs.append(
            {
                "club": club,
                "countries": len(members),
                "data_change": float(np.average(g_data.loc[members], weights=w)),
                "model_change": float(np.average(g_model.loc[members], weights=w)),
                "data_mean": float(g_data.loc[members].mean()),
                "model_mean": float(g_model.loc[members].mean()),
                "data_gainers": float((g_data.loc[members] > 0).mean()),
                "model_gainers": float((g_model.loc[members] > 0).mean()),
            }
        )
    return {
        "spearman": rho,
        "spearman_past": rho_past,
        "spearman_gap": rho_gap,
        "dispersion": pd.DataFrame(rows),
        "clubs": pd.DataFrame(clubs),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the world and print the comparison (``python -m sim.history.world142``)."""
    import sim

    p = argparse.ArgumentParser(prog="python -m sim.history.world142", description=__doc__.splitlines()[0])
    p.add_argument("--rule", choices=list(RULES), default="persistence")
    p.add_argument("--lam", type=float, default=1.0, help="the persistence rule's coefficient (prior: 1)")
    p.add_argument("--seeds", type=int, default=3)
    args = p.parse_args(argv)
    runs = [sim.simulate(document(args.rule, args.lam, seed=s)) for s in range(1, args.seeds + 1)]
    out = compare(runs)
    m = multipliers(args.rule, args.lam)
    print(f"rule {args.rule} ({RULES[args.rule]} coefficient(s)), lam {args.lam}, seeds 1-{args.seeds}")
    print(f"multipliers: {int((m == 0).sum())} at 0, {int((m >= 20).sum())} at the cap 20, median {m.median():.2f}")
    cap = capabilities(args.rule, args.lam)
    below = cap < Development().capability_threshold
    if below.any():
        print(f"capability below the threshold: {int(below.sum())} countries, {int((cap == 0).sum())} at 0")
    print(f"rank correlation of growth 1982-2007 relative to the US, model vs data: {out['spearman']:.2f}")
    print(
        f"  benchmarks without the model: 1957-1982 growth {out['spearman_past']:.2f}, "
        f"1982 gap to the US {out['spearman_gap']:.2f}"
    )
    pd.set_option("display.width", 140)
    print("sd of log income per head across countries:")
    print(out["dispersion"].round(2).to_string(index=False))
    print(
        "clubs: change in log income relative to the US 1982-2007 (population-weighted, unweighted mean), "
        "share of countries gaining on it:"
    )
    print(out["clubs"].round(2).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
