"""docs/model.md section 8 (twin deficits): how much of a US fiscal expansion shows in its
current account, and why.

Runs scenarios/baseline.toml (seed 1, 40 years) with a US government spending and taxing 20% of
full-capacity income, against the same world where US purchases rise to 24% at tick 10, for
three Ricardian offsets omega (0, the default 0.4, 1), and prints as JSON, per omega (keys
``omega_0``, ``omega_0_4``, ``omega_1``):

- ``nl_ratio_t10``: the change of US desired net lending / the change of its fiscal balance at
  the event tick (at an unchanged rate it would be 1 - omega; the world rate's rise takes part);
- ``rate_bp_t10``: the world rate's change that tick, basis points;
- ``us_share``: the US share of the world's absorption response to the rate implied by the two
  (1 - nl_ratio / (1 - omega)), beside ``us_income_share``, its share of world full income;
- per window (ticks 10-12, 10-19, 20-39): the changes of US current account and fiscal balance
  (% of GDP), their ratio, the world rate's change (basis points), and the change of US net
  foreign assets (% of GDP) at the window's end.

    python docs/numbers/twin_deficits.py
"""

from __future__ import annotations

import json
from pathlib import Path

import sim

ROOT = Path(__file__).resolve().parents[2]
EVENT = 10
WINDOWS = ((10, 12), (10, 19), (20, 39))


def _run(omega: float, expand: bool) -> sim.Results:
    overrides = {
        "simulation.ticks": 40,
        "world.demand.ricardian_offset": omega,
        "country.US.government.spending": 0.2,
        "country.US.government.tax": 0.2,
    }
    scn = sim.load_scenario(ROOT / "scenarios" / "baseline.toml", overrides)
    doc = sim.scenario.resolved_document(scn)
    if expand:
        doc["event"] = [{"tick": EVENT, "set": {"country.US.government.spending": 0.24}}]
    return sim.simulate(doc)


def _r(x: float, digits: int) -> float:
    return round(float(x), digits) + 0.0  # no -0.0 in the output


def main() -> dict:
    """The effects per omega (see the module docstring)."""
    out: dict = {}
    for omega in (0.0, 0.4, 1.0):
        base, arm = _run(omega, False), _run(omega, True)
        d = {c: arm.series(c)["US"] - base.series(c)["US"] for c in ("desired_lending", "fiscal_balance")}
        rate = arm.series("world_interest_rate").iloc[:, 0] - base.series("world_interest_rate").iloc[:, 0]
        nl_ratio = float(d["desired_lending"][EVENT] / d["fiscal_balance"][EVENT])
        income = base.series("full_income").loc[EVENT]
        row = {
            "nl_ratio_t10": _r(nl_ratio, 3),
            "rate_bp_t10": _r(rate[EVENT] * 1e4, 1),
            "us_share": _r(1.0 - nl_ratio / (1.0 - omega), 3) if omega < 1 else None,
            "us_income_share": _r(income["US"] / income.sum(), 3),
        }
        for lo, hi in WINDOWS:
            dca = (arm.share_of_gdp("current_account")["US"] - base.share_of_gdp("current_account")["US"]).loc[lo:hi]
            dfb = (arm.share_of_gdp("fiscal_balance")["US"] - base.share_of_gdp("fiscal_balance")["US"]).loc[lo:hi]
            dnfa = arm.share_of_gdp("net_foreign_assets")["US"] - base.share_of_gdp("net_foreign_assets")["US"]
            row[f"t{lo}_{hi}"] = {
                "ca_pp": _r(100 * dca.mean(), 2),
                "fiscal_pp": _r(100 * dfb.mean(), 2),
                "ratio": _r(dca.mean() / dfb.mean(), 3),
                "rate_bp": _r(rate.loc[lo:hi].mean() * 1e4, 1),
                "nfa_pp_end": _r(100 * dnfa.loc[hi], 1),
            }
        out[f"omega_{omega:g}".replace(".", "_")] = row
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
