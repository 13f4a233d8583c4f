"""Where the noise-off baseline's annual-against-quarterly gap comes from when workers move (issue 19).

``PYTHONPATH=. python -m tests.realloc_timescale`` prints, for the baseline with noise off (max
over years 2-29 of |annual - 1/per| annual-average CA / GDP, pp, as tests/implicit_timescale.py):

1. the gap of each within-tick correction alone (theta = 1/2 on the price factor ``m``, the wage
   ``w``, the rate ``e`` or the labour shares ``a`` only, the others explicit);
2. the gap when annual and quarterly runs trade with the same labour shares (both forced each
   tick to the 1/16 run's annual average of that year), against the free runs and workers fixed;
3. the labour shares' own gaps (max |share| difference of annual averages, 1v4, 1v16, 4v16) and
   the smallest share any run reaches (:data:`sim.labour.ENTRY_SHARE` acts below it);
4. the same with the price factor's response off (``world.prices.price_response = 0``).
"""

from __future__ import annotations

import numpy as np
import pytest

import tests.test_timestep as tt
from sim import implicit, labour
from sim.model import TradeModel
from sim.scenario import apply_overrides, load_toml
from tests.conftest import ROOT

YEARS = 30
FIXED = {"world.structure.reallocation_speed": 0.0}


def run(over: dict, per: int, theta: float, parts: str = "mwea", alloc: np.ndarray | None = None):
    """(CA / GDP %, labour shares) annual averages, (YEARS, N) and (YEARS, N, S1), of the baseline
    with ``over``, noise off, at ``per`` ticks a year; only the corrections named in ``parts`` act;
    ``alloc`` (YEARS, N, S1) forces the shares each tick trades with."""
    implicit.THETA = theta
    doc = apply_overrides(
        load_toml(ROOT / "scenarios" / "baseline.toml"),
        {"simulation.ticks": YEARS * per, "world.development.noise_sd": 0.0, **over},
    )
    if per > 1:
        doc["simulation"]["tick_length"] = "quarter"
    correct = implicit.correct

    def partial(model, th, iterations=None):
        st = model.state
        kept = st.wage.copy(), st.e.copy(), st.alloc.copy()
        corr = correct(model, th, iterations)
        st.wage = st.wage if "w" in parts else kept[0]
        st.e = st.e if "e" in parts else kept[1]
        st.alloc = st.alloc if "a" in parts else kept[2]
        return corr if "m" in parts else np.zeros_like(corr)

    mp = pytest.MonkeyPatch()
    mp.setattr(implicit, "correct", partial)
    try:
        with tt.ticks_per_year(pytest.MonkeyPatch(), per):
            model = TradeModel(doc)
            if alloc is not None:
                produce = model._produce

                def forced():
                    model.state.alloc = alloc[model.tick // per][None].copy()
                    produce()

                model._produce = forced
            ca, gdp, shares = [], [], []
            for _ in range(YEARS * per):
                model.step()
                ca.append(model.state.ca[0].copy())
                gdp.append(model.state.gdp[0].copy())
                shares.append(model._alloc_traded[0].copy())
    finally:
        mp.undo()
        implicit.THETA = 0.0
    mean = [np.array(x).reshape(YEARS, per, *np.shape(x[0])).mean(axis=1) for x in (ca, gdp, shares)]
    return 100.0 * mean[0] / mean[1], mean[2]


def gap(a: np.ndarray, b: np.ndarray) -> float:
    """Max over years 2-29 of |a - b|."""
    return round(float(np.abs(a - b)[2:].max()), 4)


def main() -> None:
    print("1. theta = 1/2 on one correction at a time, annual v quarterly (pp):")
    for parts in ("", "a", "m", "w", "e", "mwe", "mwea"):
        ca = {per: run({}, per, 0.5, parts)[0] for per in (1, 4)}
        print(f"   corrections {parts or 'none':5s} {gap(ca[1], ca[4])}", flush=True)
    for name, over in (("baseline", {}), ("price_response 0", {"world.prices.price_response": 0.0})):
        for theta in (0.0, 0.5):
            free = {per: run(over, per, theta) for per in (1, 4, 16)}
            shares = free[16][1]
            forced = {per: run(over, per, theta, alloc=shares)[0] for per in (1, 4)}
            fixed = {per: run({**over, **FIXED}, per, theta)[0] for per in (1, 4)}
            sh = {per: free[per][1] for per in free}
            low = min(float(free[per][1].min()) for per in free)
            print(
                f"{name}, theta {theta}: annual v quarterly CA / GDP (pp) free {gap(free[1][0], free[4][0])},"
                f" both forced to 1/16's shares {gap(forced[1], forced[4])}, workers fixed {gap(fixed[1], fixed[4])};"
                f" labour shares 1v4 {gap(sh[1], sh[4])} 1v16 {gap(sh[1], sh[16])} 4v16 {gap(sh[4], sh[16])};"
                f" smallest share {low:.4f} (ENTRY_SHARE {labour.ENTRY_SHARE})",
                flush=True,
            )


if __name__ == "__main__":
    main()
