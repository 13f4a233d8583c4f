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
from typing import TYPE_CHECKING

import numpy as np

from sim import development, finance, market, production
from sim.errors import SimulationError
from sim.members import array_digest

if TYPE_CHECKING:
    from sim.model import TradeModel

MAX_LOG_RATE = 40.0
"""A start that needs an exchange rate beyond exp(+-40) relative to the issuer's is no start: the
solution lies at infinity (a country whose sales rise with its prices)."""


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


class _Evaluation:
    """One pass of the start's market at given rates, purchaser prices, outputs and tariff revenue."""

    __slots__ = ("log_e", "price", "purchaser", "inter", "absorption", "agg", "tariff", "revenue", "output", "util")

    def __init__(self, log_e, price, purchaser, inter, absorption, agg, tariff, revenue, util):
        self.log_e = log_e
        self.price = price
        self.purchaser = purchaser
        self.inter = inter
        self.absorption = absorption
        self.agg = agg
        self.tariff = tariff
        self.revenue = revenue
        self.output = revenue / price
        self.util = util


class _StartMarket:
    """The market of tick 0 with absorption planned from full-capacity income (E = full income)."""

    def __init__(self, wage, productivity, cap, a, budget, markup, factors, anchor):
        n, s1 = cap.shape
        self.n, self.s = n, s1 - 1
        self.wage, self.productivity, self.cap, self.a, self.budget = wage, productivity, cap, a, budget
        self.markup, self.factors = markup, factors
        s = self.s
        total = cap[:, :s].sum(axis=0)
        self.weight = np.where(total > 0, cap[:, :s] / np.where(total > 0, total, 1.0), 0.0).T
        self.others = np.arange(n) != anchor
        self.zeros = np.zeros(n)
        self.evaluations = 0

    def __call__(self, x: np.ndarray, purchaser: np.ndarray, output: np.ndarray, tariff: np.ndarray) -> _Evaluation:
        """Evaluate at free log rates x (the anchor's is 0), purchaser prices, outputs and tariff revenue."""
        self.evaluations += 1
        s = self.s
        log_e = np.zeros(self.n)
        log_e[self.others] = x
        icost = production.input_cost(purchaser, self.a)
        price = production.producer_prices(self.wage * np.exp(log_e), self.productivity, icost, self.markup, self.zeros)
        pi = market.price_index(self.factors, self.weight, price[:, :s].T)
        P_new = np.concatenate([pi.price.T, price[:, s:]], axis=1)
        inter = output @ self.a.T * P_new
        absorption = production.full_income(self.cap, price, icost, output, tariff)
        spend = absorption[:, None] * self.budget[None, :] + inter
        agg = market.trade_flows(self.factors, pi, spend[:, :s].T)
        revenue = np.concatenate([agg.revenue.T, spend[:, s:]], axis=1)
        util, _ = production.utilisation(revenue, price, self.cap)
        return _Evaluation(log_e, price, P_new, inter, absorption, agg, agg.tariff.sum(axis=0), revenue, util)


def _anderson(g, z: np.ndarray, tol: float, budget: int, patience: int, memory: int = 8):
    """Anderson acceleration (type II) of the fixed-point map ``g``.

    Stops when max |g(z) - z| < tol, after ``budget`` evaluations, or when the residual has not
    improved for ``patience`` evaluations. A step that makes the residual non-finite or 1000
    times larger than the best restarts from the best point with a half plain step.

    Returns:
        (z, g(z), max |g(z) - z|) at the best point found, and the evaluations used.
    """
    with np.errstate(all="ignore"):
        return _anderson_loop(g, z, tol, budget, patience, memory)


