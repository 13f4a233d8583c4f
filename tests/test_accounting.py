"""Exact accounting on every shipped scenario, checked from the output tables.

The model checks its identities internally every tick and raises if one fails; these tests
recompute them from what it logged, along other paths, so a logging or settlement bug shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from tests.conftest import ROOT, SCENARIOS, identical_world

TOL = 1e-9


def check_tables(res: sim.Results) -> None:
    ts = res.timeseries
    dt = res.scenario.dt
    assert res.scenario.simulation.log_every == 1, "these checks need every tick logged"
    by_tick = ts.groupby("tick", observed=True)
    world_gdp = by_tick["gdp"].sum()
    # world exports equal world imports; current accounts and NII sum to zero
    for a, b in (("exports", "imports"),):
        gap = (by_tick[a].sum() - by_tick[b].sum()).abs()
        assert (gap <= TOL * world_gdp).all(), f"world {a} differ from world {b} by up to {gap.max():.3g}"
    for col in (
        "current_account",
        "net_investment_income",
        "net_foreign_assets",
        "private_claims",
        "fdi_income",
    ):
        total = by_tick[col].sum().abs()
        scale = world_gdp + by_tick[col].apply(lambda x: x.abs().sum())
        assert (total <= TOL * scale).all(), f"{col} does not sum to zero (up to {total.max():.3g})"
    # current account = trade balance + NII, and = GDP + NII - absorption (value-added path)
    np.testing.assert_allclose(
        ts.current_account, ts.trade_balance + ts.net_investment_income, rtol=0, atol=TOL * ts.gdp.max()
    )
    np.testing.assert_allclose(ts.trade_balance, ts.gdp - ts.absorption, rtol=0, atol=1e-8 * ts.gdp.max())
    # GDP = value added + tariff revenue, value added = gross output - inputs: gross output >= GDP - tariffs
    # net foreign assets = reserves - official liabilities + private claims + FDI assets - FDI liabilities
    np.testing.assert_allclose(
        ts.net_foreign_assets,
        ts.reserves - ts.official_liabilities + ts.private_claims + ts.fdi_assets - ts.fdi_liabilities,
        rtol=0,
        atol=TOL
        * (
            ts.reserves.abs().max()
            + ts.official_liabilities.max()
            + ts.private_claims.abs().max()
            + ts.fdi_assets.max()
            + ts.fdi_liabilities.max()
            + ts.gdp.max()
        ),
    )
    # FDI: world assets = world liabilities, world outflows = inflows; the flows are the stocks'
    # changes, per year
    for a, b in (("fdi_assets", "fdi_liabilities"), ("fdi_outflow", "fdi_inflow")):
        gap = (by_tick[a].sum() - by_tick[b].sum()).abs()
        assert (gap <= TOL * (world_gdp + by_tick[a].sum().abs())).all(), f"world {a} and {b} differ by {gap.max():.3g}"
    fdi_scale = res.series("fdi_assets").max().max() + res.series("gdp").max().max()
    for stock, flow in (("fdi_assets", "fdi_outflow"), ("fdi_liabilities", "fdi_inflow")):
        change = res.series(stock).diff().iloc[1:].to_numpy()
        assert np.max(np.abs(change - dt * res.series(flow).iloc[1:].to_numpy()), initial=0.0) <= 1e-9 * fdi_scale
    # private claims change by the current account less what went into reserves (net of the
    # issuer's new liabilities) and into FDI, plus write-downs and revaluation (the official
    # stocks' revaluation is in both the change of reserves and the valuation column: it cancels)
    d_priv = res.series("private_claims").diff().iloc[1:]
    d_off = (res.series("reserves") - res.series("official_liabilities")).diff().iloc[1:]
    flows = (
        dt * (res.series("current_account") - res.series("fdi_outflow") + res.series("fdi_inflow"))
        + res.series("writedown")
        + res.series("valuation")
    ).iloc[1:]
    priv_scale = res.series("private_claims").abs().max().max() + fdi_scale
    assert np.max(np.abs(d_priv.to_numpy() - (flows - d_off).to_numpy())) <= 1e-9 * priv_scale
    # stocks change by exactly their flows
    wide = {c: res.series(c) for c in ("net_foreign_assets", "current_account", "writedown", "valuation")}
    d_nfa = wide["net_foreign_assets"].diff().iloc[1:]
    flow = (wide["current_account"] * dt + wide["writedown"] + wide["valuation"]).iloc[1:]
    scale = wide["net_foreign_assets"].abs().max().max() + res.series("gdp").max().max()
    assert np.max(np.abs(d_nfa.to_numpy() - flow.to_numpy())) <= 1e-9 * scale
    # the financial account: CA = official net outflow - net private inflow, with official flows
    # from the reserve and liability stocks and private inflows recorded as a flow
    wide = {c: res.series(c) for c in ("reserves", "official_liabilities", "private_capital_inflow")}
    # (the official stocks' revaluation at the new rates is not a flow)
    official = (wide["reserves"] - wide["official_liabilities"]).diff().iloc[1:].to_numpy() - official_valuation(res)
    private_in = wide["private_capital_inflow"].iloc[1:] * dt
    ca_dt = (res.series("current_account") * dt).iloc[1:]
    assert np.max(np.abs(ca_dt.to_numpy() - (official - private_in.to_numpy()))) <= 1e-9 * scale
    # portfolio flows clear across countries
    inflow = by_tick["portfolio_inflow"].sum().abs()
    assert (inflow <= TOL * (world_gdp + by_tick["portfolio_inflow"].apply(lambda x: x.abs().sum()))).all()
    # official liabilities of the issuers equal the reserves held on them
    issuers = res.scenario.world.reserve_issuers
    for iss in issuers:
        held = by_tick[f"reserves_in_{iss}"].sum()
        liab = res.series("official_liabilities")[iss]
        np.testing.assert_allclose(held.to_numpy(), liab.to_numpy(), rtol=1e-12, atol=1e-9)
    check_fiscal(res)
    check_valuation(res)
    assert np.isfinite(ts.select_dtypes("number").to_numpy()).all()
    check_bilateral(res)


def check_fiscal(res: sim.Results) -> None:
    """Governments: private saving + public saving - investment = current account, the saving
    side from value added, taxes and interest, the current account from trade flows; public debt
    changes by exactly the deficit.
    """
    ts, dt = res.timeseries, res.scenario.dt
    scale = ts.gdp.max() + ts.public_debt.abs().max()
    np.testing.assert_allclose(
        ts.fiscal_balance, ts.taxes - ts.government_spending - ts.public_debt_interest, rtol=0, atol=TOL * scale
    )
    np.testing.assert_allclose(
        ts.private_saving + ts.fiscal_balance - ts.investment,
        ts.exports - ts.imports + ts.net_investment_income,
        rtol=0,
        atol=1e-8 * scale,
    )
    d_debt = res.series("public_debt").diff().iloc[1:].to_numpy()
    deficit = -(res.series("fiscal_balance") * dt).iloc[1:].to_numpy()
    assert np.max(np.abs(d_debt - deficit), initial=0.0) <= TOL * scale


def currency_gains(res: sim.Results) -> np.ndarray:
    """(ticks - 1, N) each currency's gain in the unit of account over each logged tick."""
    e = res.series("exchange_rate").to_numpy()
    return 1.0 - e[:-1] / e[1:]


