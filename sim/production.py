"""Production: capacity, unit costs and prices, and how prices respond to utilisation.

Equations (i country, s sector, r input sector; USD):

    capacity[i, s]   = A[i, s] * alloc[i, s] * L[i]                     real units / yr
    ulc[i, s]        = wage[i] * e[i] / A[i, s]                          USD / real unit
    input_cost[i, s] = sum_r a[r, s] * P[i, r]      (last tick's purchaser prices)
    price[i, s]      = (1 + markup) * (ulc + input_cost) * (1 - cut[i, s]) * m[i]
    full_income[i]   = sum_s (capacity * price - input_cost * output_prev) + last tick's tariffs

Full-capacity income is the value of capacity output less the input bill committed for the
current production plan (inputs are bought for last tick's output), so that
``GDP - full_income = value of sales - value of capacity`` (up to input-price changes): a
country's current account exceeds its desired net lending exactly when demand exceeds capacity.

The price factor ``m`` is one per country (one per sector was unstable in the feasibility
study): ``log m' = log m + rho~ * (gamma * log u - log m)`` with
``rho~ = 1 - (1 - rho~_1) ** dt`` and ``rho~_1 = (1 - exp(-rho)) / (1 + gamma * eta_i)`` the
annual weight, where ``eta_i`` bounds the elasticity of the country's utilisation to its own
prices (:func:`effective_elasticity`), so that ``rho~ (1 + gamma eta) < 1`` for every legal
sigma: the adjustment never overshoots, and it closes the same share per year whatever the tick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import accounts
from sim.timing import per_tick

if TYPE_CHECKING:
    from sim.model import TradeModel


def capacity(productivity: np.ndarray, alloc: np.ndarray, labor: np.ndarray) -> np.ndarray:
    """(N, S1) full-capacity output, real units per year."""
    return productivity * alloc * labor[..., None]


def input_cost(purchaser_price: np.ndarray, a: np.ndarray) -> np.ndarray:
    """(N, S1) cost of intermediate inputs per real unit of output, USD.

    Args:
        purchaser_price: (N, S1) purchaser price index of each input sector.
        a: (S1, S1) input coefficients a[input r, using s].
    """
    return purchaser_price @ a


def producer_prices(
    wage_usd: np.ndarray,
    productivity: np.ndarray,
    icost: np.ndarray,
    markup: float,
    log_m: np.ndarray,
    cost_factor: np.ndarray | None = None,
) -> np.ndarray:
    """(N, S1) producer prices, USD per real unit.

    Args:
        wage_usd: (N,) wage in USD per worker-year (local wage x exchange rate).
        productivity: (N, S1) real output per worker-year.
        icost: (N, S1) input cost per real unit, USD.
        markup: markup over unit cost.
        log_m: (N,) log price factor from utilisation.
        cost_factor: (N, S1) multiplier of unit cost (1 - state support); None for none.
    """
    unit = wage_usd[..., None] / productivity + icost
    if cost_factor is not None:
        unit = unit * cost_factor
    return (1.0 + markup) * unit * np.exp(log_m)[..., None]


def full_income(
    cap: np.ndarray, price: np.ndarray, icost: np.ndarray, output_prev: np.ndarray, tariff_prev: np.ndarray
) -> np.ndarray:
    """(N,) income at full capacity: value of capacity output less the committed input bill,
    plus last tick's tariff revenue, USD bn/yr.
    """
    return np.sum(cap * price - icost * output_prev, axis=-1) + tariff_prev


def effective_elasticity(price: np.ndarray, cap: np.ndarray, sigma_hat: float, n_traded: int) -> np.ndarray:
    """(N,) a bound on |d log utilisation / d log own prices|: sigma_hat x the traded share of
    the value of capacity (services, bought only at home out of income that moves with the
    country's own prices, do not respond). Floored at 0.25 so closed economies stay finite.
    """
    value = price * cap
    traded = value[..., :n_traded].sum(axis=-1) / np.maximum(value.sum(axis=-1), 1e-300)
    return np.maximum(sigma_hat * traded, 0.25)


def price_gain(rho: float, gamma: float, eta: np.ndarray, dt: float) -> np.ndarray:
    """(N,) per-tick partial-adjustment weight of the price factor (stable for every sigma): the
    annual weight ``(1 - exp(-rho)) / (1 + gamma eta)`` spread over the ticks of a year.
    """
    return per_tick(-np.expm1(-rho) / (1.0 + gamma * eta), dt)


def update_price_factor(log_m: np.ndarray, util: np.ndarray, gamma: float, gain: np.ndarray) -> np.ndarray:
    """(N,) next tick's log price factor from this tick's utilisation."""
    return log_m + gain * (gamma * np.log(np.maximum(util, 1e-12)) - log_m)


def utilisation(revenue: np.ndarray, price: np.ndarray, cap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Utilisation by country (value-weighted) and by sector: real sales / capacity.

    Returns:
        (N,) and (N, S1) arrays; a sector with no capacity counts as fully used.
    """
    full = price * cap
    if (full > 0).all():  # the usual case, without the masking (same values)
        return revenue.sum(axis=-1) / full.sum(axis=-1), revenue / full
    with np.errstate(divide="ignore", invalid="ignore"):
        by_sector = np.where(full > 0, revenue / np.where(full > 0, full, 1.0), 1.0)
    total = full.sum(axis=-1)
    by_country = np.where(total > 0, revenue.sum(axis=-1) / np.where(total > 0, total, 1.0), 1.0)
    return by_country, by_sector


def produce(model: TradeModel) -> None:
    """Every member's capacity (real units per year), effective elasticity ``model._eta``, price
    factor, input costs and producer prices (USD per real unit), the cost factor in force
    ``model._cost_factor`` (state lending cuts costs) and full-capacity income (USD bn per year);
    a member whose rates, prices or income leave the positive range is failed.
    """
    st, wp = model.state, model.wp
    # capital built with state credit deepens capital per worker: more output per worker
    prod = (
        st.productivity() * (1.0 + st.extra_capacity)
        if model._lending or st.extra_capacity.any()
        else st.productivity()
    )
    st.capacity = capacity(prod, st.alloc, st.labor)
    if st.price is not None:
        model._eta = effective_elasticity(st.price, st.capacity, wp.sigma_hat, model.s)
    else:
        model._eta = effective_elasticity(st.purchaser_price, st.capacity, wp.sigma_hat, model.s)
    gain = price_gain(wp.rho, wp.gamma, model._eta, wp.dt)
    st.log_m = update_price_factor(st.log_m, st.util, wp.gamma, gain)
    if model._log_m_correction is not None:  # the within-tick response (sim/implicit.py)
        st.log_m = st.log_m + model._log_m_correction
    st.input_cost = input_cost(st.purchaser_price, wp.a)
    cost_factor = model.ca.cost_factor
    if model._lending:
        effect = model.kn.policy.lending_cost_effect[..., None]
        cost_factor = cost_factor * np.maximum(1.0 - effect * model.ca.lending, 0.2)
    model._cost_factor = cost_factor
    st.price = producer_prices(st.wage * st.e, prod, st.input_cost, wp.markup[..., None], st.log_m, cost_factor)
    st.full_income = full_income(st.capacity, st.price, st.input_cost, st.output, st.tariff_prev)
    model._guard(
        accounts.suspect_positive(st.e, st.price, st.full_income),
        lambda r: accounts.check_positive(
            model.tick, model.names, exchange_rate=st.e[r], price=st.price[r], full_income=st.full_income[r]
        ),
    )
