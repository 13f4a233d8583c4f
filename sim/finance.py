"""Finance: who pays whom interest, risk premia, the world interest rate, sudden stops, default.

Claims are of two kinds. Official reserves are claims of holder i on issuer k (``reserves[i, k]``)
paying the issuer's official rate ``r_w - privilege_k`` (lending to the issuer at its low rate).
Private claims are pooled: debtors (``private < 0``) pay their rate (``r_w + premium_i``, or
their policy rate + premium, :mod:`sim.capital`) into a world pool
that pays creditors in proportion to their claims, so every payment has a payer and a payee
and net investment income sums to exactly zero. No dense country x country matrix is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.demand import DemandPlan


def official_rates(world_rate: np.ndarray | float, privilege: np.ndarray) -> np.ndarray:
    """(R, K) rate paid on reserves held in each issuer's currency, per year (world rate (R,))."""
    return np.asarray(world_rate)[..., None] - privilege


def issuer_privilege(settlement: np.ndarray, trade_weight: np.ndarray, privilege: float | np.ndarray) -> np.ndarray:
    """(R, K) each issuer's rate discount: the full privilege times its share of world settlement.

    Args:
        settlement: (R, N, K) each country's settlement shares by issuer.
        trade_weight: (R, N) each country's gross trade (exports + imports), the weights.
        privilege: (R, 1) rate discount (per year) of an issuer settling all world trade.
    """
    w = trade_weight / np.maximum(trade_weight.sum(axis=-1, keepdims=True), 1e-300)
    # a stack of (1, N) x (N, K) products: the same arithmetic for a member whatever R is
    return privilege * np.matmul(w[..., None, :], settlement)[..., 0, :]


