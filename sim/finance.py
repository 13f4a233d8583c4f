"""Finance: who pays whom interest, risk premia, the world interest rate, sudden stops, default.

Claims are of two kinds. Official reserves are claims of holder i on issuer k (``reserves[i, k]``)
paying the issuer's official rate ``r_w - privilege_k`` (lending to the issuer at its low rate).
Private claims are pooled: debtors (``private < 0``) pay ``r_w + premium_i`` into a world pool
that pays creditors in proportion to their claims, so every payment has a payer and a payee
and net investment income sums to exactly zero. No dense country x country matrix is kept.
"""

from __future__ import annotations

import numpy as np

from sim.demand import DemandPlan


def official_rates(world_rate: float, privilege: np.ndarray) -> np.ndarray:
    """(K,) rate paid on reserves held in each issuer's currency, per year."""
    return world_rate - privilege


def issuer_privilege(settlement: np.ndarray, trade_weight: np.ndarray, privilege: float) -> np.ndarray:
    """(K,) each issuer's rate discount: the full privilege times its share of world settlement.

    Args:
        settlement: (N, K) each country's settlement shares by issuer.
        trade_weight: (N,) each country's gross trade (exports + imports), the weights.
        privilege: rate discount (per year) of an issuer settling all world trade.
    """
    w = trade_weight / max(float(trade_weight.sum()), 1e-300)
    return privilege * (w @ settlement)


def net_investment_income(
    reserves: np.ndarray,
    private: np.ndarray,
    issuer_index: np.ndarray,
    off_rate: np.ndarray,
    borrow_rate: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Net investment income, USD bn/yr, and interest earned on reserves (reinvested).

    Args:
        reserves: (N, K) official claims on each issuer.
        private: (N,) net private claims (negative = debtor).
        issuer_index: (K,) country index of each issuer.
        off_rate: (K,) rate on reserves.
        borrow_rate: (N,) rate each private debtor pays.

    Returns:
        nii (N,) and reserve interest (N, K) (credited to holders, debited to issuers).
    """
    res_int = reserves * off_rate[None, :]
    nii = res_int.sum(axis=1)
    np.subtract.at(nii, issuer_index, res_int.sum(axis=0))
    debt = np.maximum(-private, 0.0)
    claims = np.maximum(private, 0.0)
    paid = borrow_rate * debt
    total_claims = claims.sum()
    if total_claims > 0:
        nii += paid.sum() * claims / total_claims - paid
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
    limit: float,
    floor: float,
    dt: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Absorption ceiling, floor share and the reserve sales that may finance it, in a stop.

    A stopped country may absorb its income plus the credit left below the debt limit plus what
    selling reserves can pay (reserves are sold before imports are compressed); it never cuts
    absorption below ``floor`` of its plan.

    Returns:
        ceiling (N,) USD bn/yr (inf when not stopped), floor share (N,), and the income plus
        credit (N,) USD bn/yr beyond which absorption must be paid for by selling reserves.
    """
    room = np.maximum(0.0, limit * income + nfa) / dt
    sales = np.where(stopped, reserves_total / dt, 0.0)
    funded = income + nii + room
    ceiling = np.where(stopped, funded + sales, np.inf)
    return ceiling, np.where(stopped, floor, 0.0), funded


def stop_reserve_sales(
    stopped: np.ndarray, absorption: np.ndarray, funded: np.ndarray, reserves_total: np.ndarray, dt: float
) -> np.ndarray:
    """(N,) reserves sold (USD bn/yr) by stopped countries to pay for absorption beyond income
    plus remaining credit.
    """
    need = np.maximum(absorption - funded, 0.0)
    return np.where(stopped, np.minimum(need, reserves_total / dt), 0.0)


def solve_world_rate(plan: DemandPlan, guess: float, bounds: tuple[float, float], tol: float) -> tuple[float, bool]:
    """World interest rate at which desired net lending sums to zero across countries.

    A safeguarded Newton iteration inside the bracket ``bounds`` (world net lending rises with
    the rate). If the bracket holds no root, the end nearer to one is used and the second
    return value is True so the tick is logged as a fallback.

    Args:
        plan: absorption as a function of the rate.
        guess: starting rate (last tick's).
        bounds: (low, high) per year.
        tol: tolerance on world net lending, USD bn/yr.
    """
    lo, hi = bounds
    r = min(max(guess, lo), hi)
    f, df = plan.net_lending(r)
    f_lo = f_hi = None
    for _ in range(60):
        if abs(f) <= tol:
            return r, False
        if f > 0:
            hi = r
            f_hi = f
        else:
            lo = r
            f_lo = f
        step_ok = df > 0
        r_new = r - f / df if step_ok else 0.5 * (lo + hi)
        if not (lo < r_new < hi):
            if f_lo is None:
                f_lo, _ = plan.net_lending(lo)
                if f_lo > 0:
                    return lo, True
            if f_hi is None:
                f_hi, _ = plan.net_lending(hi)
                if f_hi < 0:
                    return hi, True
            r_new = 0.5 * (lo + hi)
        r = r_new
        f, df = plan.net_lending(r)
        if hi - lo < 1e-14:
            break
    return r, abs(f) > max(tol, 1e-6 * abs(plan.income).sum())


def writedowns(nfa: np.ndarray, private: np.ndarray, income: np.ndarray, threshold: float, share: float) -> np.ndarray:
    """(N,) change in private claims from writing down the debt of defaulters, USD bn.

    A country whose net external debt exceeds ``threshold`` x income has ``share`` of its
    private foreign debt written down; private creditors lose the total in proportion to their
    claims. Official claims (reserves) are not written down. Sums to zero.
    """
    default = debt_to_income(nfa, income) > threshold
    relief = np.where(default & (private < 0), -share * private, 0.0)
    total = relief.sum()
    if total <= 0:
        return np.zeros_like(nfa)
    claims = np.maximum(private, 0.0)
    return relief - total * claims / max(claims.sum(), 1e-300)
