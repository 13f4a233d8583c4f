"""Capital flows: national policy rates, portfolio flows that move exchange rates, capital controls.

Equations (i country; USD bn/yr; rates per year):

    base_i     = policy_i if the country sets a policy rate, else r_w
    r_i        = base_i + premium_i − privilege_i                 the country's rate
    gap_i      = base_i − r_w                                     (0 without a policy rate)
    Edep_i     = θ (log e_i − log e0_i)                           regressive expectations (θ = 0: static)
    x_i        = gap_i − Edep_i                                   expected excess return
    w_i        = (1 − c_i) Y_i / Σ_j (1 − c_j) Y_j                open-income weights
    F_i        = φ (1 − c_i) Y_i (x_i − Σ_j w_j x_j)              desired portfolio inflow, Σ_i F_i = 0

with Y full income, c_i the capital-control intensity in [0, 1] and φ the portfolio sensitivity.
The premium and the issuer's privilege are the compensation investors require (UIP with a risk
premium, Dornbusch 1976), so only the policy gap and expected depreciation draw flows; demeaning
by the open-income-weighted mean makes the flows clear across countries (what one market draws
the others supply, Branson 1977 and Kouri 1976 portfolio balance; Gabaix and Maggiori 2015).

The FX market then has to absorb, besides the part of the current account desired lending does
not take up, the portfolio inflow; under controls the private sector may do only (1 − c) of
either, so the rest of the current account meets the central bank or moves the rate:

    p_i   = CA_i − NL*_i + F_i                                    pressure with open accounts
    X_i   = CA_i − FX_plan_i − rint_i                             CA beyond planned official flows
    g_i   = (1 − c_i) p_i + c_i X_i                               pressure on the currency
    FX_i  = FX_plan_i + (1 − c_i) a_i p_i + c_i X_i               official purchases

a_i the share of pressure the regime absorbs (float 0, managed ``managed_share``, peg 1) and
rint_i the interest earned on reserves (reinvested). Private claims then change by
dt (CA − FX − rint) = (1 − c_i) × what they would with open accounts: with full controls they
stay constant, a floater's rate moves with X until the current account equals official flows
(its central bank bridging each tick's gap) and a managed or pegged country's reserves absorb
the whole current account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import policy

if TYPE_CHECKING:
    from sim.model import TradeModel


def base_rates(world_rate: np.ndarray, policy_rate: np.ndarray, pinned: np.ndarray) -> np.ndarray:
    """(R, N) each country's base rate, per year: its policy rate where it sets one, else the
    world rate (R,).
    """
    return np.where(pinned, policy_rate, np.asarray(world_rate)[..., None])


def domestic_rates(
    world_rate: np.ndarray, spread: np.ndarray, policy_rate: np.ndarray, pinned: np.ndarray
) -> np.ndarray:
    """(R, N) the rate each country borrows at, per year: base rate + premium − privilege
    (``spread``). Without a policy rate anywhere it is ``r_w + spread`` bit for bit.
    """
    if not pinned.any():
        return np.asarray(world_rate)[..., None] + spread
    return base_rates(world_rate, policy_rate, pinned) + spread


def expected_depreciation(log_e: np.ndarray, log_anchor: np.ndarray, reversion: np.ndarray) -> np.ndarray:
    """(R, N) expected depreciation of each currency against the unit of account, per year.

    Regressive expectations: investors expect the rate to close ``reversion`` (θ, per year) of
    its log distance to the anchor (the balanced-start rate) a year; θ = 0 is the static
    (random-walk) forecast of Meese and Rogoff (1983). A currency above its anchor (``log_e``
    higher: USD per local unit) is expected to fall.
    """
    return reversion * (log_e - log_anchor)


def portfolio_inflow(
    gap: np.ndarray,
    exp_dep: np.ndarray,
    income: np.ndarray,
    controls: np.ndarray,
    sensitivity: np.ndarray,
) -> np.ndarray:
    """(R, N) desired net private portfolio inflow, USD bn/yr; sums to zero over countries.

    Args:
        gap: (R, N) policy rate − world rate, per year (0 where no policy rate is set).
        exp_dep: (R, N) expected depreciation, per year (:func:`expected_depreciation`).
        income: (R, N) full income, USD bn/yr.
        controls: (R, N) capital-control intensity in [0, 1].
        sensitivity: (R, 1) φ, inflow per year as a share of open income per unit of excess
            return (per year).
    """
    excess = gap - exp_dep
    open_income = (1.0 - controls) * income
    total = open_income.sum(axis=-1, keepdims=True)
    mean = np.sum(open_income * excess, axis=-1, keepdims=True) / np.where(total > 0, total, 1.0)
    return np.where(total > 0, sensitivity * open_income * (excess - mean), 0.0)


def fx_market(
    ca: np.ndarray,
    desired_lending: np.ndarray,
    inflow: np.ndarray,
    fx_plan: np.ndarray,
    reserve_interest: np.ndarray,
    controls: np.ndarray,
    absorbed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Pressure on each currency and official FX purchases, USD bn/yr (see the module doc).

    Args:
        ca: (R, N) current accounts, USD bn/yr.
        desired_lending: (R, N) desired net lending NL*, USD bn/yr.
        inflow: (R, N) desired portfolio inflow (:func:`portfolio_inflow`), USD bn/yr.
        fx_plan: (R, N) planned official FX purchases, USD bn/yr.
        reserve_interest: (R, N) interest earned on reserves (reinvested), USD bn/yr.
        controls: (R, N) capital-control intensity in [0, 1].
        absorbed: (R, N) share of the pressure the regime absorbs (float 0, peg 1).

    Returns:
        pressure g (R, N) and official purchases FX (R, N) before the reserve limit.
    """
    p = ca - desired_lending + inflow
    x = ca - fx_plan - reserve_interest
    pressure = (1.0 - controls) * p + controls * x
    fx = fx_plan + (1.0 - controls) * absorbed * p + controls * x
    return pressure, fx


