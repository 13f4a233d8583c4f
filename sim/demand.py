"""Demand: absorption planned from full-capacity income, wealth and the interest rate.

Equations (i country; USD bn/yr; r_i = base_i + spread_i the country's borrowing rate, base_i its
policy rate where it sets one (:mod:`sim.capital`), else the world rate r_w):

    habit'    = habit + (1 - exp(-lambda dt)) (full_income - habit)
    base      = (1 - h) full_income + h habit + NII
    C_i(r)    = max(c_i base exp(-eps_c (r_i - r0)), floor c_i base) + omega NFA_i
    I_i(r)    = inv_i full_income (1 + phi_g (g_i - g_world)) exp(-eps_I (r_i - r0))
                + export_credit_i X_i                            (directed credit, rate-insensitive)
    E_i(r)    = C_i + B_i + I_i + G_i + dC_i - FX_plan_i   (reserve purchases are saved)

with B_i household borrowing (+) or repayment (-) (:func:`household_credit`), c_i the
propensity to consume, optionally drifting with relative income (:func:`propensity`), G_i
government purchases and dC_i households' response to taxes and deficits (:mod:`sim.fiscal`).
    NL*_i(r)  = full_income_i + NII_i - E_i(r)             desired net lending

In a sudden stop absorption cannot exceed income plus the credit left below the limit plus
what reserve sales can pay, and falls to no less than ``stop_floor`` of the plan.
The world rate r_w solves sum_i NL*_i(r_w) = 0 (:func:`sim.finance.solve_world_rate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import capital, fdi, finance, fiscal, policy

if TYPE_CHECKING:
    from sim.model import TradeModel

MAX_RATE_NOTES = 10
"""Ticks without a clearing world rate noted one by one; later ones are only counted
(``rate_fallbacks``), so a long run's notes cannot grow without bound."""


