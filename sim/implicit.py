"""A within-tick (semi-implicit) response of prices, wages, exchange rates and workers (issue 19).

In the explicit tick (the default) the four responses of a tick read the previous tick's
conditions: the price factor ``log m``, the wage, a floater's rate and the labour shares of tick
t are last tick's values moved by a step computed from tick t-1's utilisation and FX pressure.
With annual ticks the economy therefore does not respond within the year at all.

This module runs a predictor–corrector on what drives the responses. Each of the four rules
moves a quantity ``X`` by a step ``D`` whose driven part ``B`` comes from the tick's conditions
``C`` (utilisation, utilisation by sector, pressure / income):

    log m   D = g_m (gamma log u - log m)            B = g_m gamma log u      update_price_factor
    log w   D = k_w log u   (+ trend growth)          B = D                    development.develop
    log e   D = gain_e moved (g - g_anchor)           B = D                    policy.update_rates
    alloc   D = g_a (target(alloc, u_s) - alloc)      B = g_a target           labour.reallocate

with ``g_a = 1 - e^{-speed dt}``. The tick runs

    explicit     X_t^e = X_{t-1} + D(X_{t-1}, C_{t-1})          (as before, last tick's conditions)
    predictor    C_t^p = produce, plan demand, trade and the FX market run at X_t^e on a copy of
                         the state (no stocks settled, no events)
    corrector    X_t   = X_t^e + theta (B(C_t^p) - B(C_{t-1}))

so the driver is ``(1 - theta) C_{t-1} + theta C_t^p``: ``theta = 0`` is the explicit tick,
``theta = 1/2`` the trapezoidal rule on the driver (a tick's quantities then follow the tick's
average conditions), ``theta = 1`` backward Euler on the prediction. The own-gap terms (``-g_m
log m``, ``-g_a alloc``) keep their exact per-tick shares ``1 - (1 - k)^dt``: with the drivers
held fixed a gap still closes exactly as before (a Heun step on the whole ``D`` would slow that
decay to ``1 - g + g^2 / 2`` a tick). The real tick then runs at ``X_t``.

With :data:`ITERATIONS` > 1 the predictor is run again at the corrected values, a fixed-point
iteration of ``X_t = X_t^e + theta (B(C_t(X_t)) - B(C_{t-1}))`` (the fully implicit rule).
``B(C_{t-1})`` is recomputed from the state
at the start of the tick (last tick's utilisation, pressure, prices, capacity and the labour
shares it traded with), so nothing new is stored; crawls, realignments, stop depreciations and
undervaluation stay explicit. Set :data:`THETA` (module level) to switch; 0 leaves every result
bit for bit as it was. Each predictor pass costs a produce, plan-demand and trade stage.
A scenario chooses with ``simulation.responses``: ``"next_tick"`` (explicit, the default) or
``"within_tick"`` (the trapezoidal rule, one pass).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from sim import capital, development, labour, policy, production

if TYPE_CHECKING:
    from sim.model import TradeModel
    from sim.schema import Scenario

THETA = 0.0
"""Weight of the tick's own (predicted) conditions in the responses of runs with
``simulation.responses = "next_tick"``: 0, the explicit tick. Other values are for measuring
schemes only (``tests/implicit_timescale.py``: 0.5 trapezoidal, 1 backward Euler)."""

WITHIN_TICK = 0.5
"""The weight ``simulation.responses = "within_tick"`` uses: the trapezoidal rule."""


def theta(spec: Scenario) -> float:
    """The weight of the tick's own conditions in a run's responses (0 to 1): the trapezoidal
    rule's 0.5 when the scenario asks for responses within the tick, else :data:`THETA`.
    """
    return WITHIN_TICK if spec.simulation.responses == "within_tick" else THETA


ITERATIONS = 1
"""Predictor passes per tick: 1 is the predictor-corrector; more iterate toward the fully
implicit rule (each pass costs a produce, plan-demand and trade)."""


def _wage_step(model: TradeModel, eta: np.ndarray, util: np.ndarray) -> np.ndarray:
    """(R, N) the wage's response step, log units: ``k_w log u``."""
    return development.wage_step(model.wp.theta, eta, util, model.wp.dt)