def official_valuation(res: sim.Results) -> np.ndarray:
    """(ticks - 1, N) revaluation of reserves and official liabilities, both in their issuer's
    currency, rebuilt from the logged stocks after it and the logged rates."""
    gain, names = currency_gains(res), res.countries
    official = -res.series("official_liabilities").to_numpy()[1:] * gain
    for iss in res.scenario.world.reserve_issuers or names[:1]:
        official += res.series(f"reserves_in_{iss}").to_numpy()[1:] * gain[:, [names.index(iss)]]
    return official


def check_valuation(res: sim.Results) -> None:
    """Valuation changes sum to zero, gross private assets less liabilities equal net private
    claims, and each tick's valuation change is rebuilt from the logged stocks after it and the
    logged rates: a position worth P after its currency moved from e to e' was worth P e / e'
    before, so it gained P (1 - e / e'); the pool's asset holders share the liabilities' gain in
    proportion to their assets."""
    ts = res.timeseries
    by_tick = ts.groupby("tick", observed=True)
    scale = by_tick["gdp"].sum() + by_tick["gross_private_assets"].sum()
    assert (by_tick["valuation"].sum().abs() <= 1e-9 * scale).all(), "valuation changes do not sum to zero"
    np.testing.assert_allclose(
        ts.gross_private_assets - ts.gross_private_liabilities,
        ts.private_claims,
        rtol=0,
        atol=1e-9 * (ts.gross_private_assets.max() + ts.gdp.max()),
    )
    e = res.series("exchange_rate").to_numpy()
    gain = 1.0 - e[:-1] / e[1:]  # (ticks - 1, N), each currency's gain over the tick
    names = res.countries
    anchor = names.index((res.scenario.world.reserve_issuers or names[:1])[0])
    liab = res.series("gross_private_liabilities").to_numpy()[1:]
    own = res.series("liabilities_own_currency").to_numpy()[1:]
    assets = res.series("gross_private_assets").to_numpy()[1:]
    d_liab = own * gain + (liab - own) * gain[:, anchor : anchor + 1]
    d_assets = assets * (d_liab.sum(axis=1, keepdims=True) / assets.sum(axis=1, keepdims=True))
    want = d_assets - d_liab + official_valuation(res)
    got = res.series("valuation").to_numpy()[1:]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9 * (assets.max() + res.series("gdp").max().max()))