def private_inflow(
    private_before: np.ndarray, private_after: np.ndarray, writedown: np.ndarray, dt: float
) -> np.ndarray:
    """(R, N) realised net private capital inflow, USD bn/yr: the fall in net private claims
    over the tick that is not a write-down.
    """
    return -(private_after - private_before - writedown) / dt


def fx_market_step(model: TradeModel) -> np.ndarray:
    """The tick's FX market of every member: the pressure on its currency (a fraction of
    income), official purchases (:func:`sim.policy.intervention`; portfolio flows and capital
    controls where they act, :func:`capital_flows`) and the sales its reserves can pay for
    (:func:`sim.policy.limit_sales`), set as ``st.fx`` (USD bn per year).

    Returns:
        (R, N) the official purchases wanted before reserves limit sales (USD bn per year).
    """
    st = model.state
    st.pressure = (st.ca - st.desired_lending) / st.full_income
    fx = policy.intervention(model.regime, st.ca - st.desired_lending, st.fx_plan, model.kn.exchange_rate.managed_share)
    fx = capital_flows(model, fx)
    held = st.reserves.sum(axis=-1)
    st.fx = policy.limit_sales(fx, held, model._res_int.sum(axis=-1), model.wp.dt)
    return fx


def capital_flows(model: TradeModel, fx: np.ndarray) -> np.ndarray:
    """Portfolio flows and capital controls in the members that have a policy rate, controls or
    regressive expectations: their pressure and official purchases ``fx`` (R, N, USD bn per
    year) replace the open-account ones; other members keep theirs bit for bit.
    """
    st, ca, fin = model.state, model.ca, model.kn.finance
    on = ca.pinned.any(axis=-1) | (ca.controls > 0).any(axis=-1) | (fin.expectation_reversion[:, 0] > 0)
    st.portfolio_inflow = np.zeros_like(st.ca)
    if not on.any():
        return fx
    gap = st.policy_rate - st.world_rate[:, None]
    exp_dep = expected_depreciation(np.log(st.e), model.log_e_start, fin.expectation_reversion)
    inflow = portfolio_inflow(gap, exp_dep, st.full_income, ca.controls, fin.portfolio_sensitivity)
    absorbed = policy.absorbed_share(model.regime, model.kn.exchange_rate.managed_share)
    pressure, fx_c = fx_market(
        st.ca, st.desired_lending, inflow, st.fx_plan, model._res_int.sum(axis=-1), ca.controls, absorbed
    )
    on = on[:, None]
    st.portfolio_inflow = np.where(on, inflow, 0.0)
    st.pressure = np.where(on, pressure / st.full_income, st.pressure)
    return np.where(on, fx_c, fx)