def _rate_step(model: TradeModel, eta: np.ndarray, st, pressure: np.ndarray) -> np.ndarray:
    """(R, N) the exchange rate's response step, log units (the policy stage's rule at zero)."""
    gain = policy.pressure_gain(model, eta, st)
    zero = np.zeros_like(pressure)
    return policy.update_rates(zero, model.regime, pressure, gain, model.kn.exchange_rate.managed_share, model.anchor)


def _alloc_pull(model: TradeModel, alloc: np.ndarray, util_sector: np.ndarray) -> np.ndarray:
    """(R, N, S1) ``(1 - e^{-speed dt}) target(alloc, u_s)``: the part of the labour shares'
    step that the sectors' utilisation drives (the step is this less ``(1 - e^{-speed dt}) alloc``).
    """
    gain = (1.0 - np.exp(-model.wp.reallocation * model.wp.dt))[..., None]
    return labour.reallocate(alloc, util_sector, model.wp.reallocation, model.wp.dt) - (1.0 - gain) * alloc


def predict(model: TradeModel) -> SimpleNamespace:
    """Run the tick's produce, plan-demand, trade and FX-market stages at the explicit values on
    a copy of the state; return the predicted conditions and the price factor's gain at them.
    The model's state, notes and fallback counts are left as they were.
    """
    saved_state, saved_eta = model.state, getattr(model, "_eta", None)
    saved_traded = getattr(model, "_alloc_traded", None)
    notes = [len(n) for n in model.member_notes]
    fallbacks = model.rate_fallbacks_by_member.copy()
    model.state = saved_state.copy()
    try:
        model._produce()
        model._plan_demand()
        model._trade()
        st = model.state
        st.ca = st.exports - st.imports + st.nii  # accounts.current_accounts without its checks
        capital.fx_market_step(model)  # the pressure, on the copy
        out = SimpleNamespace(state=st, eta=model._eta)
        out.gain_m = production.price_gain(model.wp.rho, model.wp.gamma, model._eta, model.wp.dt)
    finally:
        model.state, model._eta, model._alloc_traded = saved_state, saved_eta, saved_traded
        for r, k in enumerate(notes):
            del model.member_notes[r][k:]
        model.rate_fallbacks_by_member[:] = fallbacks
    return out


def correct(model: TradeModel, theta: float, iterations: int | None = None) -> np.ndarray:
    """Predict the tick (:func:`predict`) and move the wage, exchange rate and labour shares of
    ``model.state`` by ``theta`` times the change of their driven step (see the module doc);
    return the price factor's correction (R, N), which the produce stage adds after its own
    explicit step. With ``iterations`` > 1 the prediction is repeated at the corrected values (a
    fixed-point iteration toward the fully implicit rule; :data:`ITERATIONS` when None).
    """
    st = model.state
    iterations = ITERATIONS if iterations is None else iterations
    traded = getattr(model, "_alloc_traded", None)  # the shares last tick traded with
    wage_e, e_e, alloc_e = st.wage, st.e, st.alloc  # the explicit values
    log_u_prev = np.log(np.maximum(st.util, 1e-12))
    # last tick's driven steps, at last tick's eta, prices, capacity, income and shares
    eta_prev = getattr(model, "_eta", None)
    d_w_prev = d_e_prev = 0.0
    if eta_prev is not None:
        d_w_prev = _wage_step(model, eta_prev, st.util)
        if st.pressure is not None:
            d_e_prev = _rate_step(model, eta_prev, st, st.pressure)
    pull_prev = _alloc_pull(model, traded if traded is not None else st.alloc, st.util_sector)
    corr_m = None
    for _ in range(iterations):
        model._log_m_correction = corr_m
        p = predict(model)
        ps = p.state
        d_m = p.gain_m * model.wp.gamma * (np.log(np.maximum(ps.util, 1e-12)) - log_u_prev)
        d_w = _wage_step(model, p.eta, ps.util) - d_w_prev
        d_e = _rate_step(model, p.eta, ps, ps.pressure) - d_e_prev
        d_a = _alloc_pull(model, st.alloc, ps.util_sector) - pull_prev
        st.wage = wage_e * np.exp(theta * d_w)
        st.e = e_e * np.exp(theta * d_e)
        st.alloc = alloc_e + theta * d_a
        corr_m = theta * d_m
    model._log_m_correction = None
    return corr_m