def net_investment_income(
    reserves: np.ndarray,
    private: np.ndarray,
    issuer_index: np.ndarray,
    off_rate: np.ndarray,
    borrow_rate: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Net investment income, USD bn/yr, and interest earned on reserves (reinvested).

    Args:
        reserves: (R, N, K) official claims on each issuer.
        private: (R, N) net private claims (negative = debtor).
        issuer_index: (K,) country index of each issuer.
        off_rate: (R, K) rate on reserves.
        borrow_rate: (R, N) rate each private debtor pays.

    Returns:
        nii (R, N) and reserve interest (R, N, K) (credited to holders, debited to issuers).
    """
    res_int = reserves * off_rate[..., None, :]
    nii = res_int.sum(axis=-1)
    nii[..., issuer_index] -= res_int.sum(axis=-2)  # issuers are distinct
    debt = np.maximum(-private, 0.0)
    claims = np.maximum(private, 0.0)
    paid = borrow_rate * debt
    total_claims = claims.sum(axis=-1, keepdims=True)
    has = total_claims > 0
    if has.any():
        pooled = paid.sum(axis=-1, keepdims=True) * claims / np.where(has, total_claims, 1.0) - paid
        nii = np.where(has, nii + pooled, nii)
    return nii, res_int


def premium(nfa: np.ndarray, income: np.ndarray, threshold: float, slope: float, cap: float) -> np.ndarray:
    """(N,) risk premium per year: rises with net external debt / GDP above a threshold, capped."""
    debt_ratio = debt_to_income(nfa, income)
    return np.minimum(cap, slope * np.maximum(0.0, debt_ratio - threshold))


def debt_to_income(nfa: np.ndarray, income: np.ndarray) -> np.ndarray:
    """(N,) net external debt over annual income (negative for creditors)."""
    return -nfa / np.maximum(income, 1e-300)


def stop_limits(
    stopped: np.ndarray,
    nfa: np.ndarray,
    income: np.ndarray,
    nii: np.ndarray,
    reserves_total: np.ndarray,
    limit: float | np.ndarray,
    floor: float | np.ndarray,
    dt: float,
    held: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Absorption ceiling, floor share and the reserve sales that may finance it, in a stop.

    A stopped country may absorb its income plus the credit left below the debt limit plus what
    selling reserves can pay (reserves are sold before imports are compressed); it never cuts
    absorption below ``floor`` of its plan. ``held`` (N,) bool marks stops still inside their
    stated length (:func:`stop_step`): lenders are away, so no credit is left to them.

    Returns:
        ceiling (N,) USD bn/yr (inf when not stopped), floor share (N,), and the income plus
        credit (N,) USD bn/yr beyond which absorption must be paid for by selling reserves.
    """
    room = np.maximum(0.0, limit * income + nfa) / dt
    if held is not None:
        room = np.where(held, 0.0, room)
    sales = np.where(stopped, reserves_total / dt, 0.0)
    funded = income + nii + room
    ceiling = np.where(stopped, funded + sales, np.inf)
    return ceiling, np.where(stopped, floor, 0.0), funded


def stop_step(
    debt: np.ndarray,
    limit: float | np.ndarray,
    stopped: np.ndarray,
    bound_years: np.ndarray,
    min_years: float | np.ndarray,
    dt: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each country is in a sudden stop next tick, and the years its stop has bound.

    A stop starts when net external debt / income (``debt``) passes ``limit``; it lasts at least
    ``min_years`` years of ticks that it bound and then until the debt is back below the limit.
    The length is in years, so it is the same with any tick (0: until the debt is below the
    limit, a condition read tick by tick).

    Args:
        debt: (N,) net external debt over annual income at the end of this tick.
        limit: debt / income at which lenders stop.
        stopped: (N,) bool, a stop bound this tick.
        bound_years: (N,) years the stop had bound before this tick (0 when not stopped).
        min_years: the stop's least length, years.
        dt: tick length, years.

    Returns:
        stopped next tick (N,) bool, and the years it has bound by the end of this tick (N,).
    """
    years = np.where(stopped, bound_years + dt, 0.0)
    nxt = (debt > limit) | stop_held(stopped, years, min_years)
    return nxt, np.where(nxt, years, 0.0)


def stop_held(stopped: np.ndarray, years: np.ndarray, min_years: float | np.ndarray) -> np.ndarray:
    """(N,) bool: stops that have bound for fewer than their stated ``min_years`` years."""
    # 1e-9: years are sums of ticks; a stop of exactly min_years ends on time
    return stopped & (years < min_years - 1e-9)


def stop_reserve_sales(
    stopped: np.ndarray, absorption: np.ndarray, funded: np.ndarray, reserves_total: np.ndarray, dt: float
) -> np.ndarray:
    """(N,) reserves sold (USD bn/yr) by stopped countries to pay for absorption beyond income
    plus remaining credit.
    """
    need = np.maximum(absorption - funded, 0.0)
    return np.where(stopped, np.minimum(need, reserves_total / dt), 0.0)


def solve_world_rate(
    plan: DemandPlan, guess: np.ndarray, bounds: np.ndarray, tol: np.ndarray, active: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """World interest rate at which desired net lending sums to zero across countries, per member.

    A safeguarded Newton iteration inside the bracket ``bounds`` (world net lending rises with
    the rate). If the bracket holds no root, the end nearer to one is used and the second
    return value is True so the tick is logged as a fallback. The members' iterations run side
    by side, each stopping when it has converged, so each member takes exactly the steps it
    would take alone (each step is elementwise per member; the sums are over its own countries).

    Args:
        plan: absorption as a function of the rate.
        guess: (R,) starting rates (last tick's).
        bounds: (R, 2) (low, high) per year.
        tol: (R,) tolerance on world net lending, USD bn/yr.
        active: (R,) bool, the members to solve (others keep their guess); default all.

    Returns:
        rates (R,) and fallback flags (R,) bool.
    """
    guess = np.asarray(guess, dtype=float)
    lo = bounds[:, 0].astype(float)
    hi = bounds[:, 1].astype(float)
    r = np.minimum(np.maximum(guess, lo), hi)
    result = guess.copy()
    fallback = np.zeros(guess.shape, dtype=bool)
    live = np.ones(guess.shape, dtype=bool) if active is None else active.copy()
    f, df = plan.net_lending(r)
    has_lo = np.zeros(guess.shape, dtype=bool)  # net lending known at the low end of the bracket
    has_hi = np.zeros(guess.shape, dtype=bool)
    scale = None
    for _ in range(60):
        done = live & (np.abs(f) <= tol)
        if done.any():
            result[done] = r[done]
            live &= ~done
            if not live.any():
                return result, fallback
        up = f > 0
        hi = np.where(up, r, hi)
        lo = np.where(up, lo, r)
        has_hi |= up
        has_lo |= ~up
        step_ok = df > 0
        r_new = np.where(step_ok, r - f / np.where(step_ok, df, 1.0), 0.5 * (lo + hi))
        out = live & ~((lo < r_new) & (r_new < hi))
        if out.any():
            need = out & ~has_lo
            if need.any():
                at_lo, _ = plan.net_lending(lo)
                has_lo |= need
                stop = need & (at_lo > 0)
                result[stop], fallback[stop] = lo[stop], True
                live &= ~stop
            need = out & live & ~has_hi
            if need.any():
                at_hi, _ = plan.net_lending(hi)
                has_hi |= need
                stop = need & (at_hi < 0)
                result[stop], fallback[stop] = hi[stop], True
                live &= ~stop
            r_new = np.where(out, 0.5 * (lo + hi), r_new)
        if live.all():  # the usual case (and always a single run's): nothing to keep
            r = r_new
            f, df = plan.net_lending(r)
        else:
            r = np.where(live, r_new, r)
            f_new, df_new = plan.net_lending(r)
            f = np.where(live, f_new, f)
            df = np.where(live, df_new, df)
        narrow = live & (hi - lo < 1e-14)
        if narrow.any():
            scale = 1e-6 * np.abs(plan.income).sum(axis=-1) if scale is None else scale
            result[narrow] = r[narrow]
            fallback[narrow] = (np.abs(f) > np.maximum(tol, scale))[narrow]
            live &= ~narrow
            if not live.any():
                return result, fallback
    scale = 1e-6 * np.abs(plan.income).sum(axis=-1)
    result[live] = r[live]
    fallback[live] = (np.abs(f) > np.maximum(tol, scale))[live]
    return result, fallback


def writedowns(nfa: np.ndarray, private: np.ndarray, income: np.ndarray, threshold: float, share: float) -> np.ndarray:
    """(N,) change in private claims from writing down the debt of defaulters, USD bn.

    A country whose net external debt exceeds ``threshold`` x income has ``share`` of its
    private foreign debt written down; private creditors lose the total in proportion to their
    claims. Official claims (reserves) are not written down. Sums to zero.
    """
    default = debt_to_income(nfa, income) > threshold
    relief = np.where(default & (private < 0), -share * private, 0.0)
    total = relief.sum(axis=-1, keepdims=True)
    if not (total > 0).any():
        return np.zeros_like(nfa)
    claims = np.maximum(private, 0.0)
    lost = relief - total * claims / np.maximum(claims.sum(axis=-1, keepdims=True), 1e-300)
    return np.where(total > 0, lost, 0.0)