def check_bilateral(res: sim.Results) -> None:
    """Every country's exports and imports, in total and by sector, summed from the bilateral
    table's off-diagonal flows equal the timeseries columns on every tick logged in both."""
    ts, bil = res.timeseries, res.bilateral
    ticks = np.intersect1d(ts.tick.unique(), bil.tick.unique())
    assert ticks.size, "no tick is logged in both tables"
    names = res.countries
    off = bil[(bil.origin != bil.destination) & bil.tick.isin(ticks)]
    logged = ts[ts.tick.isin(ticks)].set_index(["tick", "country"])
    world = logged.groupby(level="tick", observed=True)["gdp"].sum()
    for side, who in (("exports", "origin"), ("imports", "destination")):
        by_sector = off.pivot_table(index=["tick", who], columns="sector", values="value", aggfunc="sum", observed=True)
        by_sector = by_sector.reindex(pd.MultiIndex.from_product([ticks, names]), fill_value=0.0)
        got = {"": by_sector.sum(axis=1), **{f"_{s}": by_sector[s] for s in res.scenario.traded}}
        for suffix, summed in got.items():
            col = f"{side}{suffix}"
            want = logged[col].to_numpy()
            gap = np.abs(summed.to_numpy() - want) / np.repeat(world.loc[ticks].to_numpy(), len(names))
            worst = int(np.argmax(gap))
            tick, country = by_sector.index[worst]
            assert gap[worst] <= TOL, (
                f"{col} of {country} at tick {tick}: {want[worst]:.6g} in timeseries, "
                f"{summed.iloc[worst]:.6g} summed from bilateral"
            )


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_identities_hold_at_every_tick_of_every_shipped_scenario(path):
    # every tick in both tables: tariffs.toml and trade_war.toml retaliate on ticks 10-31
    scn = sim.load_scenario(path, {"simulation.log_every": 1, "simulation.bilateral_every": 1})
    res = sim.simulate(scn, ticks=min(scn.simulation.ticks, 150))
    check_tables(res)