def _anderson_loop(g, z, tol, budget, patience, memory):
    gz = g(z)
    r = gz - z
    d_g: list[np.ndarray] = []
    d_r: list[np.ndarray] = []
    best_err, best = np.inf, (z, gz)
    since, used = 0, 1
    while True:
        err = float(np.max(np.abs(r), initial=0.0)) if np.all(np.isfinite(r)) else np.inf
        if err < best_err:
            best_err, best, since = err, (z, gz), 0
        else:
            since += 1
        if best_err < tol or used >= budget or since > patience:
            return best[0], best[1], best_err, used
        if not err < 1e3 * best_err:
            d_g.clear()
            d_r.clear()
            z, gz = best
            r = gz - z
            z_new = z + 0.5 * r
        elif d_r:
            gamma = np.linalg.lstsq(np.array(d_r).T, r, rcond=None)[0]
            z_new = gz - np.array(d_g).T @ gamma
        else:
            z_new = gz
        gz_new = g(z_new)
        used += 1
        r_new = gz_new - z_new
        d_g.append(gz_new - gz)
        d_r.append(r_new - r)
        if len(d_r) > memory:
            d_g.pop(0)
            d_r.pop(0)
        z, gz, r = z_new, gz_new, r_new


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
    max_evaluations: int | None = None,
) -> BalancedStart:
    """Solve the balanced start.

    The unknowns are the N - 1 free log exchange rates, the purchaser prices (N, S1), the real
    outputs (N, S1) and tariff revenue (N,). One evaluation of the market maps them to new
    values: rates move by each country's log utilisation / (1 + eta) (eta bounds the elasticity
    of its utilisation to its own prices, so the step does not overshoot on its own), prices and
    outputs to what the market implies (a contraction: inputs cost less than the output they
    make). Anderson acceleration of this joint fixed-point map converges in about 40
    evaluations (two passes over the trade factors each) for worlds of 2 to 1,000 countries.

    If it stalls (extreme elasticities and trade costs), the solver falls back to a nested
    solve: prices, outputs and tariffs are solved for given rates (Anderson-accelerated
    contraction), and the rates by a damped iteration with step control, polished by MINPACK's
    hybrid method up to 200 countries.

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
        max_evaluations: evaluations of the market before giving up; by default what takes about
            a minute on a 2-core machine (300,000 at N = 6, about 700 at N = 1000, S = 20), so a
            world with no start fails in bounded time, the same on every machine.

    Raises:
        SimulationError: if no balanced start is found (a country can sell nothing, say).
    """
    n, s1 = cap.shape
    s = s1 - 1
    _check_demand(cap, a, budget, names)
    mk = _StartMarket(wage, productivity, cap, a, budget, markup, factors, anchor)
    if max_evaluations is None:
        max_evaluations = int(60.0 / (2e-4 + 4e-9 * n * n * s1))
    sig_hat = max(1.0, float(np.max(factors.sigma)))
    others = mk.others
    m, k = n - 1, n * s1
    q_scale = np.maximum(cap, 1e-9 * float(cap.max()))
    p0 = (1.0 + markup) * wage[:, None] / productivity
    t_scale = np.maximum(np.sum(cap * p0, axis=1), 1e-300)

    def pack_inner(log_p, q, t):
        return np.concatenate([log_p.ravel(), (q / q_scale).ravel(), t / t_scale])

    def unpack_inner(w):
        return np.exp(w[:k].reshape(n, s1)), w[k : 2 * k].reshape(n, s1) * q_scale, w[2 * k :] * t_scale

    def evaluate(x, w):
        with np.errstate(all="ignore"):
            return mk(x, *unpack_inner(w))

    def inner_map(ev):
        with np.errstate(all="ignore"):
            return pack_inner(np.log(ev.purchaser), ev.output, ev.tariff)

    def joint(z):
        x, w = z[:m], z[m:]
        ev = evaluate(x, w)
        with np.errstate(all="ignore"):
            lu = np.nan_to_num(np.log(ev.util), nan=-1.0, neginf=-1.0, posinf=1.0)
            eta = production.effective_elasticity(ev.price, cap, sig_hat, s)
            move = np.clip(lu, -1.0, 1.0) / (1.0 + eta)
        return np.concatenate([x + move[others], inner_map(ev)])

    w0 = pack_inner(np.log(p0), cap.copy(), np.zeros(n))
    z, gz, err, _ = _anderson(joint, np.concatenate([np.zeros(m), w0]), 0.1 * tol, max_evaluations, 60)
    x, w = gz[:m], gz[m:]
    if not err < 0.1 * tol:
        x, w = _nested(x, w, evaluate, inner_map, mk, cap, sig_hat, s, tol, max_evaluations)
    ev = evaluate(x, w)
    util = ev.util
    with np.errstate(all="ignore"):
        err = float(np.max(np.abs(np.log(util)))) if np.all(util > 0) else np.inf
    if not err < 1e-9:
        with np.errstate(all="ignore"):
            lu = np.nan_to_num(np.log(np.maximum(util, 1e-300)), nan=np.inf)
        worst = int(np.argmax(np.abs(lu)))
        raise SimulationError(
            0,
            names[worst],
            "balanced_start",
            f"no exchange rates put every country at full capacity: after {mk.evaluations} evaluations of the "
            f"market {names[worst]} sells {util[worst]:.3g} of its capacity (largest |log utilisation| {err:.3g}); "
            "check that every country can sell something (trade costs, export controls, capacity)",
        )
    far = np.abs(ev.log_e) > MAX_LOG_RATE
    bad = far | ~np.isfinite(ev.log_e) | ~np.all(np.isfinite(ev.purchaser), axis=1) | ~(ev.absorption > 0)
    if bad.any():
        worst = int(np.argmax(np.where(np.isfinite(ev.log_e), np.abs(ev.log_e), np.inf) * bad))
        raise SimulationError(
            0,
            names[worst],
            "balanced_start",
            f"no balanced start with finite prices exists: it reaches full capacity only as its exchange rate "
            f"goes to {'zero' if ev.log_e[worst] < 0 else 'infinity'} (log rate {ev.log_e[worst]:.3g} after "
            f"{mk.evaluations} evaluations); elasticities below 1 let a country's sales rise with its prices",
        )
    revenue, price, inter, tariff = ev.revenue, ev.price, ev.inter, ev.tariff
    _, util_s = production.utilisation(revenue, price, cap)
    gdp = revenue.sum(axis=1) - inter.sum(axis=1) + tariff
    return BalancedStart(
        e=np.exp(ev.log_e),
        absorption=ev.absorption,
        purchaser_price=ev.purchaser,
        price=price,
        gdp=gdp,
        exports=ev.agg.exports.sum(axis=0),
        imports=ev.agg.imports.sum(axis=0),
        tariff=tariff,
        output=ev.output,
        util_sector=util_s,
        iterations=mk.evaluations,
    )


