"""docs/model.md section 8 (export controls: diversion; tariffs and retaliation; state-bank
lending): each scenario with its events against the same seed without them, seeds 1-6.

Prints as JSON (changes in per cent unless said; mean over seeds, with min and max where the
docs give a range):

- ``export_controls`` (ticks 10-24): ``diverted_pct``, the change of China's hightech purchases
  from Europe, Japan and India together; ``total_pct``, of its hightech purchases from everyone
  (itself included); ``exempt_from_us_pct``, of Europe's, Japan's and India's hightech purchases
  from the US;
- ``tariffs`` (the US tariff on China from tick 10, announced at tick 9, China retaliating a
  year later): ``front_run_pct``, China's exports to the US at tick 9; ``exports_to_us_pct``,
  over ticks 10-19; ``bilateral_pp``, the change of China's balance with the US over ticks
  10-19, % of China's GDP (mean and the smallest cut of any seed: ``bilateral_pp_max``);
  ``third_pct``, China's exports to the others over ticks 10-19; ``us_exports_pct``, US exports
  to China over ticks 11-19;
- ``state_lending`` (credit from tick 5): ``exports_ratio_min`` and ``_max``, China's hightech
  exports with / without over ticks 5-39, smallest and largest of any tick and seed;
  ``share_t5``, China's share of world hightech output at tick 5, ``share_t10`` with and
  ``share_t10_off`` without; ``relative_price_t10_pct`` and ``_t20_pct``, the change of the
  world hightech price relative to labor-intensive goods (output-weighted producer prices) at
  ticks 10 and 20; ``default_ticks``, the ticks at which China's hightech firms default (all
  seeds), ``writeoff_trn_min`` and ``_max``, the debt written off then (USD trn); and
  ``writeoffs_without_structural_change``, all debt written off in 40 years when workers do not
  move between sectors and budget shares do not move with income (USD bn, all seeds).

    python docs/numbers/policy_levers.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from sim.scenario import load_toml

ROOT = Path(__file__).resolve().parents[2]
SEEDS = (1, 2, 3, 4, 5, 6)


NO_STRUCTURAL_CHANGE = {
    "world.structure.reallocation_speed": 0.0,
    "world.structure.income_elasticity.primary": 1.0,
    "world.structure.income_elasticity.services": 1.0,
}


def _pair(name: str, seed: int, overrides: dict | None = None) -> tuple[sim.Results, sim.Results]:
    """(with the scenario's events, without them), same seed."""
    doc = load_toml(ROOT / "scenarios" / f"{name}.toml")
    off = {k: v for k, v in doc.items() if k != "event"}
    return (
        sim.simulate(sim.load_scenario(doc, overrides, file=name), seed=seed),
        sim.simulate(sim.load_scenario(off, overrides, file=name), seed=seed),
    )


def _flow(res: sim.Results, origins: list[str], destinations: list[str], sector: str | None = None) -> pd.Series:
    b = res.bilateral
    b = b[b.origin.isin(origins) & b.destination.isin(destinations)]
    if sector:
        b = b[b.sector == sector]
    return b.groupby("tick")["value"].sum()


def _pct(on: float, off: float) -> float:
    return 100.0 * (on / off - 1.0)


def _stats(xs: list[float], digits: int = 1) -> dict:
    return {k: round(float(f(xs)), digits) + 0.0 for k, f in (("mean", np.mean), ("min", np.min), ("max", np.max))}


def export_controls() -> dict:
    """China's hightech purchases with and without the US controls, ticks 10-24 (% changes)."""
    w = slice(10, 24)
    others = ["Europe", "Japan", "India"]
    out: dict[str, list[float]] = {"diverted_pct": [], "total_pct": [], "exempt_from_us_pct": []}
    for seed in SEEDS:
        on, off = _pair("export_controls", seed)
        for key, (o, d) in {
            "diverted_pct": (others, ["China"]),
            "total_pct": (["US", *others, "China"], ["China"]),
            "exempt_from_us_pct": (["US"], others),
        }.items():
            out[key].append(_pct(_flow(on, o, d, "hightech").loc[w].mean(), _flow(off, o, d, "hightech").loc[w].mean()))
    return {k: _stats(v) for k, v in out.items()}


def tariffs() -> dict:
    """The tariff's effects on trade between China, the US and the others (% and pp of GDP)."""
    out: dict[str, list[float]] = {
        k: [] for k in ("front_run_pct", "exports_to_us_pct", "bilateral_pp", "third_pct", "us_exports_pct")
    }
    others = ["Europe", "Japan", "India"]
    for seed in SEEDS:
        on, off = _pair("tariffs", seed)
        x_on, x_off = _flow(on, ["China"], ["US"]), _flow(off, ["China"], ["US"])
        m_on, m_off = _flow(on, ["US"], ["China"]), _flow(off, ["US"], ["China"])
        gdp_on, gdp_off = on.series("gdp")["China"], off.series("gdp")["China"]
        bal = ((x_on - m_on) / gdp_on - (x_off - m_off) / gdp_off).loc[10:19].mean()
        out["front_run_pct"].append(_pct(x_on.loc[9], x_off.loc[9]))
        out["exports_to_us_pct"].append(_pct(x_on.loc[10:19].mean(), x_off.loc[10:19].mean()))
        out["bilateral_pp"].append(100.0 * bal)
        third_on, third_off = _flow(on, ["China"], others), _flow(off, ["China"], others)
        out["third_pct"].append(_pct(third_on.loc[10:19].mean(), third_off.loc[10:19].mean()))
        out["us_exports_pct"].append(_pct(m_on.loc[11:19].mean(), m_off.loc[11:19].mean()))
    return {k: _stats(v, 2 if k == "bilateral_pp" else 1) for k, v in out.items()}


def _world_price(res: sim.Results, sector: str) -> pd.Series:
    p, q = res.series(f"price_{sector}"), res.series(f"output_{sector}")
    return (p * q).sum(axis=1) / q.sum(axis=1)


def state_lending() -> dict:
    """State-bank lending's effects on China's hightech sector, prices and defaults."""
    ratios, share5, share10, share10_off, rp10, rp20, ticks, sizes = [], [], [], [], [], [], [], []
    for seed in SEEDS:
        on, off = _pair("state_lending", seed)
        r = (on.series("exports_hightech")["China"] / off.series("exports_hightech")["China"]).loc[5:39]
        ratios += [r.min(), r.max()]
        s_on = on.series("output_hightech")
        s_off = off.series("output_hightech")
        share5.append(s_on["China"].loc[5] / s_on.loc[5].sum())
        share10.append(s_on["China"].loc[10] / s_on.loc[10].sum())
        share10_off.append(s_off["China"].loc[10] / s_off.loc[10].sum())
        rel_on = _world_price(on, "hightech") / _world_price(on, "labor")
        rel_off = _world_price(off, "hightech") / _world_price(off, "labor")
        rp10.append(_pct(rel_on.loc[10], rel_off.loc[10]))
        rp20.append(_pct(rel_on.loc[20], rel_off.loc[20]))
        w = on.series("firm_writeoff")["China"]
        ticks += [int(k) for k in w.index[w > 0]]
        sizes += [float(x) / 1000 for x in w[w > 0]]
    structural_off = sum(
        float(_pair("state_lending", seed, NO_STRUCTURAL_CHANGE)[0].series("firm_writeoff").to_numpy().sum())
        for seed in SEEDS
    )
    return {
        "exports_ratio_min": round(float(min(ratios)), 2),
        "exports_ratio_max": round(float(max(ratios)), 2),
        "share_t5": round(float(np.mean(share5)), 2),
        "share_t10": round(float(np.mean(share10)), 2),
        "share_t10_off": round(float(np.mean(share10_off)), 2),
        "relative_price_t10_pct": round(float(np.mean(rp10)), 1),
        "relative_price_t20_pct": round(float(np.mean(rp20)), 1),
        "default_ticks": sorted(set(ticks)),
        "writeoff_trn_min": round(min(sizes), 1) if sizes else None,
        "writeoff_trn_max": round(max(sizes), 1) if sizes else None,
        "writeoffs_without_structural_change": round(structural_off, 3),
    }


def main() -> dict:
    """The three levers' numbers (see the module docstring)."""
    out = {"export_controls": export_controls(), "tariffs": tariffs(), "state_lending": state_lending()}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
