"""Policy rates and portfolio flows in the baseline world (docs/model.md §8), one seed.

- Japan's policy rate at 5% (the world rate is about 3% and falling): the yen's rise and Japan's
  current account, early (ticks 0-4) and late (10-19), for several portfolio sensitivities phi
  (the sign of the late effect switches where phi (1 - w_Japan) passes the interest
  sensitivity of absorption, docs/model.md §7.6);
- the 1980s US combination (US policy rate 6% and US propensity to consume 0.83 instead of
  0.78): the dollar's rise against the floaters and the partners' current accounts;
- the same with China's capital account closed (capital_controls = 1) and its rate managed;
- scenarios/examples/history_events.toml (not a calibrated history) with a 1980 event setting
  the US policy rate to 7% and its propensity to consume to 0.88 (standing in for the fiscal
  expansion, enough that the world rate does not fall), the rate back to 3% in 1985: Japan's
  current account 1981-84 and 1984-87 and the dollar against the yen in 1984.

    python docs/numbers/policy_rate.py

Prints one JSON object (percent and percentage points).
"""

from __future__ import annotations

import copy
import json

from sim.model import TradeModel
from sim.scenario import load_toml

BASE = "scenarios/baseline.toml"
TICKS = 20


def run(over: dict) -> dict:
    """The baseline with these overrides: wide tables (tick x country) of a few columns."""
    model = TradeModel(BASE, ticks=TICKS, overrides=over)
    model.run()
    ts, _ = model.recorder.tables(model)
    ts = ts.set_index(["tick", "country"])
    return {k: ts[k].unstack() for k in ("exchange_rate", "current_account", "gdp", "world_interest_rate")}


def ca_pct(r: dict):
    """Current account, % of GDP (tick x country)."""
    return 100.0 * r["current_account"] / r["gdp"]


def main() -> dict:
    """Every number of the §8 paragraph, printed as JSON."""
    out: dict = {"japan_rate": {}, "us_1980s": {}}
    for phi in (1.0, 2.0, 4.0, 8.0):
        s = {"world.finance.portfolio_sensitivity": phi}
        base, arm = run(s), run({**s, "country.Japan.policy_rate": 0.05})
        j = "Japan"
        d = (ca_pct(arm)[j] - ca_pct(base)[j]).to_numpy()
        out["japan_rate"][f"phi_{phi:g}"] = {
            "yen_rise_t10": round(100 * (arm["exchange_rate"][j].iloc[10] / base["exchange_rate"][j].iloc[10] - 1), 1),
            "ca_early": round(float(d[:5].mean()), 2),
            "ca_late": round(float(d[10:].mean()), 2),
        }
    base = run({})
    for label in ("open", "china_closed"):
        over = {"country.US.policy_rate": 0.06, "country.US.propensity_to_consume": 0.83}
        if label == "china_closed":
            closed = {"country.China.capital_controls": 1.0, "country.China.exchange_rate_regime": "managed"}
            base_c, arm = run(closed), run({**over, **closed})
        else:
            base_c, arm = base, run(over)
        row = {}
        for n in ("Japan", "Europe", "China"):
            dollar = (100 * (base_c["exchange_rate"][n] / arm["exchange_rate"][n] - 1)).to_numpy()
            d = (ca_pct(arm)[n] - ca_pct(base_c)[n]).to_numpy()
            row[n] = {
                "dollar_rise_t5": round(float(dollar[5]), 1),
                "dollar_rise_t10": round(float(dollar[10]), 1),
                "ca_t4_7": round(float(d[4:8].mean()), 2),
                "ca_level_t4_7": round(float(ca_pct(arm)[n].iloc[4:8].mean()), 2),
            }
        row["US"] = {"ca_t4_7": round(float((ca_pct(arm) - ca_pct(base_c))["US"].iloc[4:8].mean()), 2)}
        rate = arm["world_interest_rate"]["US"].iloc[5] - base_c["world_interest_rate"]["US"].iloc[5]
        row["world_rate_t5"] = round(100 * float(rate), 2)
        out["us_1980s"][label] = row
    out["history_events"] = history()
    print(json.dumps(out))
    return out


def history() -> dict:
    """Japan and the US in history_events.toml with and without the 1980s US combination."""
    doc = load_toml("scenarios/examples/history_events.toml")
    steps = [
        {"year": 1980, "set": {"country.US.policy_rate": 0.07, "country.US.propensity_to_consume": 0.88}},
        {"year": 1985, "set": {"country.US.policy_rate": 0.03}},
    ]
    out = {}
    for label, extra in (("without", []), ("with", steps)):
        d = copy.deepcopy(doc)
        d["event"] = d["event"] + extra
        model = TradeModel(d)
        model.run(ticks=12)
        ts, _ = model.recorder.tables(model)
        ts = ts.set_index(["year", "country"])
        ca = 100.0 * ts.current_account / ts.gdp
        out[label] = {
            "japan_ca_1981_84": round(float(ca.xs("Japan", level="country").loc[1981:1984].mean()), 2),
            "japan_ca_1984_87": round(float(ca.xs("Japan", level="country").loc[1984:1987].mean()), 2),
            "us_ca_1981_84": round(float(ca.xs("US", level="country").loc[1981:1984].mean()), 2),
            "yen_usd_1984": round(float(ts.exchange_rate.xs("Japan", level="country").loc[1984]), 3),
            "world_rate_1982": round(100 * float(ts.world_interest_rate.xs("US", level="country").loc[1982]), 2),
        }
    return out


if __name__ == "__main__":
    main()
