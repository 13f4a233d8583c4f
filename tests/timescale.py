"""Helpers of tests/test_timestep.py: an experiment file run with annual and with quarterly ticks.

Conversion to quarterly ticks (docs/model.md §2): the run is four times as many ticks; events
happen at four times their tick and announcements last four times as many ticks; a metric's
window [a, b] of years becomes ticks [4a, 4b + 3], so a mean is the mean of the years' quarters
(the annual average of quarterly flows) and a sum the sum over the quarters times the tick
length (``sim.metrics.aggregate`` already sums flow x dt); ``at`` a year reads the year's average of a flow, and a stock at the year's last quarter
(stocks are logged after the tick's settlement, as an annual tick's are after its year).
"""

from __future__ import annotations

import copy
import dataclasses
import warnings
from pathlib import Path

import numpy as np

from sim.batch.task import document_hash
from sim.experiment.run import run_experiment
from sim.experiment.spec import Experiment, load_experiment

PER_YEAR = 4
STOCKS = ("reserves", "firm_debt", "net_foreign_assets", "household_debt", "private_claims", "official_liabilities")


def _is_stock(column: str) -> bool:
    return any(column == s or column.startswith(s + "_") for s in STOCKS)


def quarterly_document(doc: dict) -> dict:
    """The same scenario with quarterly ticks and its events at the same dates."""
    doc = copy.deepcopy(doc)
    sim = doc.setdefault("simulation", {})
    assert sim.get("tick_length", "year") == "year"
    sim["tick_length"] = "quarter"
    sim["ticks"] = sim["ticks"] * PER_YEAR
    for key in ("log_every", "bilateral_every"):
        if sim.get(key, 1) > 1:
            sim[key] = sim[key] * PER_YEAR
    for ev in doc.get("event", []):
        ev["tick"] = ev["tick"] * PER_YEAR
        if ev.get("announce_ticks"):
            ev["announce_ticks"] = ev["announce_ticks"] * PER_YEAR
    return doc


