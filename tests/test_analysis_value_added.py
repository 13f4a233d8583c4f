"""Value-added bilateral balances: the rebuilt world input-output table against the model's own
national accounts."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.analysis import io_table, value_added_balances
from sim.errors import TradesimError


def three_country(ticks: int = 12, events: bool = True, **world) -> dict:
    """A rich, a middle and a poor country with value chains (the default input coefficients),
    noise on; tariffs and retaliation from tick 4 when ``events``."""
    doc = {
        "simulation": {"name": "va", "ticks": ticks, "seed": 9},
        "world": {"trade_cost": 0.7, **world},
        "country": [
            {"name": "Rich", "labor_force": 100.0, "productivity": 1.0},
            {"name": "Mid", "labor_force": 200.0, "productivity": 0.5},
            {"name": "Poor", "labor_force": 400.0, "productivity": 0.15},
        ],
    }
    if events:
        doc["event"] = [
            {"tick": 4, "set": {"country.Rich.tariffs.Mid": 0.25, "country.Mid.tariffs.Rich": 0.1}},
            {"tick": 7, "set": {"country.Poor.tariffs.Rich": 0.15}},
        ]
    return doc


@pytest.fixture(scope="module")
def run() -> sim.Results:
    return sim.simulate(three_country())


def at(res: sim.Results, tick: int):
    rows = res.timeseries[res.timeseries["tick"] == tick]
    return rows.set_index(rows["country"].astype(str)).loc[res.countries]


@pytest.mark.parametrize("tick", [1, 3, 5, 9, 11])
def test_value_added_attributed_by_leontief_sums_to_each_countrys_value_added(run, tick):
    tab = io_table(run, tick)
    vax = tab.value_added_by_destination()
    rows = at(run, tick)
    own = (rows["gdp"] - rows["tariff_revenue"]).to_numpy()
    assert np.allclose(vax.sum(axis=1).to_numpy(), own, rtol=1e-9, atol=1e-9 * own.sum())
    # and the table's rows balance: what each (country, sector) sells is used somewhere
    assert np.allclose(tab.Z.sum(axis=1) + tab.F.sum(axis=1), tab.X, rtol=1e-9, atol=1e-9 * tab.X.sum())
    if tick >= 4:
        assert tab.input_tariffs.sum() > 0  # the tariffs are on, and some fall on inputs
        assert rows["tariff_revenue"].sum() > tab.input_tariffs.sum()  # the rest on final goods


@pytest.mark.parametrize("tick", [2, 9])
def test_gross_matrix_is_antisymmetric_and_sums_to_the_trade_balance(run, tick):
    gross, va = value_added_balances(run, tick)
    g = gross.to_numpy()
    assert np.allclose(g, -g.T, atol=0) and np.all(np.diag(g) == 0)
    assert np.allclose(va.to_numpy(), -va.to_numpy().T)
    rows = at(run, tick)
    assert np.allclose(g.sum(axis=1), (rows["exports"] - rows["imports"]).to_numpy(), rtol=1e-9, atol=1e-9)


def test_without_tariffs_total_value_added_balance_equals_the_gross_trade_balance(run):
    # a theorem: with value added = GDP, VA exports - VA imports = GDP - absorption = exports - imports
    gross, va = value_added_balances(run, 3)
    assert at(run, 3)["tariff_revenue"].abs().max() < 1e-9  # no tariffs yet (rounding only)
    assert np.allclose(va.sum(axis=1).to_numpy(), gross.sum(axis=1).to_numpy(), rtol=1e-8, atol=1e-8)
    # but pair by pair the two differ: value chains route value added through third countries
    assert np.abs(va.to_numpy() - gross.to_numpy()).max() > 1e-3 * np.abs(gross.to_numpy()).max()


def test_without_intermediate_inputs_value_added_and_gross_balances_coincide():
    inputs = {s: {} for s in ("labor", "hightech", "primary", "services")}
    res = sim.simulate(three_country(ticks=6, events=False, inputs=inputs))
    gross, va = value_added_balances(res, 4)
    assert np.allclose(va.to_numpy(), gross.to_numpy(), rtol=1e-9, atol=1e-9)


def test_clear_errors_when_the_needed_ticks_are_not_logged(run):
    with pytest.raises(TradesimError, match="previous tick"):
        value_added_balances(run, 0)
    no_flows = three_country(ticks=5, events=False)
    no_flows["simulation"]["bilateral_every"] = 0
    with pytest.raises(TradesimError, match="no bilateral flows logged"):
        value_added_balances(sim.simulate(no_flows), 3)
    sparse = three_country(ticks=9, events=False)
    sparse["simulation"]["log_every"] = 2
    with pytest.raises(TradesimError, match="log_every"):
        value_added_balances(sim.simulate(sparse), 4)
