"""The CES market: closed forms and invariants of the pure array functions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import market


def random_world(rng, n, s, tariffs=True, blocked=True, sigma=None, few_tariffs=False):
    tau = 1.0 + rng.uniform(0.0, 1.5, (n, n))
    np.fill_diagonal(tau, 1.0)
    tariff = rng.uniform(0, 0.5, (s, n, n)) * (rng.random((s, n, n)) < 0.3) if tariffs else np.zeros((s, n, n))
    if few_tariffs:  # one cell: the sparse path of the market (no G, corrections on the cell)
        tariff[:] = 0.0
        if n > 1:
            o, d = rng.choice(n, 2, replace=False)
            tariff[rng.integers(s), o, d] = rng.uniform(0.05, 0.5)
    open_ = rng.random((s, n, n)) > 0.15 if blocked else np.ones((s, n, n), bool)
    for k in range(s):
        np.fill_diagonal(tariff[k], 0.0)
        np.fill_diagonal(open_[k], True)
    sig = rng.uniform(1.5, 8.0, s) if sigma is None else np.full(s, sigma)
    f = market.build_factors(tau, tariff, open_, sig)
    cap = rng.uniform(0.1, 10.0, (s, n))
    weight = cap / cap.sum(axis=1, keepdims=True)
    price = rng.uniform(0.5, 2.0, (s, n))
    spend = rng.uniform(1.0, 100.0, (s, n))
    return tau, tariff, open_, sig, f, weight, price, spend


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 7), s=st.integers(1, 4), few=st.booleans())
def test_shares_sum_to_one_and_aggregates_match_the_flow_tensor(seed, n, s, few):
    rng = np.random.default_rng(seed)
    tau, tariff, open_, sig, f, weight, price, spend = random_world(rng, n, s, few_tariffs=few)
    if few and n > 1 and s * n * n * market.SPARSE_TARIFFS >= 1:
        assert f.G is None and f.tariff_cells is not None  # the sparse path
    pi = market.price_index(f, weight, price)
    flows_purchaser = pi.v[:, :, None] * f.F * (spend / pi.phi)[:, None, :]
    # every buyer's spending is split completely across origins (shares sum to one)
    np.testing.assert_allclose(flows_purchaser.sum(axis=1), spend, rtol=1e-12)
    agg = market.trade_flows(f, pi, spend)
    producer = market.flow_tensor(f, pi, spend)
    np.testing.assert_allclose(producer, flows_purchaser / (1.0 + tariff), rtol=1e-12)
    np.testing.assert_allclose(agg.revenue, producer.sum(axis=2), rtol=1e-12)
    off = producer * (1 - np.eye(n))[None]
    np.testing.assert_allclose(agg.imports, off.sum(axis=1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(agg.exports, off.sum(axis=2), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(agg.tariff, (flows_purchaser - producer).sum(axis=1), rtol=1e-10, atol=1e-10)


def test_blocked_cell_carries_zero_flow_and_demand_moves_to_other_origins():
    rng = np.random.default_rng(1)
    tau, tariff, _, sig, _, weight, price, spend = random_world(rng, 4, 2, tariffs=False, blocked=False)
    open_ = np.ones((2, 4, 4), bool)
    f_open = market.build_factors(tau, tariff, open_, sig)
    open_[1, 0, 2] = False  # sector 1 from country 0 to country 2 is blocked
    f_blk = market.build_factors(tau, tariff, open_, sig)
    flows_open = market.flow_tensor(f_open, market.price_index(f_open, weight, price), spend)
    flows_blk = market.flow_tensor(f_blk, market.price_index(f_blk, weight, price), spend)
    assert flows_blk[1, 0, 2] == 0.0
    assert flows_open[1, 0, 2] > 0.0
    # the blocked demand is diverted, not destroyed: country 2 spends the same on sector 1
    np.testing.assert_allclose(flows_blk[1, :, 2].sum(), flows_open[1, :, 2].sum(), rtol=1e-12)
    others = [1, 2, 3]
    assert np.all(flows_blk[1, others, 2] > flows_open[1, others, 2])


def test_symmetric_countries_trade_to_zero_balance():
    n, s = 5, 3
    tau = np.full((n, n), 1.7)
    np.fill_diagonal(tau, 1.0)
    f = market.build_factors(tau, np.zeros((s, n, n)), np.ones((s, n, n), bool), np.full(s, 4.0))
    weight = np.full((s, n), 1.0 / n)
    price = np.ones((s, n))
    spend = np.full((s, n), 10.0)
    agg = market.trade_flows(f, market.price_index(f, weight, price), spend)
    np.testing.assert_allclose(agg.exports.sum(axis=0) - agg.imports.sum(axis=0), 0.0, atol=1e-12)
    # and the home share is the closed form 1 / (1 + (n - 1) tau**(1 - sigma))
    home_share = agg.home / spend
    np.testing.assert_allclose(home_share, 1.0 / (1.0 + (n - 1) * 1.7 ** (-3.0)), rtol=1e-12)


@pytest.mark.parametrize("sigma", [1.0, 1.0 + 1e-9, 0.5, 50.0])
def test_price_index_is_finite_and_between_the_prices_for_extreme_sigma(sigma):
    rng = np.random.default_rng(2)
    _, _, _, _, f, weight, price, _ = random_world(rng, 6, 3, tariffs=False, blocked=True, sigma=sigma)
    tau_free = market.build_factors(np.ones((6, 6)), np.zeros((3, 6, 6)), f.F > 0, np.full(3, sigma))
    pi = market.price_index(tau_free, weight, price)
    assert np.all(np.isfinite(pi.price))
    # with no trade costs and no tariffs, an index of the open origins' prices lies between them
    for s in range(3):
        for d in range(6):
            open_prices = price[s][tau_free.F[s, :, d] > 0]
            assert open_prices.min() * (1 - 1e-9) <= pi.price[s, d] <= open_prices.max() * (1 + 1e-9)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 6), s=st.integers(1, 3), few=st.booleans())
def test_at_sigma_one_the_index_is_the_geometric_mean_and_the_limit_of_ces(seed, n, s, few):
    rng = np.random.default_rng(seed)
    tau, tariff, open_, sig, f, weight, price, spend = random_world(rng, n, s, sigma=1.0, few_tariffs=few)
    # quotas as well as bans: openness in [0, 1]
    open_ = open_ * np.where(rng.random(open_.shape) < 0.3, rng.uniform(0.1, 1.0, open_.shape), 1.0)
    for k in range(s):
        np.fill_diagonal(open_[k], 1.0)
    f = market.build_factors(tau, tariff, open_, np.full(s, 1.0))
    assert f.cobb_douglas.tolist() == list(range(s))
    pi = market.price_index(f, weight, price)
    # closed form: spending shares w a / sum w a, index exp(sum share log(p tau (1 + t)))
    share = weight[:, :, None] * open_ / (weight[:, :, None] * open_).sum(axis=1, keepdims=True)
    delivered = price[:, :, None] * tau[None] * (1.0 + tariff)
    geo = np.exp(np.sum(share * np.log(delivered), axis=1))
    np.testing.assert_allclose(pi.price, geo, rtol=1e-13)
    flows = market.flow_tensor(f, pi, spend)
    np.testing.assert_allclose(flows * (1.0 + tariff), share * spend[:, None, :], rtol=1e-12)
    agg = market.trade_flows(f, pi, spend)
    np.testing.assert_allclose(agg.revenue, flows.sum(axis=2), rtol=1e-12)
    np.testing.assert_allclose(agg.spent, spend, rtol=0)
    # the CES index tends to it as sigma -> 1 from either side, the gap shrinking with |1 - sigma|
    for eps in (1e-2, 1e-3):
        for side in (-1.0, 1.0):
            near = market.price_index(
                market.build_factors(tau, tariff, open_, np.full(s, 1 + side * eps)), weight, price
            )
            gap = np.max(np.abs(np.log(near.price / pi.price)))
            assert gap <= 2.0 * eps * np.max(np.log(delivered) ** 2) + 1e-12


def test_elasticities_near_one_are_cobb_douglas_and_others_unchanged():
    sig = np.array([1.0, 1.0 + 5e-7, 1.0 - 5e-7, 1.0 + 2e-6, 4.0, 0.5])
    np.testing.assert_array_equal(market.effective_sigma(sig), [1.0, 1.0, 1.0, 1.0 + 2e-6, 4.0, 0.5])
