"""Policy: official FX intervention and exchange-rate rules.

Pressure on a currency is the part of the current account that neither the private sector's
desired lending nor planned official purchases take up:

    pressure_i = CA_i - NL*_i          (NL* already includes planned FX purchases)

which, since CA - NL* = GDP - full_income, is the value of demand beyond the country's
capacity. Regimes:

- ``float``:   log e' = log e + k_e * pressure / full_income; no intervention beyond the plan.
- ``managed``: the central bank absorbs ``managed_share`` of the pressure with FX purchases or
  sales and the rate moves with the rest.
- ``peg``:     the central bank absorbs all of it; the rate stays put while reserves last
  (a peg whose reserves run out floats from then on).

Planned purchases (:func:`reserve_purchases`) come on top: a precautionary reserve target,
financed by national saving. A managed or pegged country may hold its currency a share
``undervaluation`` below (negative: above) its balanced-start rate (:func:`undervaluation_step`)
and let its target crawl by ``crawl`` a year (:func:`crawl_step`).

The first reserve issuer's currency is the unit of account: its own pressure moves every
floating currency against it (its rate stays 1), while managed and pegged currencies, held
against it, keep their rate.
``k_e = per_tick(0.5 (1 - exp(-adjustment)), dt) / (eta_i * gross output / full income)`` with
eta_i the bound on the elasticity of utilisation to own prices keeps the loop gain of the rate
below 0.5 for every sigma (see ``docs/model.md``, stability), and the same per year whatever the
tick (:mod:`sim.timing`).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from sim import finance, fiscal
from sim.timing import per_tick

if TYPE_CHECKING:
    from sim.model import TradeModel
    from sim.state import State

FLOAT, MANAGED, PEG = 0, 1, 2


def reserve_purchases(
    target_months: np.ndarray, imports: np.ndarray, held: np.ndarray, speed: np.ndarray, dt: float
) -> np.ndarray:
    """(N,) planned FX purchases toward a precautionary reserve target, USD bn/yr.

    While reserves are below ``target_months`` of imports the central bank closes
    ``1 - exp(-speed dt)`` of the gap per tick; above it, it plans none (the surplus the
    purchases financed fades once the target is reached). The purchases are financed by national
    saving (sterilised), so they raise the country's desired net lending.
    """
    gap = np.maximum(target_months / 12.0 * imports - held, 0.0)
    return gap * (1.0 - np.exp(-speed * dt)) / dt


def absorbed_share(regime: np.ndarray, managed_share: float | np.ndarray) -> np.ndarray:
    """(N,) share of the pressure the central bank absorbs: float 0, managed ``managed_share``, peg 1."""
    return np.where(regime == PEG, 1.0, np.where(regime == MANAGED, managed_share, 0.0))


def intervention(regime: np.ndarray, pressure: np.ndarray, fx_plan: np.ndarray, managed_share: float) -> np.ndarray:
    """(N,) official FX purchases (negative = sales), USD bn/yr, before the reserve limit."""
    return fx_plan + absorbed_share(regime, managed_share) * pressure


def limit_sales(fx: np.ndarray, reserves_total: np.ndarray, reserve_interest: np.ndarray, dt: float) -> np.ndarray:
    """(N,) FX purchases clipped so reserves never go negative."""
    return np.maximum(fx, -(reserves_total / dt + reserve_interest))


def rate_gain(adjustment: float, eta: np.ndarray, gross_to_income: np.ndarray, dt: float) -> np.ndarray:
    """(N,) per-tick gain of a floater's log rate per unit of relative pressure.

    The loop gain (the share of the pressure one year's move closes, at most 0.5) is
    ``0.5 (1 - exp(-adjustment))`` per year, spread over the ticks of a year
    (:func:`sim.timing.per_tick`), then divided by the bound on the pressure's response.
    """
    return per_tick(0.5 * -np.expm1(-adjustment), dt) / (eta * gross_to_income)


def pressure_gain(model: TradeModel, eta: np.ndarray, st) -> np.ndarray:
    """(R, N) :func:`rate_gain` at state ``st``: gross output at capacity over full income."""
    gross = np.sum(st.price * st.capacity, axis=-1) / st.full_income
    return rate_gain(model.wp.adjustment, eta, gross, model.wp.dt)


def update_rates(
    log_e: np.ndarray,
    regime: np.ndarray,
    rel_pressure: np.ndarray,
    gain: np.ndarray,
    managed_share: float,
    anchor: int,
) -> np.ndarray:
    """(N,) next tick's log exchange rates (USD per local unit).

    Args:
        log_e: (N,) current log rates.
        regime: (N,) FLOAT, MANAGED or PEG.
        rel_pressure: (N,) pressure / full income.
        gain: per-tick gain (see :func:`rate_gain`).
        managed_share: share of pressure a managed regime absorbs.
        anchor: index of the unit-of-account issuer.
    """
    moved = np.where(regime == FLOAT, 1.0, np.where(regime == MANAGED, 1.0 - managed_share, 0.0))
    d = gain * moved * rel_pressure
    dollar = d[..., anchor : anchor + 1]
    d = d - np.where(regime == FLOAT, dollar, 0.0)
    d[..., anchor] = 0.0
    return log_e + d


def undervaluation_step(
    log_e: np.ndarray, regime: np.ndarray, applied: np.ndarray, wanted: np.ndarray, log_e0: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Anchor managed and pegged rates whose defended undervaluation changed.

    A managed or pegged currency whose wanted undervaluation differs from the one applied is
    moved to ``e0 (1 - wanted)``: the balanced-start rate ``e0`` against the unit of account,
    less the undervaluation (negative values overvalue). Floaters apply none and keep their rate.

    Returns:
        the new log rates and the undervaluation now applied (floaters: none).
    """
    target = np.where(regime == FLOAT, 0.0, wanted)
    move = (regime != FLOAT) & (target != applied)
    return np.where(move, log_e0 + np.log1p(-target), log_e), target


def crawl_step(log_e: np.ndarray, regime: np.ndarray, crawl: np.ndarray, dt: float, anchor: int) -> np.ndarray:
    """(N,) log rates with managed and pegged targets moved along their crawl (growth per year)."""
    step = np.where(regime != FLOAT, np.log1p(crawl) * dt, 0.0)
    step[..., anchor] = 0.0
    return log_e + step


def retaliation_tariffs(
    history: list[np.ndarray],
    lag: np.ndarray,
    retaliates: np.ndarray,
    match: np.ndarray,
    escalation: np.ndarray,
    cap: np.ndarray,
) -> np.ndarray:
    """(R, N, N) retaliatory tariffs, [m, o, d] levied by d on o in member m.

    Country j answers the (sector-average) tariff that partner k levied on it ``lag_j`` ticks
    ago with ``min(cap_j, match_j x that tariff + escalation_j)`` (the escalation only where k
    levies a tariff at all). Countries without a retaliation rule levy none.

    Args:
        history: (R, N, N) sector-average tariffs in force per member, [m, o, d] levied by d on
            o, one per tick (latest last).
        lag: (R, N) each country's lag in ticks.
        retaliates: (R, N) bool.
        match: (R, N) tariff per unit of the tariff levied on the country.
        escalation: (R, N) extra tariff on top of the match.
        cap: (R, N) largest retaliatory tariff.
    """
    r, n = retaliates.shape
    idx = np.maximum(len(history) - 1 - lag, 0)
    stack = np.stack(history)  # (T, R, N, N)
    # levied on j by k, lag_j ago: stack[idx[m, j], m, j, k] for member m
    members = np.arange(r)[:, None, None]
    on_me = stack[idx[:, :, None], members, np.arange(n)[None, :, None], np.arange(n)[None, None, :]]
    answer = np.where(on_me > 1e-12, np.minimum(cap[..., None], match[..., None] * on_me + escalation[..., None]), 0.0)
    answer = np.where(retaliates[..., None], answer, 0.0)
    diag = np.arange(n)
    answer[:, diag, diag] = 0.0
    return answer.swapaxes(-1, -2)  # [m, k, j]: levied by j on k


def state_lending_step(
    lending: np.ndarray,
    sales: np.ndarray,
    costs: np.ndarray,
    extra: np.ndarray,
    debt: np.ndarray,
    loss_years: np.ndarray,
    pol,
    dt: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One tick of state-bank lending to sectors: capacity built, firm debt, defaults.

    Credit ``lending x sales`` builds capital that deepens capital per worker (output per worker
    rises by ``lending_capacity_effect x lending`` of the base per year, depreciating), so it
    lowers the sector's unit labor cost and raises its capacity, and adds to firms' debt; firms repay
    ``firm_repayment`` of their debt per year out of profits (sales - costs) when they have any.
    A sector that has made losses for ``default_loss_years`` in a row defaults: its debt is
    written off (a domestic loss of the state banks) and half the capacity built on credit is
    scrapped.

    Args:
        lending: (N, S1) credit / sales per year.
        sales: (N, S1) sales, USD bn/yr.
        costs: (N, S1) the sector's wage bill (its workers are paid whether or not what they can
            make is sold), its input purchases and the capital charge (interest plus depreciation)
            on the capital its state-bank debt financed, USD bn/yr.
        extra: (N, S1) capacity built with credit, share of base capacity.
        debt: (N, S1) firms' state-bank debt, USD bn.
        loss_years: (N, S1) years in a row with losses.
        pol: ``world.policy`` (or its per-member values, each broadcasting against (R, N, S1)).
        dt: tick length, years.

    Returns:
        extra capacity (N, S1), firm debt (N, S1), loss streak (N, S1), write-offs (N,) USD bn.
    """
    credit = lending * sales
    profit = sales - costs
    repay = np.minimum(pol.firm_repayment * debt, np.maximum(profit, 0.0))
    debt = np.maximum(debt + dt * (credit - repay), 0.0)
    extra = extra + dt * (pol.lending_capacity_effect * lending - pol.capacity_depreciation * extra)
    losing = (profit < 0) & (debt > 0)
    loss_years = np.where(losing, loss_years + dt, 0.0)
    default = loss_years >= pol.default_loss_years - 1e-9
    writeoff = np.where(default, debt, 0.0).sum(axis=-1)
    debt = np.where(default, 0.0, debt)
    extra = np.where(default, 0.5 * extra, extra)
    loss_years = np.where(default, 0.0, loss_years)
    return extra, debt, loss_years, writeoff


def apply_undervaluation(
    st: State,
    regime: np.ndarray,
    wanted: np.ndarray,
    log_e_start: np.ndarray,
    anchor: int,
    members: np.ndarray,
) -> None:
    """Set ``st.e`` and ``st.undervaluation`` (R, N) of the members flagged in ``members`` (R,)
    by :func:`undervaluation_step`, the unit-of-account issuer's rate (USD per unit) kept at 1.
    """
    log_e, applied = undervaluation_step(np.log(st.e), regime, st.undervaluation, wanted, log_e_start)
    log_e[..., anchor] = 0.0
    if members.all():
        st.e, st.undervaluation = np.exp(log_e), applied
    else:
        st.e = np.where(members[:, None], np.exp(log_e), st.e)
        st.undervaluation = np.where(members[:, None], applied, st.undervaluation)


def state_lending(model: TradeModel) -> None:
    """State lending of every member of ``model`` that lends or carries firm debt
    (:func:`state_lending_step`): extra capacity, firm debt (USD bn), loss years and the
    tick's write-offs (USD bn per year, zero elsewhere).
    """
    st, kn = model.state, model.kn
    dt = model.wp.dt
    st.firm_writeoff = np.zeros((model.R, model.n))
    lends = model._lending_by_member | st.firm_debt.reshape(model.R, -1).any(axis=1)
    if lends.any():
        pol = SimpleNamespace(**{k: v[..., None] for k, v in vars(kn.policy).items()})
        # costs of the tick just traded: wages of the sector's workers and its inputs
        # (and interest on their state-bank debt, paid to domestic banks)
        costs = (
            model._wage_usd[..., None] * model._alloc_traded * model._labor_traded[..., None]
            + st.input_cost * st.output
            + (st.rate[..., None] + pol.capacity_depreciation) * st.firm_debt
        )
        extra, debt, years, writeoff = state_lending_step(
            model.ca.lending, st.sales, costs, st.extra_capacity, st.firm_debt, st.loss_years, pol, dt
        )
        on = lends[:, None, None]
        st.extra_capacity = np.where(on, extra, st.extra_capacity)
        st.firm_debt = np.where(on, debt, st.firm_debt)
        st.loss_years = np.where(on, years, st.loss_years)
        st.firm_writeoff = np.where(lends[:, None], writeoff, 0.0)


def break_pegs(model: TradeModel, wanted: np.ndarray) -> None:
    """Managed and pegged currencies of every member whose reserves could not pay for the sales
    ``wanted`` (R, N, USD bn per year) float from now on; a realignment under way stops. Noted
    per member.
    """
    st = model.state
    # a peg breaks when the sales it cannot pay for exceed 0.5% of income, not on a rounding
    broke = (st.fx > wanted + 0.005 * st.full_income) & (model.regime != FLOAT)
    if broke.any():
        realigning = model._realign_end > model.tick
        for r, i in zip(*np.nonzero(broke & model.alive[:, None]), strict=True):
            model.member_notes[r].append(
                f"tick {model.tick}: {model.names[i]} ran out of reserves"
                + (" during its realignment; the realignment stops and " if realigning[r, i] else "; ")
                + "its currency floats from now on"
            )
        model._realign_end = np.where(broke & realigning, model.tick, model._realign_end)
        pegs = broke & (model.base_regime != FLOAT)
        model.base_regime = np.where(pegs, FLOAT, model.base_regime)
        model.regime = np.where(broke, FLOAT, model.regime)
        model._broken |= pegs


def set_policy(model: TradeModel) -> None:
    """Every member's exchange rates for the next tick (USD per unit: pressure and
    intervention, :func:`update_rates`; crawls, :func:`crawl_step`; realignments under way;
    the fall of a floating currency entering a sudden stop), risk premia (per year), sudden
    stops (:func:`sim.finance.stop_step`), and the household, public debt (USD bn) and tax
    rule stocks (:mod:`sim.fiscal`). Last tick's tariffs are kept for full-capacity income.
    """
    st, fin, fxp, dt = model.state, model.kn.finance, model.kn.exchange_rate, model.wp.dt
    gain = pressure_gain(model, model._eta, st)
    log_e = update_rates(np.log(st.e), model.regime, st.pressure, gain, fxp.managed_share, model.anchor)
    if model.ca.crawl.any():
        log_e = crawl_step(
            log_e, np.where(model._realign_end > model.tick, 0, model.regime), model.ca.crawl, model.wp.dt, model.anchor
        )
    if (model._realign_end > model.tick).any():
        log_e = log_e + np.where(model._realign_end > model.tick, model._realign_drift * model.wp.dt, 0.0)
    st.premium = finance.premium(st.nfa, st.full_income, fin.premium_threshold, fin.premium_slope, fin.premium_cap)
    debt = finance.debt_to_income(st.nfa, st.full_income)
    stopped, st.stop_age = finance.stop_step(debt, fin.sudden_stop_debt, st.stopped, st.stop_age, fin.stop_years, dt)
    entering = stopped & ~st.stopped & (model.regime == FLOAT)
    entering[..., model.anchor] = False
    log_e = log_e + np.where(entering, np.log1p(-fin.stop_depreciation), 0.0)
    st.stopped = stopped
    st.e = np.exp(log_e)
    st.tariff_prev = st.tariff
    st.household_debt = np.maximum(st.household_debt + dt * st.household_credit, 0.0)
    st.public_debt = fiscal.debt_step(st.public_debt, st.fiscal_balance, dt)
    st.tax_adjust = fiscal.rule_step(
        st.tax_adjust, st.fiscal_balance, st.full_income, model.ca.gov_target, model.ca.gov_speed, dt
    )


def retaliate(model: TradeModel) -> None:
    """Match the tariffs partners levy on each retaliating country, after its lag
    (:func:`retaliation_tariffs`): the tick's mean tariffs join ``model._tariff_history``
    (as many ticks as the longest lag), and members whose retaliation moved get new trade factors.
    """
    st, ca = model.state, model.ca
    history = getattr(model, "_tariff_history", None)
    if history is None:
        history = model._tariff_history = []
    history.append(model._tariff_avg.copy())
    lag = np.round(ca.ret_lag_years / model.wp.dt).astype(int)
    new = retaliation_tariffs(history, lag, ca.retaliates, ca.ret_match, ca.ret_escalation, ca.ret_cap)
    keep = max(int(lag.max()) + 1, 1)
    del history[:-keep]
    moved = np.flatnonzero((new != st.retaliation).reshape(model.R, -1).any(axis=1))
    if moved.size:
        st.retaliation = new
        model._refresh_factors(moved)
