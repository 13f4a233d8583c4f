"""Valuation effects (issue 23, section 3): closed forms and invariants of sim/valuation.py, and
the model's revaluation of stocks when exchange rates move.

Closed forms are derived here from the denominations, not taken from the code: a position of
value P in currency c is worth P (1 + x_c) after c's rate (USD per unit) changes by x_c; the pool
holds every private liability and passes their change to asset holders pro rata.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim import valuation
from sim.model import TradeModel
from tests.conftest import ROOT, identical_world
from tests.test_accounting import check_tables

US, D, C = 0, 1, 2  # the unit of account's country (anchor), a debtor, a third country


def _world(own_d: float, own_c: float = 1.0):
    """Three countries: the US a creditor, D a debtor of 30% of GDP, C a small creditor."""
    gdp = np.array([[1000.0, 400.0, 300.0]])
    private = np.array([[90.0, -120.0, 30.0]])
    gross = np.array([[1.0, 0.5, 0.8]])
    own = np.array([[1.0, own_d, own_c]])
    return gdp, private, gross, own


def _revalue(private, gdp, gross, own, change, reserves=None, liabilities=None, issuers=(US,)):
    n = private.shape[-1]
    reserves = np.zeros((1, n, len(issuers))) if reserves is None else reserves
    liabilities = np.zeros((1, n)) if liabilities is None else liabilities
    nfa = reserves.sum(axis=-1) - liabilities + private
    pos = valuation.gross_positions(private, gdp, gross, own)
    return pos, valuation.revalue(reserves, liabilities, private, nfa, *pos, change, np.array(issuers), US)


@pytest.mark.parametrize("d", [0.1, 0.3, 0.5])
def test_a_debtor_with_dollar_debts_that_depreciates_raises_its_debt_to_gdp_by_the_closed_form(d):
    gdp, private, gross, own = _world(own_d=0.0)
    change = np.array([[0.0, -d, 0.0]])
    _, v = _revalue(private, gdp, gross, own, change)
    debt0 = -private[0, D] / gdp[0, D]
    # its debts and its assets (claims on a pool of dollar and C-currency debts) do not move in
    # dollars; its GDP in dollars falls by d at unchanged local-currency GDP
    debt1 = -v.nfa[0, D] / (gdp[0, D] * (1 - d))
    assert debt1 - debt0 == pytest.approx(debt0 * d / (1 - d), rel=1e-12)
    assert v.valuation[0, D] == 0.0


@pytest.mark.parametrize("d", [0.1, 0.3])
def test_a_debtor_with_own_currency_debts_that_depreciates_sheds_debt_by_the_closed_form(d):
    gdp, private, gross, own = _world(own_d=1.0)
    _, v = _revalue(private, gdp, gross, own, np.array([[0.0, -d, 0.0]]))
    liab = 0.5 * 400.0 + 120.0  # gross x GDP + net debt
    assets_d = 0.5 * 400.0
    total_assets = 1.0 * 1000.0 + 90.0 + assets_d + 0.8 * 300.0 + 30.0
    # its liabilities lose d in dollars; the pool's holders (D among them, pro rata) lose them
    want = d * liab * (1 - assets_d / total_assets)
    assert v.valuation[0, D] == pytest.approx(want, rel=1e-12)
    assert v.valuation[0, D] > 0  # the fall lowers its debt, unlike dollar debts


@pytest.mark.parametrize("fall", [0.1, 0.25])
def test_the_issuer_gains_when_the_dollar_falls_only_if_its_assets_are_in_foreign_currencies(fall):
    gdp, private, gross, own = _world(own_d=1.0, own_c=1.0)
    x = fall / (1 - fall)  # every other currency rises by this against the dollar
    change = np.array([[0.0, x, x]])
    pos, v = _revalue(private, gdp, gross, own, change)
    assets, liab, _ = pos
    # the US's debts are in dollars; its claims on the pool are in the currencies of the pool's
    # debts, of which D's and C's (all in their own currencies) rose by x
    want = assets[0, US] * x * (liab[0, D] + liab[0, C]) / assets.sum()
    assert v.valuation[0, US] == pytest.approx(want, rel=1e-12)
    assert v.valuation[0, US] > 0
    # with every debt in dollars the US holds no foreign-currency asset and gains nothing
    gdp, private, gross, own = _world(own_d=0.0, own_c=0.0)
    _, v = _revalue(private, gdp, gross, own, change)
    assert v.valuation[0, US] == 0.0


def test_reserves_are_revalued_in_their_issuers_currency():
    gdp, private, gross, own = _world(own_d=0.0, own_c=0.0)
    reserves = np.zeros((1, 3, 2))
    reserves[0, D] = [50.0, 20.0]  # D holds 50 on the US and 20 on C
    liabilities = np.array([[50.0, 0.0, 20.0]])
    _, v = _revalue(private, gdp, gross, own, np.array([[0.0, 0.0, 0.1]]), reserves, liabilities, issuers=(US, C))
    assert v.reserves[0, D].tolist() == pytest.approx([50.0, 22.0])
    assert v.valuation[0, D] == pytest.approx(2.0) and v.valuation[0, C] == pytest.approx(-2.0)


def test_world_valuation_sums_to_zero_for_any_positions_and_rate_changes():
    rng = np.random.default_rng(0)
    for _ in range(200):
        r, n, k = 3, int(rng.integers(2, 9)), 2
        gdp = rng.uniform(10, 1e4, (r, n))
        private = rng.normal(0, 1, (r, n)) * gdp
        private -= private.mean(axis=-1, keepdims=True)
        issuers = np.array([US, rng.integers(1, n)])  # distinct issuers, the first the anchor
        reserves = rng.uniform(0, 1, (r, n, k)) * gdp[..., None]
        liabilities = np.zeros((r, n))
        liabilities[:, issuers] = reserves.sum(axis=-2)
        change = rng.uniform(-0.5, 1.0, (r, n))
        change[:, US] = 0.0
        gross, own = rng.uniform(0, 3, (r, n)), rng.uniform(0, 1, (r, n))
        pos = valuation.gross_positions(private, gdp, gross, own)
        nfa = reserves.sum(axis=-1) - liabilities + private
        v = valuation.revalue(reserves, liabilities, private, nfa, *pos, change, issuers, US)
        scale = gdp.sum(axis=-1) + pos[0].sum(axis=-1) + reserves.sum(axis=(-1, -2))
        assert (np.abs(v.valuation.sum(axis=-1)) <= 1e-12 * scale).all()
        assert (np.abs(v.nfa.sum(axis=-1)) <= 1e-12 * scale).all()
        np.testing.assert_allclose(v.assets - v.gross_liabilities, v.private, atol=1e-12 * scale.max())


# ------------------------------------------------------------------------------- in the model


def _devaluation_world(own: float) -> dict:
    """Three identical countries; C2 a pegged debtor with dollar reserves devalues 20% at tick 3."""
    doc = identical_world(3, ticks=6)
    doc["country"][2].update(
        {
            "exchange_rate_regime": "peg",
            "net_foreign_assets": -0.5,
            "reserves_months": 6.0,
            "liabilities_own_currency": own,
            "gross_liabilities": 0.7,
        }
    )
    doc["event"] = [{"tick": 3, "set": {"country.C2.undervaluation": 0.2}}]
    return doc


def test_a_pegged_debtors_devaluation_revalues_only_its_own_currency_debts_by_the_closed_form():
    runs = {}
    for own in (0.0, 1.0):
        model = TradeModel(_devaluation_world(own))
        model.run()
        runs[own] = model.recorder.tables(model)[0].set_index(["tick", "country"])
    dollar, local = runs[0.0], runs[1.0]
    # before the event the runs agree; with dollar debts nothing is ever revalued
    cols = ["net_foreign_assets", "gdp", "current_account", "exchange_rate"]
    assert dollar.loc[:2, cols].equals(local.loc[:2, cols])
    assert (dollar.valuation == 0.0).all()
    e = dollar.exchange_rate.xs("C2", level="country")
    x = e[3] / e[2] - 1
    assert x == pytest.approx(-0.2, rel=1e-12)
    # with own-currency debts the fall takes x of them off in dollars, less the debtor's own
    # share of the pool's loss (positions at tick 3 before revaluation: the dollar run's)
    at = dollar.loc[3]
    gross = pd.Series(1.0, index=at.index)  # the default
    gross["C2"] = 0.7
    assets = gross * at.gdp + at.private_claims.clip(lower=0.0)
    liab = gross["C2"] * at.gdp["C2"] + max(-at.private_claims["C2"], 0.0)
    total = assets.sum()
    want = -x * liab * (1 - assets["C2"] / total)
    got = local.loc[(3, "C2"), "net_foreign_assets"] - dollar.loc[(3, "C2"), "net_foreign_assets"]
    assert got == pytest.approx(want, rel=1e-9)
    assert local.loc[(3, "C2"), "valuation"] == pytest.approx(want, rel=1e-9)


def test_world_nfa_sums_to_zero_every_tick_with_two_issuers_and_own_currency_debts():
    over = {
        "country.Catcher.exchange_rate_regime": "managed",
        "country.Catcher.reserves_months": 1.0,
        "world.reserve_issuers": ["Leader", "Europe"],
        "country.Catcher.settlement": {"Leader": 0.5, "Europe": 0.5},
        "country.Europe.liabilities_own_currency": 1.0,
        "country.Catcher.liabilities_own_currency": 0.4,
        "country.Catcher.gross_liabilities": 2.0,
        "simulation.tick_length": "quarter",
    }
    res = sim.simulate(sim.load_scenario(ROOT / "tests" / "data" / "world8.toml", over), seed=7, ticks=40)
    check_tables(res)
    nfa = res.series("net_foreign_assets").sum(axis=1).abs()
    assert (nfa <= 1e-9 * res.series("gdp").sum(axis=1)).all()
    assert (res.series("valuation").abs().max() > 0).sum() >= 3, "valuation is exercised"


def test_with_the_default_denominations_no_shipped_scenario_but_valuation_toml_revalues_anything():
    # every private claim in the unit of account (whose rate is 1), reserves on the first issuer
    # or on a second one nobody holds: the tables are those of the model before valuation
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        if path.stem == "valuation":
            continue
        scn = sim.load_scenario(path)
        res = sim.simulate(scn, ticks=min(scn.simulation.ticks, 60))
        assert (res.timeseries.valuation == 0.0).all(), path.name
