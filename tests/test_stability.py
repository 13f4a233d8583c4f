"""Price, wage and exchange-rate adjustment is stable for every legal elasticity.

A world of identical countries is knocked off balance (one country's productivity jumps by
20% for good); the model must settle to a new balance without oscillating explosively: the
utilisation gap shrinks over time and the exchange rate converges.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from tests.conftest import identical_world


@pytest.mark.parametrize("sigma", [0.5, 1.0, 1.01, 2.0, 4.0, 10.0, 50.0])
@pytest.mark.parametrize("rho", [0.5, 5.0, 50.0])
def test_adjustment_settles_after_a_shock(sigma, rho):
    doc = identical_world(4, ticks=120, elasticity=sigma)
    doc["world"]["prices"] = {"price_adjustment": rho, "price_response": 2.0}
    doc["event"] = [{"tick": 5, "scale": {"country.C1.productivity": 1.2}}]
    res = sim.simulate(doc)
    gap = (res.series("utilisation") - 1.0).abs().max(axis=1)
    assert np.isfinite(gap).all()
    early, late = gap.loc[5:25].max(), gap.loc[100:].max()
    assert late < 0.25 * early + 1e-9, (early, late)
    # no sign of a growing oscillation: the last 20 ticks move less than the 20 after the shock
    e = np.log(res.series("exchange_rate")["C1"])
    assert e.loc[100:].diff().abs().max() <= e.loc[6:26].diff().abs().max() + 1e-12