def test_bilateral_table_adds_up_to_country_exports_and_imports():
    res = sim.simulate(identical_world(3, ticks=5, trade_cost=0.7) | {"simulation": {"ticks": 5, "seed": 1}})
    bil = res.bilateral
    off = bil[bil.origin != bil.destination]
    ex = off.groupby(["tick", "origin"], observed=True)["value"].sum().unstack()
    im = off.groupby(["tick", "destination"], observed=True)["value"].sum().unstack()
    np.testing.assert_allclose(ex.to_numpy(), res.series("exports").to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(im.to_numpy(), res.series("imports").to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(bil.final + bil.intermediate, bil.value, rtol=1e-12)


TWO_ISSUERS = {
    "country.Catcher.exchange_rate_regime": "managed",
    "country.Catcher.reserves_months": 1.0,
    "world.reserve_issuers": ["Leader", "Europe"],
    "country.Catcher.settlement": {"Leader": 0.5, "Europe": 0.5},
    "simulation.tick_length": "quarter",
    # the sale-out below happens in the world without structural change (with workers moving
    # between sectors no seed in 0-39 sells out within 10 years); the identities are checked
    # with it on in the other tests
    "world.structure.reallocation_speed": 0.0,
    "world.structure.income_elasticity": {},
}


@pytest.mark.parametrize("seed", [9, 10, 19, 22])
def test_identities_hold_with_two_reserve_issuers_and_quarterly_ticks(seed):
    # the managed Catcher sells all its reserves, held on two issuers paying different rates,
    # at ticks 25-35 of these seeds (tests/data/world8.toml says what failed before; the seeds
    # were 7, 10, 21 and 22 before the sub-annual noise became the annual averages' process)
    res = sim.simulate(sim.load_scenario(ROOT / "tests" / "data" / "world8.toml", TWO_ISSUERS), seed=seed, ticks=40)
    check_tables(res)
    held = res.timeseries[["reserves_in_Leader", "reserves_in_Europe"]].to_numpy()
    assert (held >= 0).all()
    assert (res.series("reserves")["Catcher"] < 1e-9 * res.series("gdp")["Catcher"]).any(), "the sale-out is exercised"


def test_selling_every_reserve_empties_each_issuer_holding_exactly():
    # a country holding reserves on two issuers that pay different rates sells the most
    # limit_sales allows: both holdings end at zero, none below, and the issuers' liabilities and
    # the private claims move by exactly what the holdings lost
    from sim import accounts, policy

    dt = 0.25
    # country 2 holds reserves on the issuers, countries 0 and 1
    reserves = np.array([[0.0, 0.0], [0.0, 0.0], [2.839, 3.010]])
    interest = np.array([[0.0, 0.0], [0.0, 0.0], [0.0282, 0.0520]])  # per year, on each holding
    liabilities = np.array([2.839, 3.010, 0.0])
    private = np.array([1.0, -2.0, -(2.839 + 3.010) + 1.0])
    nfa = reserves.sum(axis=1) - liabilities + private
    ca = np.array([10.0, 20.0, -30.0])
    fx = policy.limit_sales(np.array([0.0, 0.0, -1e3]), reserves.sum(axis=1), interest.sum(axis=1), dt)
    settlement = np.full((3, 2), 0.5)
    res, liab, priv, new_nfa = accounts.settle_stocks(
        reserves, liabilities, private, nfa, ca, fx, interest, settlement, np.array([0, 1]), np.zeros(3), dt
    )
    np.testing.assert_allclose(res[2], 0.0, rtol=0, atol=1e-15)
    assert (res >= 0).all()
    # each issuer's liabilities are the holdings on it
    np.testing.assert_allclose(liab, [*res.sum(axis=0), 0.0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(new_nfa, res.sum(axis=1) - liab + priv, rtol=0, atol=1e-14)
    np.testing.assert_allclose(new_nfa, nfa + dt * ca, rtol=0, atol=1e-14)


def test_identities_hold_with_cobb_douglas_sectors_tariffs_and_quotas():
    # sigma = 1 is computed in closed form (sim/market.py); every identity and the bilateral
    # table hold there as with CES sectors
    doc = identical_world(3, ticks=12, elasticity={"labor": 1.0, "hightech": 4.0, "primary": 1.0})
    doc["country"][0]["tariffs"] = {"C1": 0.3}
    doc["country"][1]["export_controls"] = {"hightech": {"destinations": ["C2"], "allowed_share": 0.4}}
    doc["country"][2]["export_controls"] = {"labor": {"destinations": ["C0"], "allowed_share": 0.5}}
    res = sim.simulate(doc)
    check_tables(res)


def test_identities_hold_with_governments_deficits_debt_and_a_fiscal_rule():
    # governments of every kind: a deficit with initial debt (interest paid to households), a
    # surplus, a fiscal rule moving taxes toward a target, and an event that changes spending;
    # quarterly ticks, so the stock-flow identity of public debt is exercised with dt = 0.25
    doc = identical_world(3, ticks=40)
    doc["simulation"]["tick_length"] = "quarter"
    doc["country"][0]["government"] = {"spending": 0.25, "tax": 0.2, "debt": 0.8}
    doc["country"][1]["government"] = {"spending": 0.1, "tax": 0.15}
    doc["country"][2]["government"] = {"spending": 0.2, "tax": 0.2, "balance_target": -0.03, "adjustment_speed": 1.0}
    doc["event"] = [{"tick": 12, "set": {"country.C1.government.spending": 0.2}}]
    res = sim.simulate(doc)
    check_tables(res)
    debt = res.series("public_debt")
    assert debt["C0"].iloc[-1] > debt["C0"].iloc[0] > 0 and debt["C1"].min() < 0  # the checks are exercised


def test_identities_hold_with_policy_rates_capital_controls_and_portfolio_flows():
    # a floater with a high policy rate, a managed country with full controls and one with half,
    # regressive expectations and a rate that rises by an event (docs/model.md §7.6)
    over = {
        "country.Japan.policy_rate": 0.06,
        "country.China.exchange_rate_regime": "managed",
        "country.China.reserves_months": 3.0,
        "country.China.capital_controls": 1.0,
        "country.India.capital_controls": 0.5,
        "world.finance.expectation_reversion": 0.3,
        "simulation.log_every": 1,
        "simulation.bilateral_every": 1,
    }
    scn = sim.load_scenario(ROOT / "scenarios" / "baseline.toml", over)
    doc = sim.scenario.resolved_document(scn)
    doc["event"] = [{"tick": 6, "set": {"country.US.policy_rate": 0.07, "country.India.capital_controls": 0.0}}]
    res = sim.simulate(doc, ticks=20)
    check_tables(res)
    flows = res.series("portfolio_inflow").abs().max()
    assert flows["China"] == 0 and (flows.drop("China") > 1.0).all()  # closed China draws none; the rest move