@dataclass
class DemandPlan:
    """Everything absorption depends on except the world rate; call it at a rate.

    All arrays (R, N) (members, countries; or (N,) for one world), USD bn/yr unless noted; the
    scalars are per member, (R, 1).
    """

    cons_base: np.ndarray  # c_i * base income
    cons_floor: np.ndarray  # floor share * c_i * base income
    wealth: np.ndarray  # omega * NFA
    inv_base: np.ndarray  # investment at the reference rate
    inv_fixed: np.ndarray  # directed investment credit (export-led), not rate-sensitive
    credit: np.ndarray  # household borrowing (+) or repayment (-)
    spread: np.ndarray  # r_i - r_w: premium minus issuer privilege
    r0: np.ndarray  # reference rate, per year
    eps_c: np.ndarray
    eps_i: np.ndarray
    income: np.ndarray  # full_income + NII
    fx_plan: np.ndarray  # planned official FX purchases (saved)
    ceiling: np.ndarray  # max absorption (inf unless in a sudden stop)
    floor_share: np.ndarray  # min absorption as share of the plan (0 unless stopped)
    gov: np.ndarray | float = 0.0  # government purchases G (sim.fiscal)
    fiscal_cons: np.ndarray | float = 0.0  # households' response to taxes and deficits (sim.fiscal)
    pinned: np.ndarray | None = None  # (R, N) bool: countries whose policy rate sets their base rate
    policy_rate: np.ndarray | None = None  # (R, N) their policy rates (sim.capital)

    def at(self, world_rate: np.ndarray | float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Consumption, investment, absorption and d(absorption)/d(world rate) at a world rate
        ((R,) per member, or a number for one world).
        """
        if self.pinned is None:
            r = np.asarray(world_rate)[..., None] + self.spread - self.r0
        else:  # a country with a policy rate plans at it, whatever the world rate
            r = np.where(self.pinned, self.policy_rate, np.asarray(world_rate)[..., None]) + self.spread - self.r0
        xc = self.cons_base * np.exp(-self.eps_c * r)
        c_free = xc > self.cons_floor
        cons = np.where(c_free, xc, self.cons_floor) + self.wealth + self.credit + self.fiscal_cons
        inv_var = self.inv_base * np.exp(-self.eps_i * r)
        inv = inv_var + self.inv_fixed
        plan = cons + inv + self.gov - self.fx_plan
        d_plan = -self.eps_c * np.where(c_free, xc, 0.0) - self.eps_i * inv_var
        if self.pinned is not None:
            d_plan = np.where(self.pinned, 0.0, d_plan)
        self.last_plan = plan
        low = self.floor_share * plan
        absorption = np.minimum(plan, self.ceiling)
        absorption = np.maximum(absorption, low)
        free = (plan < self.ceiling) & (plan > low)
        d_abs = np.where(free, d_plan, np.where(plan >= self.ceiling, 0.0, self.floor_share * d_plan))
        return cons, inv, absorption, d_abs

    def net_lending(self, world_rate: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """World desired net lending and its derivative in the world rate, per member (R,)."""
        _, _, absorption, d_abs = self.at(world_rate)
        return np.sum(self.income - absorption, axis=-1), -np.sum(d_abs, axis=-1)


def habit_update(habit: np.ndarray, full_income: np.ndarray, speed: float, dt: float) -> np.ndarray:
    """(N,) habit income moved toward full-capacity income."""
    return habit + (1.0 - np.exp(-speed * dt)) * (full_income - habit)


def investment_multiplier(growth: np.ndarray, weights: np.ndarray, response: float | np.ndarray) -> np.ndarray:
    """(R, N) investment relative to its base rate from productivity growth above the world's."""
    g_world = np.sum(growth * weights, axis=-1, keepdims=True) / np.maximum(
        np.sum(weights, axis=-1, keepdims=True), 1e-300
    )
    return np.maximum(0.0, 1.0 + response * (growth - g_world))


def propensity(base: np.ndarray, drift: float | np.ndarray, income: np.ndarray, labor: np.ndarray) -> np.ndarray:
    """(R, N) propensity to consume, moved by ``drift`` (per member) per unit of log income per
    worker relative to the world's (income-weighted); kept within [0.05, 0.99]. A member with no
    drift keeps ``base`` as it is (unclipped).
    """
    drift = np.asarray(drift)
    if not drift.any():
        return base
    per_worker = income / labor
    world = income.sum(axis=-1, keepdims=True) / labor.sum(axis=-1, keepdims=True)
    return np.where(drift != 0.0, np.clip(base + drift * np.log(per_worker / world), 0.05, 0.99), base)


def household_credit(
    debt: np.ndarray, income: np.ndarray, rate: np.ndarray, limit: np.ndarray, deleveraging: np.ndarray
) -> np.ndarray:
    """(N,) planned household borrowing (+) or repayment (-), USD bn/yr.

    Households plan to borrow ``rate`` x income per year while their debt is below ``limit`` x
    income; above it they repay ``deleveraging`` of the excess per year. Borrowing that a sudden
    stop leaves unfinanced does not happen (:func:`realised_credit`). Interest on household
    debt is paid to domestic lenders and nets out nationally.
    """
    excess = debt - limit * income
    borrow = np.where(excess < 0, rate * income, 0.0)
    repay = np.where(excess > 0, deleveraging * excess, 0.0)
    return borrow - repay


def realised_credit(planned: np.ndarray, plan: np.ndarray, absorption: np.ndarray) -> np.ndarray:
    """(N,) household credit that happened: planned borrowing less the absorption a sudden stop
    compressed (repayments are never cut).
    """
    cut = np.maximum(plan - absorption, 0.0)
    return planned - np.minimum(cut, np.maximum(planned, 0.0))


def plan(model: TradeModel) -> None:
    """Every member's interest rates (per year), net investment income, habit income, reserve
    purchases planned, household credit and fiscal flows (USD bn per year), then the world rate
    that clears desired lending (:func:`sim.finance.solve_world_rate`) and consumption,
    investment and absorption at it. A tick where no rate in the member's bounds clears is
    counted in ``model.rate_fallbacks_by_member`` and, for its first :data:`MAX_RATE_NOTES`,
    noted.
    """
    st, kn, ca, dt = model.state, model.kn, model.ca, model.wp.dt
    dm, fin = kn.demand, kn.finance
    trade_w = st.exports + st.imports if st.exports is not None else st.full_income
    privilege = finance.issuer_privilege(ca.settlement, trade_w, fin.issuer_privilege)
    st.official_rate = finance.official_rates(st.world_rate, privilege)
    spread = st.premium.copy()
    spread[..., ca.issuer_index] -= privilege  # issuers are distinct
    st.rate = capital.domestic_rates(st.world_rate, spread, ca.policy_rate, ca.pinned)
    st.nii, model._res_int = finance.net_investment_income(
        st.reserves, st.private, ca.issuer_index, st.official_rate, st.rate
    )
    st.fdi_income = fdi.income(st.fdi, kn.development.fdi_return)
    st.nii = st.nii + st.fdi_income
    st.habit_income = habit_update(st.habit_income, st.full_income, dm.habit_speed, dt)
    base = (1.0 - dm.habit) * st.full_income + dm.habit * st.habit_income + st.nii
    held = st.reserves.sum(axis=-1)
    st.stop_applied = st.stopped.copy()
    away = finance.stop_held(st.stopped, st.stop_age, fin.stop_years)  # lenders stay away
    ceiling, floor_share, funded = finance.stop_limits(
        st.stopped, st.nfa, st.full_income, st.nii, held, fin.sudden_stop_debt, fin.stop_floor, dt, away
    )
    st.fx_plan = policy.reserve_purchases(ca.reserve_target, st.imports, held, ca.reserve_speed, dt)
    if st.stopped.any():
        st.fx_plan = np.where(st.stopped, 0.0, st.fx_plan)
    mult = investment_multiplier(st.growth, st.full_income, dm.investment_growth_response)
    consume = propensity(ca.consume, dm.consumption_drift, st.full_income, st.labor)
    st.household_credit = household_credit(
        st.household_debt,
        st.full_income,
        ca.household_credit,
        ca.household_limit,
        ca.household_deleveraging,
    )
    gov = fiscal.flows(
        ca.gov_spending, ca.gov_tax, st.tax_adjust, st.public_debt, st.rate, st.full_income, dm.ricardian_offset
    )
    st.gov_spending, st.taxes = gov.spending, gov.taxes
    st.public_interest, st.fiscal_balance = gov.interest, gov.balance
    demand_plan = DemandPlan(
        cons_base=consume * base,
        cons_floor=dm.consumption_floor * consume * base,
        wealth=dm.wealth_effect * st.nfa,
        inv_base=ca.invest * st.full_income * mult,
        inv_fixed=ca.export_credit * st.exports + (np.sum(ca.lending * st.sales, axis=-1) if model._lending else 0.0),
        credit=st.household_credit,
        spread=spread,
        r0=fin.interest_rate,
        eps_c=dm.interest_sensitivity,
        eps_i=dm.investment_interest_sensitivity,
        income=st.full_income + st.nii,
        fx_plan=st.fx_plan,
        ceiling=ceiling,
        floor_share=floor_share,
        gov=gov.spending,
        fiscal_cons=gov.consumption,
        pinned=ca.pinned if ca.pinned.any() else None,
        policy_rate=ca.policy_rate,
    )
    tol = 1e-12 * np.sum(st.full_income, axis=-1)
    rate, fallback = finance.solve_world_rate(demand_plan, st.world_rate, fin.rate_bounds, tol, model.alive)
    st.world_rate = rate
    st.rate_fallback = fallback
    if fallback.any():
        for r in np.flatnonzero(fallback & model.alive):
            model.rate_fallbacks_by_member[r] += 1
            if model.rate_fallbacks_by_member[r] <= MAX_RATE_NOTES:
                bounds = model.specs[r].world.finance.rate_bounds
                model.member_notes[r].append(
                    f"tick {model.tick}: no world rate in {bounds} clears lending; used {rate[r]:.4f}"
                )
    st.rate = capital.domestic_rates(rate, spread, ca.policy_rate, ca.pinned)
    st.policy_rate = capital.base_rates(rate, ca.policy_rate, ca.pinned)
    st.official_rate = finance.official_rates(rate, privilege)
    st.consumption, st.investment, st.absorption, _ = demand_plan.at(rate)
    st.household_credit = realised_credit(st.household_credit, demand_plan.last_plan, st.absorption)
    st.desired_lending = demand_plan.income - st.absorption
    # in a sudden stop, absorption beyond income and remaining credit is paid from reserves
    st.fx_plan = st.fx_plan - finance.stop_reserve_sales(st.stopped, st.absorption, funded, held, dt)