def _nested(x, w, evaluate, inner_map, mk, cap, sig_hat, s, tol, max_evaluations):
    """The fallback: rates by damped steps (and MINPACK's hybrid method up to 200 countries),
    with prices, outputs and tariffs solved for each trial of the rates. Returns (x, w).
    """
    memo = {"w": w}
    others = mk.others
    m = len(x)

    def residual(x):
        left = max(max_evaluations - mk.evaluations, 2)
        _, w, _, _ = _anderson(lambda v: inner_map(evaluate(x, v)), memo["w"], 0.01 * tol, min(left, 500), 20)
        memo["w"] = w
        ev = evaluate(x, w)
        with np.errstate(all="ignore"):
            lu = np.log(ev.util)
        memo["eta"] = production.effective_elasticity(ev.price, cap, sig_hat, s)[others]
        return np.nan_to_num(lu[others], nan=50.0, posinf=50.0, neginf=-50.0)

    def damped(x, r, until):
        step = 1.0
        while mk.evaluations < max_evaluations and float(np.max(np.abs(r), initial=0.0)) >= until:
            trial = x + step * np.clip(r, -1.0, 1.0) / (1.0 + memo["eta"])
            w_before = memo["w"]
            r_trial = residual(trial)
            if float(np.max(np.abs(r_trial))) < float(np.max(np.abs(r))):
                x, r = trial, r_trial
                step = min(1.0, step * 1.5)
            else:
                memo["w"] = w_before
                step *= 0.5
                if step < 1e-8:
                    break
        return x, r

    r = residual(x)
    x, r = damped(x, r, 1e-3 if m <= 200 else tol)
    if 0 < m <= 200 and float(np.max(np.abs(r))) >= tol and mk.evaluations < max_evaluations:
        from scipy import optimize

        with np.errstate(all="ignore"):
            sol = optimize.root(residual, x, method="hybr", options={"xtol": 1e-14, "maxfev": 100 * (m + 1)})
        r_sol = residual(sol.x)
        if float(np.max(np.abs(r_sol))) < float(np.max(np.abs(r))):
            x, r = sol.x, r_sol
        else:
            r = residual(x)
        x, r = damped(x, r, tol)
    residual(x)
    return x, memo["w"]


