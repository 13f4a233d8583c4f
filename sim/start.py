"""The balanced start: exchange rates (and the prices and outputs they imply) solved once so that
tick 0 starts with every country at full capacity and trade balanced.

Given wages, productivity, labor and the trade factors, absorption is planned from full-capacity
income (E = full income, as in the model's first tick). The solver finds exchange rates e (the
unit-of-account issuer's fixed at 1) such that, for every country,

    utilisation (value of sales / value of capacity) = 1,

together with the purchaser prices P those prices imply (CES indices) and the real outputs Q
(inputs are bought for Q, and Q is what the market buys). Then GDP = full income = E, so trade
is balanced at tick 0, and the model's first tick reproduces the solution.

Arbitrary starting rates would instead make imbalances of tens of per cent of GDP out of the
initial capacity mix and need decades of burn-in (feasibility study). Capacity binds at the
country level (one price factor per country); a sector may start above or below its capacity
when the scenario's industrial structure does not match demand, and sector utilisation is
logged so this can be seen (``utilisation_<sector>``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import market, production
from sim.errors import SimulationError


@dataclass
class BalancedStart:
    """The solved start. Arrays by country (N,) or country x sector (N, S1)."""

    e: np.ndarray
    absorption: np.ndarray
    purchaser_price: np.ndarray
    price: np.ndarray
    gdp: np.ndarray
    exports: np.ndarray
    imports: np.ndarray
    tariff: np.ndarray
    output: np.ndarray
    util_sector: np.ndarray
    iterations: int


def _market(e, wage, productivity, cap, a, budget, markup, factors, weight, P, output, s):
    """One evaluation at given rates, purchaser prices and outputs."""
    n = cap.shape[0]
    icost = production.input_cost(P, a)
    price = production.producer_prices(wage * e, productivity, icost, markup, np.zeros(n))
    pi = market.price_index(factors, weight, price[:, :s].T)
    P_new = np.concatenate([pi.price.T, price[:, s:]], axis=1)
    inter = output @ a.T * P_new
    # tariff revenue is part of full income (at the start, this tick's): a fixed point that
    # converges geometrically (tariffs are a fraction of spending)
    tariff = np.zeros(n)
    for _ in range(500):
        absorption = production.full_income(cap, price, icost, output, tariff)
        spend = absorption[:, None] * budget[None, :] + inter
        agg = market.trade_flows(factors, pi, spend[:, :s].T)
        new = agg.tariff.sum(axis=0)
        done = np.max(np.abs(new - tariff)) <= 1e-15 * max(float(absorption.sum()), 1.0)
        tariff = new
        if done:
            break
    absorption = production.full_income(cap, price, icost, output, tariff)
    spend = absorption[:, None] * budget[None, :] + inter
    agg = market.trade_flows(factors, pi, spend[:, :s].T)
    revenue = np.concatenate([agg.revenue.T, spend[:, s:]], axis=1)
    return price, P_new, inter, absorption, agg, revenue, tariff


def solve_balanced_start(
    wage: np.ndarray,
    productivity: np.ndarray,
    cap: np.ndarray,
    a: np.ndarray,
    budget: np.ndarray,
    markup: float,
    factors: market.TradeFactors,
    anchor: int,
    names: list[str],
    tol: float = 1e-12,
) -> BalancedStart:
    """Solve the balanced start.

    For given rates, purchaser prices and outputs are iterated to their fixed point (a
    contraction: inputs cost less than the output they make). The N - 1 free log rates are then
    found with MINPACK's hybrid method (up to 200 countries) or a damped iteration with step
    control (larger worlds), the residual being each country's log utilisation.

    Args:
        wage: (N,) local wages.
        productivity: (N, S1).
        cap: (N, S1) capacity, real units per year.
        a: (S1, S1) input coefficients.
        budget: (S1,) final budget shares.
        markup: markup over unit cost.
        factors: cached trade factors.
        anchor: index of the unit-of-account country (rate fixed at 1).
        names: country names for error messages.
        tol: tolerance on |log utilisation| and on relative changes of prices and outputs.

    Raises:
        SimulationError: if no balanced start is found (a country can sell nothing, say).
    """
    n, s1 = cap.shape
    s = s1 - 1
    sig_hat = max(1.0, float(np.max(factors.sigma)))
    total_cap = cap[:, :s].sum(axis=0)
    weight = np.where(total_cap > 0, cap[:, :s] / np.where(total_cap > 0, total_cap, 1.0), 0.0).T
    others = np.arange(n) != anchor
    memo = {"P": (1.0 + markup) * wage[:, None] / productivity, "Q": cap.copy(), "calls": 0}

    def inner(log_e):
        """Fixed point of purchaser prices and outputs at given rates."""
        e = np.exp(log_e)
        P, Q = memo["P"], memo["Q"]
        for _ in range(2000):
            memo["calls"] += 1
            out = _market(e, wage, productivity, cap, a, budget, markup, factors, weight, P, Q, s)
            price, P_new, revenue = out[0], out[1], out[5]
            Q_new = revenue / price
            d = max(
                float(np.max(np.abs(np.log(P_new / P)))), float(np.max(np.abs(Q_new - Q) / np.maximum(cap, 1e-300)))
            )
            P, Q = P_new, Q_new
            if not d > tol * 0.1:
                break
        memo["P"], memo["Q"] = P, Q
        return out, Q

    def residual(x):
        log_e = np.zeros(n)
        log_e[others] = x
        with np.errstate(all="ignore"):
            out, _ = inner(log_e)
            util, _ = production.utilisation(out[5], out[0], cap)
            lu = np.log(util)
        return np.nan_to_num(lu[others], nan=50.0, posinf=50.0, neginf=-50.0)

    def damped(x, r, until, max_steps):
        """Move rates by their utilisation gap, halving the step when the gap grows."""
        step = 1.0
        for _ in range(max_steps):
            if float(np.max(np.abs(r), initial=0.0)) < until:
                break
            eta = production.effective_elasticity(memo["P"], cap, sig_hat, s)[others]
            trial = x + step * np.clip(r, -1.0, 1.0) / (1.0 + eta)
            r_trial = residual(trial)
            if float(np.max(np.abs(r_trial))) < float(np.max(np.abs(r))):
                x, r = trial, r_trial
                step = min(1.0, step * 1.5)
            else:
                step *= 0.5
                if step < 1e-8:
                    break
        return x, r

    x = np.zeros(n - 1)
    r = residual(x)
    x, r = damped(x, r, 1e-3 if n - 1 <= 200 else tol, 5000)
    if 0 < n - 1 <= 200 and float(np.max(np.abs(r))) >= tol:
        from scipy import optimize

        with np.errstate(all="ignore"):
            sol = optimize.root(residual, x, method="hybr", options={"xtol": 1e-14, "maxfev": 100 * n})
        r_sol = residual(sol.x)
        if float(np.max(np.abs(r_sol))) < float(np.max(np.abs(r))):
            x, r = sol.x, r_sol
        x, r = damped(x, r, tol, 5000)
    log_e = np.zeros(n)
    log_e[others] = x
    with np.errstate(all="ignore"):
        out, Q = inner(log_e)
    price, P, inter, absorption, agg, revenue, tariff = out
    util, util_s = production.utilisation(revenue, price, cap)
    # utilisation reads a NaN price as full use: a start whose rates or prices overflowed is
    # no solution, whatever the residual says
    with np.errstate(over="ignore"):
        rate_ok = np.isfinite(np.exp(log_e)) & (np.exp(log_e) > 0)
    broken = ~(rate_ok & np.isfinite(price).all(axis=1) & np.isfinite(revenue).all(axis=1))
    if broken.any():
        who = int(np.argmax(~rate_ok)) if not rate_ok.all() else int(np.argmax(broken))
        raise SimulationError(
            0,
            names[who],
            "exchange_rate",
            f"the balanced start diverged (log exchange rate {log_e[who]:.3g}); no exchange rates put every "
            "country at full capacity from these wages, productivities and trade costs",
        )
    err = float(np.max(np.abs(np.log(util)))) if np.all(util > 0) else np.inf
    if not err < 1e-9:
        worst = int(np.argmax(np.abs(np.nan_to_num(np.log(np.maximum(util, 1e-300)), nan=np.inf))))
        raise SimulationError(
            0,
            names[worst],
            "balanced_start",
            f"no exchange rates put every country at full capacity (largest |log utilisation| {err:.3g}); "
            "check that every country can sell something (trade costs, export controls, capacity)",
        )
    gdp = revenue.sum(axis=1) - inter.sum(axis=1) + tariff
    return BalancedStart(
        e=np.exp(log_e),
        absorption=absorption,
        purchaser_price=P,
        price=price,
        gdp=gdp,
        exports=agg.exports.sum(axis=0),
        imports=agg.imports.sum(axis=0),
        tariff=tariff,
        output=revenue / price,
        util_sector=util_s,
        iterations=memo["calls"],
    )