def without_noise(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    doc.setdefault("world", {}).setdefault("development", {})["noise_sd"] = 0.0
    return doc


def quarterly_experiment(exp: Experiment) -> Experiment:
    """The experiment with quarterly ticks, its windows at the same dates."""
    arms = []
    for arm in exp.arms:
        doc = quarterly_document(arm.document)
        arms.append(dataclasses.replace(arm, document=doc, doc_hash=document_hash(doc)))
    metrics = []
    for m in exp.metrics:
        a, b = m.window
        window, stat, at = (a * PER_YEAR, b * PER_YEAR + PER_YEAR - 1), m.stat, m.at
        if m.stat == "at":
            if _is_stock(m.column):
                at = m.at * PER_YEAR + PER_YEAR - 1
                window = (at, at)
            else:
                stat, at, window = "mean", -1, (m.at * PER_YEAR, m.at * PER_YEAR + PER_YEAR - 1)
        metrics.append(dataclasses.replace(m, window=window, stat=stat, at=at))
    return dataclasses.replace(exp, arms=arms, metrics=metrics)


def effects(path: Path, seeds: int = 1) -> dict[tuple[str, str], tuple[float, float]]:
    """(arm, metric) -> (mean paired effect with annual ticks, with quarterly ticks), noise off."""
    exp = load_experiment(path, seeds=seeds)
    arms = [
        dataclasses.replace(a, document=without_noise(a.document), doc_hash=document_hash(without_noise(a.document)))
        for a in exp.arms
    ]
    exp = dataclasses.replace(exp, arms=arms)
    q_exp = quarterly_experiment(exp)
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one seed: no interval, and arms may be null without noise
        ann = run_experiment(exp, workers=1).values
        qua = run_experiment(q_exp, workers=1).values
    for values, k in ((ann, 0), (qua, 1)):
        assert (values["status"] == "ok").all(), values[values["status"] != "ok"]
        for (arm, metric), g in values.groupby(["arm", "metric"], observed=True):
            if arm == "base":
                continue
            base = values[(values["arm"] == "base") & (values["metric"] == metric)]
            d = float(np.mean(g["value"].to_numpy() - base["value"].to_numpy()))
            out.setdefault((arm, metric), [np.nan, np.nan])[k] = d
    return {key: tuple(v) for key, v in out.items()}


def _ticks_per_year(per: int) -> None:
    """Make ``tick_length = "quarter"`` mean 1 / per years (not a scenario option; for the
    convergence numbers of docs/model.md §2 only)."""
    from sim.schema import Scenario

    global PER_YEAR
    PER_YEAR = per
    Scenario.dt = property(lambda s: 1.0 / per if s.simulation.tick_length == "quarter" else 1.0)


def year_average_moments(rho: float, per: int) -> tuple[float, float]:
    """Variance (per unit stationary variance) and lag-one autocorrelation of the averages over
    each year of a stationary AR(1) with coefficient ``rho`` per tick of ``1/per`` year."""
    from sim.development import year_average

    within, run = year_average(rho, per)
    return float(within), float(rho * run**2 / per**2 / within)


def noise_sizes() -> None:
    """The sub-annual noise's sizes (docs/model.md §2), and what the old tick-end AR(1) gave."""
    from sim.development import noise_coefficients

    for phi in (0.7, 0.0):
        stat = 0.01 / np.sqrt(1.0 - phi**2)
        rho, scale, jitter = noise_coefficients(phi, 0.01, 0.25)
        persistent = scale / np.sqrt(1.0 - rho**2) if rho < 1 else float("nan")
        var, lag1 = year_average_moments(rho, 4)
        print(
            f"noise, persistence {phi}, quarterly: persistent part's sd {persistent / stat:.3f}, jitter's sd "
            f"{jitter / stat:.3f} (of the annual stationary sd); the old tick-end AR(1)'s annual averages: "
            f"sd {np.sqrt(var):.3f}, lag-one autocorrelation {lag1:.3f}"
        )


def main() -> None:
    """Print the numbers of docs/model.md §2 (``PYTHONPATH=. python -m tests.timescale``)."""
    from sim.scenario import load_toml
    from tests.conftest import ROOT
    from tests.test_timestep import annual_ca_share, noise_driven_ca_sd, shock_response

    noise_sizes()
    doc = load_toml(ROOT / "scenarios" / "baseline.toml")
    path = {}
    for per in (1, 2, 4, 16):
        _ticks_per_year(per)
        path[per] = annual_ca_share(doc, per, 30)
    print(f"baseline, CA/GDP: annual vs quarterly, years 2-29: {np.abs(path[1] - path[4])[2:].max():.3f} pp")
    for per in (1, 2, 4):
        print(f"  ticks of 1/{per} year vs 1/16: {np.abs(path[per] - path[16])[2:].max():.3f} pp")
    for per in (1, 2, 4, 8, 16):
        _ticks_per_year(per)
        sd, se = noise_driven_ca_sd(per)
        first, still = shock_response(per)[0], shock_response(per, responses=False)[0]
        print(
            f"ticks of 1/{per} year: noise-driven CA/GDP sd {100 * sd:.3f}% (se {100 * se:.3f}), "
            f"first year's CA/GDP after a 1% productivity rise {first:.3f}% ({still:.3f}% without responses)"
        )
    _ticks_per_year(4)
    for f in sorted((ROOT / "scenarios" / "experiments").glob("*.toml")):
        if f.stem == "endless_cycle":
            continue
        for (arm, metric), (a, q) in effects(f).items():
            rel = abs(q - a) / abs(a) if a else float("nan")
            print(f"{f.stem:18s} {arm:24s} {metric:38s} annual {a: .5g} quarterly {q: .5g} ({100 * rel:.1f}%)")


if __name__ == "__main__":
    main()
