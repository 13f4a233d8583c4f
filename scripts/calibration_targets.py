"""Targets of scenarios/calibrations/recover_two.toml: the model run at known parameter values.

    .venv/bin/python scripts/calibration_targets.py

prints the mean over four seeds (100-103) of the two targets at the truth (the poor economy's
propensity to consume 0.74 and catch-up multiplier 1.0): its current account / GDP averaged over
ticks 5-29 and its real GDP at tick 29, with their standard deviations across the seeds.
"""

from __future__ import annotations

import numpy as np

import sim

TRUTH = {"country.Poor.propensity_to_consume": 0.74, "country.Poor.catchup_speed": 1.0}

if __name__ == "__main__":
    ca, gdp = [], []
    for seed in range(100, 104):
        res = sim.simulate(
            sim.load_scenario("scenarios/calibrations/two_country.toml", {**TRUTH, "simulation.seed": seed})
        )
        p = res.timeseries[res.timeseries["country"] == "Poor"].set_index("tick")
        ca.append((p["current_account"] / p["gdp"]).loc[5:29].mean())
        gdp.append(p["gdp_real"].loc[29])
    print(f"current account / GDP, ticks 5-29: {np.mean(ca):.4f} (sd across seeds {np.std(ca):.5f})")
    print(f"real GDP at tick 29: {np.mean(gdp):.0f} (sd across seeds {np.std(gdp):.0f})")