def _check_demand(cap: np.ndarray, a: np.ndarray, budget: np.ndarray, names: list[str]) -> None:
    """Raise if a country has capacity only in sectors nobody buys (no final or input demand)."""
    demanded = (budget > 0) | (a.sum(axis=1) > 0)
    sellable = cap[:, demanded].sum(axis=1)
    bad = np.flatnonzero(~(sellable > 0))
    if bad.size:
        raise SimulationError(
            0,
            names[bad[0]],
            "balanced_start",
            "no balanced start exists: all its capacity is in sectors with no final demand (budget share 0) "
            "and no use as an input, so it can sell nothing at any exchange rate",
        )


def member_start(model: TradeModel, r: int, cache: dict) -> dict[str, np.ndarray]:
    """Member r's state at tick 0 (one member's arrays, no member axis): the balanced start
    (:func:`solve_balanced_start`, shared through ``cache`` by members with the same inputs),
    initial stocks from the scenario's shares of GDP (net foreign assets made to sum to zero,
    reserves of ``reserves_months`` of imports; bn USD) and trend growth (per year). Also
    returns ``base_value_added`` and ``log_e_start``; notes go to ``model.member_notes[r]``
    and the solver's evaluations to ``model.start_iterations_by_member[r]``.
    """
    spec, n, s1 = model.specs[r], model.n, model.s + 1
    notes = model.member_notes[r]
    a, budget, markup = model.wp.a[r], model.wp.budget[r], float(model.wp.markup[r, 0])
    settlement, issuer_index = model.ca.settlement[r], model.ca.issuer_index
    prod = np.array([[c.productivity[s] for s in model.sectors] for c in spec.country], dtype=float)
    alloc = np.array([[c.labor_shares[s] for s in model.sectors] for c in spec.country], dtype=float)
    labor = np.array([c.labor_force for c in spec.country], dtype=float)
    wage = np.array([c.wage for c in spec.country], dtype=float)
    cap = production.capacity(prod, alloc, labor)
    factors = model._member_factors[r]
    key = array_digest(wage, prod, cap, a, budget, np.array([markup, id(factors), model.anchor], dtype=float))
    start = cache.get(key)
    if start is None:
        start = solve_balanced_start(wage, prod, cap, a, budget, markup, factors, model.anchor, model.names)
        cache[key] = start
    model.start_iterations_by_member[r] = start.iterations
    # value added per real unit at the start, the base of real GDP (double deflation)
    base_value_added = start.price - production.input_cost(start.purchaser_price, a)
    gdp = start.gdp
    # initial net foreign assets as shares of GDP, made to sum to zero
    share = np.array([c.net_foreign_assets for c in spec.country])
    nfa = share * gdp
    given = np.array(["net_foreign_assets" in c.model_fields_set for c in spec.country])
    excess = nfa.sum()
    if abs(excess) > 1e-12 * gdp.sum():
        takers = ~given if (~given).any() else np.ones(n, bool)
        nfa = nfa - excess * np.where(takers, gdp, 0.0) / gdp[takers].sum()
        notes.append(
            f"initial net foreign assets summed to {excess:.4g} bn USD; the difference was spread over "
            f"{'countries without a value' if (~given).any() else 'all countries'} by GDP"
        )
    share_issuer = gdp[model.anchor] / gdp.sum()
    if share_issuer < 0.05 and n > 1:
        notes.append(
            f"the reserve issuer {model.names[model.anchor]} makes only {100 * share_issuer:.1f}% of world GDP; the "
            "reserves the world holds on it may dominate its accounts"
        )
    months = np.array([c.reserves_months for c in spec.country])
    held = months / 12.0 * start.imports
    reserves = held[:, None] * settlement
    liabilities = np.zeros(n)
    np.add.at(liabilities, issuer_index, reserves.sum(axis=0))
    private = nfa - reserves.sum(axis=1) + liabilities
    log_prod = np.log(prod)
    fin = spec.world.finance
    full = start.absorption
    return {
        "base_value_added": base_value_added,
        "log_e_start": np.log(start.e),  # the balanced-start rates anchor undervaluation
        "labor": labor,
        "log_base": log_prod,
        "log_innov": np.zeros((n, s1)),
        "noise": np.zeros((n, s1)),
        "jitter": np.zeros((n, s1)),
        "log_shock": np.zeros((n, s1)),
        "log_frontier": log_prod.max(axis=0),
        "innov_frontier": np.zeros(s1),
        "innovator": np.full(s1, -1, dtype=np.int64),
        "log_gap_start": log_prod - log_prod.max(axis=0),
        "alloc": alloc,
        "wage": wage,
        "e": start.e,
        "log_m": np.zeros(n),
        "growth": trend_growth(model, r, log_prod, alloc),
        "purchaser_price": start.purchaser_price,
        "output": start.output,
        "habit_income": full,
        "tariff_prev": start.tariff,
        "util": np.ones(n),
        "util_sector": start.util_sector,
        "nfa": nfa,
        "reserves": reserves,
        "liabilities": liabilities,
        "private": private,
        "fdi": np.zeros((n, n)),
        "world_rate": np.float64(fin.interest_rate),
        "premium": finance.premium(nfa, full, fin.premium_threshold, fin.premium_slope, fin.premium_cap),
        "stopped": np.zeros(n, dtype=bool),
        "stop_age": np.zeros(n),
        "household_debt": np.zeros(n),
        "extra_capacity": np.zeros((n, s1)),
        "firm_debt": np.zeros((n, s1)),
        "loss_years": np.zeros((n, s1)),
        "retaliation": np.zeros((n, n)),
        "sales": start.output * start.price,
        "undervaluation": np.zeros(n),
        "public_debt": np.array([c.government.debt for c in spec.country]) * gdp,
        "tax_adjust": np.zeros(n),
        "exports": start.exports,
        "imports": start.imports,
    }


def trend_growth(model: TradeModel, r: int, log_prod: np.ndarray, alloc: np.ndarray) -> np.ndarray:
    """(N,) trend productivity growth the catch-up rule gives at the start (per year), so
    that smoothed growth, and the investment and wages that follow it, start on path.
    """
    dev = model.specs[r].world.development
    phi = development.capability_factor(model.ca.capability[r], dev.capability_threshold)
    nxt = development.catch_up(
        log_prod,
        log_prod.max(axis=0),
        dev.catchup_speed * model.ca.catchup[r] * phi,
        dev.catchup_curvature,
        dev.frontier_growth,
        1.0,
        dev.uneven,
        phi,
    )
    return np.sum(alloc * (nxt - log_prod), axis=1)
