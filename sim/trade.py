"""The trade stage: every member's spending placed on the world market, and what it earns.

Each buyer's spending per traded sector is its final spending (absorption times the Engel budget
shares at its income per worker, :func:`sim.labour.engel_shares`) plus its intermediate
purchases (last tick's output times the input coefficients, at this tick's purchaser prices).
The market kernel (:mod:`sim.market`) splits it across origins in two passes — price indices,
then flows — once per group of members that share their trade factors
(``model._groups``). Sales, exports, imports, tariff revenue, value added, GDP and utilisation
follow. Non-traded sectors are bought at home at producer prices.

The model carries between stages, for the recorder and later stages: ``model._market_groups``
and ``model._pis`` (this tick's groups and first passes, :func:`flows` reads them),
``model._spend_traded`` (R, S, N), ``model.traded_mean_tariff`` (the tariffs that priced this
tick), and the tick's dollar wages, allocation and labor (``model._wage_usd``,
``model._alloc_traded``, ``model._labor_traded``) that state lending costs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import labour, market, production

if TYPE_CHECKING:
    from sim.model import TradeModel


def price_index(model: TradeModel, weight: np.ndarray, price_t: np.ndarray) -> tuple[np.ndarray, bool]:
    """The market's first pass for every member, one call per group of members that share
    their trade factors: purchaser price indices (R, S, N, USD per real unit) and whether every
    buyer reaches an origin in every sector (each group's pass is kept for the second).
    """
    groups = model._groups
    model._market_groups = groups  # the recorder's flows use this tick's groups
    if len(groups) == 1:
        pi = market.price_index(groups[0][0], weight, price_t)
        model._pis = [pi]
        return pi.price, pi.reachable
    price = np.empty(weight.shape)
    model._pis = []
    for f, idx in groups:
        pi = market.price_index(f, weight[idx], price_t[idx])
        model._pis.append(pi)
        price[idx] = pi.price
    return price, all(pi.reachable for pi in model._pis)


def trade_flows(model: TradeModel, spend_t: np.ndarray) -> market.TradeAggregates:
    """The market's second pass for every member (after :func:`price_index`); spending
    ``spend_t`` (R, S, N) in USD bn per year.
    """
    groups = model._groups
    if len(groups) == 1:
        return market.trade_flows(groups[0][0], model._pis[0], spend_t)
    parts = {k: np.empty(spend_t.shape) for k in ("revenue", "home", "imports", "tariff", "spent")}
    for (f, idx), pi in zip(groups, model._pis, strict=True):
        agg = market.trade_flows(f, pi, spend_t[idx])
        for k, arr in parts.items():
            arr[idx] = getattr(agg, k)
    return market.TradeAggregates(**parts)


def flows(model: TradeModel) -> np.ndarray:
    """(R, S, N, N) this tick's bilateral flows at producer prices, [m, s, o, d], USD bn per year."""
    spend, groups = model._spend_traded, model._market_groups
    if len(groups) == 1:
        return market.flow_tensor(groups[0][0], model._pis[0], spend)
    out = np.empty((model.R, model.s, model.n, model.n))
    for (f, idx), pi in zip(groups, model._pis, strict=True):
        out[idx] = market.flow_tensor(f, pi, spend[idx])
    return out


def budget_shares(model: TradeModel) -> np.ndarray:
    """(R, N, S1) final budget shares (fractions) at each country's income per worker (Engel curves)."""
    st, wp = model.state, model.wp
    gap = st.log_base + st.log_innov + st.log_shock - st.log_frontier[:, None, :]
    log_income = labour.log_income_index(gap - st.log_gap_start, wp.budget)
    return labour.engel_shares(wp.budget, wp.income_elasticity, log_income)


def trade(model: TradeModel) -> None:
    """Every member's purchaser prices, intermediate and final spending, their split across
    origins, and the sales, exports, imports, tariff revenue, value added, GDP (USD bn per
    year) and utilisation that follow; spending a buyer cannot place (no open origin) is unmet.
    """
    st, wp, s = model.state, model.wp, model.s
    cap_t = st.capacity[..., :s]
    total = cap_t.sum(axis=-2, keepdims=True)
    if (total > 0).all():
        weight = (cap_t / total).swapaxes(-1, -2)
    else:
        weight = np.where(total > 0, cap_t / np.where(total > 0, total, 1.0), 0.0).swapaxes(-1, -2)
    # the factors and tariffs that price this tick: retaliation later in the tick rebuilds
    # factors for the next one, and the recorder must log this tick's flows and tariffs
    model.traded_mean_tariff = model.mean_tariff  # replaced, never mutated, on a change
    p_index, reachable = price_index(model, weight, st.price[..., :s].swapaxes(-1, -2))
    purchaser = np.concatenate([p_index.swapaxes(-1, -2), st.price[..., s:]], axis=-1)
    st.purchaser_price = purchaser
    # [m, i, r] = sum_s a[r, s] Q[i, s] P[i, r]: a stack of (N, S1) x (S1, S1) products
    st.intermediate = np.matmul(st.output, wp.a.swapaxes(-1, -2)) * purchaser
    st.final_spend = st.absorption[..., None] * budget_shares(model)
    spend = st.final_spend + st.intermediate
    model._spend_traded = spend[..., :s].swapaxes(-1, -2)
    agg = trade_flows(model, model._spend_traded)
    if reachable:  # every buyer has an open origin in every sector: all spending is placed
        st.unmet = np.zeros((model.R, model.n))
        unmet_inter = 0.0
    else:
        unmet_sector = spend[..., :s] - agg.spent.swapaxes(-1, -2)
        final_frac = np.where(
            spend[..., :s] > 0, st.final_spend[..., :s] / np.where(spend[..., :s] > 0, spend[..., :s], 1.0), 0.0
        )
        st.unmet = np.sum(unmet_sector * final_frac, axis=-1)
        unmet_inter = np.sum(unmet_sector * (1.0 - final_frac), axis=-1)
    revenue = np.concatenate([agg.revenue.swapaxes(-1, -2), spend[..., s:]], axis=-1)
    st.spent = st.absorption - st.unmet
    st.tariff = agg.tariff.sum(axis=-2)
    st.exports_sector = agg.exports.swapaxes(-1, -2)
    st.imports_sector = agg.imports.swapaxes(-1, -2)
    st.exports = st.exports_sector.sum(axis=-1)
    st.imports = st.imports_sector.sum(axis=-1)
    st.value_added = revenue.sum(axis=-1) - (st.intermediate.sum(axis=-1) - unmet_inter)
    st.gdp = st.value_added + st.tariff
    st.output = revenue / st.price
    st.sales = revenue
    model._wage_usd, model._alloc_traded, model._labor_traded = st.wage * st.e, st.alloc, st.labor
    st.util, st.util_sector = production.utilisation(revenue, st.price, st.capacity)
