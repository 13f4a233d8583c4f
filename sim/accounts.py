"""Accounts: settlement of the tick's flows into stocks, and the identities checked every tick.

Each side of an identity is computed along its own path, so the check can fail:

- world exports (producers' sales abroad, a contraction over destinations) equal world imports
  (buyers' purchases abroad net of tariffs, a contraction over origins);
- for each country, ``X - M = GDP - spent`` with ``GDP = value added + tariff revenue``
  (value added = sales - input purchases), so ``CA = X - M + NII = GDP + NII - absorption``;
- current accounts and net investment income sum to zero;
- stocks change by exactly their flows: reserves by purchases plus reinvested interest, an
  issuer's official liabilities by the reserves placed on it, private claims by the rest of the
  current account, net foreign assets by the current account (and write-downs); and net
  foreign assets equal reserves - official liabilities + private claims for every country.

A violation beyond float tolerance raises :class:`sim.errors.SimulationError` naming the tick,
the country and the quantity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import capital, fdi, finance
from sim.errors import SimulationError

if TYPE_CHECKING:
    from sim.model import TradeModel
    from sim.state import State

TOL = 1e-9


def settle_stocks(
    reserves: np.ndarray,
    liabilities: np.ndarray,
    private: np.ndarray,
    nfa: np.ndarray,
    ca: np.ndarray,
    fx: np.ndarray,
    reserve_interest: np.ndarray,
    settlement: np.ndarray,
    issuer_index: np.ndarray,
    writedown: np.ndarray,
    dt: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Next tick's stocks (reserves (R, N, K), liabilities, private claims, NFA (R, N)), USD bn.

    Purchases are placed by settlement shares; sales come out of each issuer's holding, this
    tick's interest on it included, in proportion. So sales up to the limit of
    :func:`sim.policy.limit_sales` (all holdings with their interest) leave no holding negative
    however the issuers' rates differ (mixing by holdings alone, a sale of everything left a
    negative holding on the issuer paying less). A holding below zero by round-off is set to
    zero, and the issuer's liabilities and the private claims move by the change actually made.
    """
    avail = np.maximum(reserves + dt * reserve_interest, 0.0)
    total = avail.sum(axis=-1, keepdims=True)
    mix = np.where(
        fx[..., None] >= 0, settlement, np.where(total > 0, avail / np.where(total > 0, total, 1.0), settlement)
    )
    d_res = dt * (fx[..., None] * mix + reserve_interest)
    new_res = reserves + d_res
    short = new_res < 0.0
    if short.any():
        new_res = np.where(short, 0.0, new_res)
        d_res = np.where(short, -reserves, d_res)
    d_liab = np.zeros_like(liabilities)
    d_liab[..., issuer_index] += d_res.sum(axis=-2)  # issuers are distinct
    new_liab = liabilities + d_liab
    new_priv = private + dt * ca - d_res.sum(axis=-1) + d_liab + writedown
    new_nfa = nfa + dt * ca + writedown
    return new_res, new_liab, new_priv, new_nfa


def _raise_first(tick: int, names: list[str], quantity: str, arr: np.ndarray, bad: np.ndarray, why: str) -> None:
    """Raise SimulationError for the first bad cell, naming its country (by row) and quantity."""
    cell = tuple(int(k) for k in np.argwhere(bad)[0]) if arr.ndim else ()
    who = names[cell[0]] if arr.ndim and arr.shape[0] == len(names) else "world"
    raise SimulationError(tick, who, quantity, f"is {float(arr[cell]):.6g}{why}")


def check_finite(tick: int, names: list[str], **arrays: np.ndarray) -> None:
    """Raise if any quantity is NaN or infinite, naming the first country and quantity."""
    for quantity, arr in arrays.items():
        arr = np.asarray(arr, dtype=float)
        bad = ~np.isfinite(arr)
        if bad.any():
            _raise_first(tick, names, quantity, arr, bad, " (not finite)")


def check_positive(tick: int, names: list[str], **arrays: np.ndarray) -> None:
    """Raise if any quantity is NaN, infinite or not positive, naming the first country (by row)
    and the quantity: prices, exchange rates and full-capacity income must stay positive, or the
    economics has broken down (e.g. input costs above sales prices after a jump in technology).
    """
    for quantity, arr in arrays.items():
        arr = np.asarray(arr, dtype=float)
        bad = ~(np.isfinite(arr) & (arr > 0))
        if bad.any():
            _raise_first(
                tick, names, quantity, arr, bad, "; it must stay positive and finite (the economics broke down)"
            )


def check_flows(
    tick: int,
    names: list[str],
    exports: np.ndarray,
    imports: np.ndarray,
    gdp: np.ndarray,
    spent: np.ndarray,
    nii: np.ndarray,
    ca: np.ndarray,
) -> None:
    """Trade and current-account identities of one tick (flows); GDP must be positive."""
    check_positive(tick, names, gdp=gdp)
    world = float(np.sum(gdp)) + float(np.sum(exports))
    gap = float(np.sum(exports) - np.sum(imports))
    if abs(gap) > TOL * world:
        raise SimulationError(tick, "world", "exports", f"world exports differ from world imports by {gap:.6g}")
    resid = (exports - imports) - (gdp - spent)
    scale = gdp + exports + imports + 1e-12 * world
    _check_residual(tick, names, resid, scale, "trade_balance", "exports - imports differs from GDP - absorption")
    if abs(float(nii.sum())) > TOL * world:
        raise SimulationError(tick, "world", "net_investment_income", f"sums to {nii.sum():.6g}, not zero")
    if abs(float(ca.sum())) > TOL * world:
        raise SimulationError(tick, "world", "current_account", f"sums to {ca.sum():.6g}, not zero")


def check_stocks(
    tick: int,
    names: list[str],
    nfa: np.ndarray,
    reserves: np.ndarray,
    liabilities: np.ndarray,
    private: np.ndarray,
    gdp: np.ndarray,
    peak: np.ndarray | None = None,
    fdi: np.ndarray | None = None,
) -> np.ndarray:
    """Balance-sheet identities after settlement (stocks).

    ``fdi`` is each country's net FDI position (FDI assets - liabilities, :mod:`sim.fdi`),
    part of net foreign assets and summing to zero over the world; None for none.

    Stocks carry their rounding residuals from tick to tick, so a residual is judged against the
    largest scale the run has seen (``peak``, each country's largest gross stocks + GDP so far),
    not today's: in a shrinking world a residual carried from when the world was large would
    otherwise fail a check scaled to the world it has become.

    Returns:
        (N,) the updated peak scale, to pass back next tick.
    """
    held = reserves.sum(axis=1)
    fdi = np.zeros_like(nfa) if fdi is None else fdi
    gross = np.abs(nfa) + held + liabilities + np.abs(private)
    now = gross + gdp
    peak = now if peak is None else np.maximum(peak, now)
    world = float(peak.sum())
    resid = nfa - (held - liabilities + private + fdi)
    scale = peak + 1e-12 * world
    _check_residual(
        tick,
        names,
        resid,
        scale,
        "net_foreign_assets",
        "differs from reserves - official liabilities + private claims + net FDI",
    )
    totals = (("net_foreign_assets", nfa.sum()), ("private_claims", private.sum()), ("net_fdi", fdi.sum()))
    for quantity, total in totals:
        if abs(float(total)) > TOL * world:
            raise SimulationError(tick, "world", quantity, f"sum to {total:.6g}, not zero")
    return peak


def suspect_flows(
    exports: np.ndarray, imports: np.ndarray, gdp: np.ndarray, spent: np.ndarray, nii: np.ndarray, ca: np.ndarray
) -> np.ndarray:
    """(R,) bool: the members that :func:`check_flows` may reject (a superset, checked at half its
    tolerance); each is then checked on its own, so the error is the one its single run raises.
    """
    bad = ~(np.isfinite(gdp) & (gdp > 0)).all(axis=-1)
    world = np.sum(gdp, axis=-1) + np.sum(exports, axis=-1)
    loose = 0.5 * TOL * world
    bad |= np.abs(np.sum(exports, axis=-1) - np.sum(imports, axis=-1)) > loose
    resid = (exports - imports) - (gdp - spent)
    scale = gdp + exports + imports + 1e-12 * world[..., None]
    bad |= (np.abs(resid) > 0.5 * TOL * scale).any(axis=-1)
    bad |= np.abs(nii.sum(axis=-1)) > loose
    bad |= np.abs(ca.sum(axis=-1)) > loose
    return bad


def suspect_stocks(
    nfa: np.ndarray,
    reserves: np.ndarray,
    liabilities: np.ndarray,
    private: np.ndarray,
    peak: np.ndarray,
    fdi: np.ndarray | None = None,
) -> np.ndarray:
    """(R,) bool: the members that :func:`check_stocks` may reject (a superset, as in
    :func:`suspect_flows`), with ``peak`` the scale it judges by (updated with this tick's stocks).
    """
    held = reserves.sum(axis=-1)
    world = peak.sum(axis=-1)
    fdi = np.zeros_like(nfa) if fdi is None else fdi
    resid = nfa - (held - liabilities + private + fdi)
    scale = peak + 1e-12 * world[..., None]
    bad = (np.abs(resid) > 0.5 * TOL * scale).any(axis=-1)
    loose = 0.5 * TOL * world
    bad |= np.abs(nfa.sum(axis=-1)) > loose
    bad |= np.abs(private.sum(axis=-1)) > loose
    bad |= np.abs(fdi.sum(axis=-1)) > loose
    return bad


def suspect_positive(*arrays: np.ndarray) -> np.ndarray:
    """(R,) bool: members with a value that is NaN, infinite or not positive in any of the arrays."""
    bad = None
    for arr in arrays:
        b = ~(np.isfinite(arr) & (arr > 0)).reshape(arr.shape[0], -1).all(axis=1)
        bad = b if bad is None else bad | b
    return bad


def suspect_finite(*arrays: np.ndarray) -> np.ndarray:
    """(R,) bool: members with a NaN or infinite value in any of the arrays."""
    bad = None
    for arr in arrays:
        b = ~np.isfinite(arr).reshape(arr.shape[0], -1).all(axis=1)
        bad = b if bad is None else bad | b
    return bad


def check_valuation(
    tick: int,
    names: list[str],
    valuation: np.ndarray,
    assets: np.ndarray,
    gross_liabilities: np.ndarray,
    private: np.ndarray,
    peak: np.ndarray,
) -> None:
    """Identities of a revaluation (:mod:`sim.valuation`): valuation changes sum to zero over
    the world (every asset is someone's liability in the same currency), and each country's
    gross private assets less its gross private liabilities equal its net private claims.
    Judged against ``peak`` (N,), the largest stocks + GDP seen, as in :func:`check_stocks`.
    """
    check_finite(tick, names, valuation=valuation)
    world = float(peak.sum())
    total = float(valuation.sum())
    if abs(total) > TOL * world:
        raise SimulationError(tick, "world", "valuation", f"changes sum to {total:.6g}, not zero")
    resid = assets - gross_liabilities - private
    scale = peak + assets + 1e-12 * world
    _check_residual(
        tick,
        names,
        resid,
        scale,
        "gross_private_assets",
        "less gross private liabilities differs from net private claims",
    )


def suspect_valuation(
    valuation: np.ndarray, assets: np.ndarray, gross_liabilities: np.ndarray, private: np.ndarray, peak: np.ndarray
) -> np.ndarray:
    """(R,) bool: the members that :func:`check_valuation` may reject (a superset, as in
    :func:`suspect_flows`).
    """
    world = peak.sum(axis=-1)
    bad = np.abs(valuation.sum(axis=-1)) > 0.5 * TOL * world
    scale = peak + assets + 1e-12 * world[..., None]
    bad |= (np.abs(assets - gross_liabilities - private) > 0.5 * TOL * scale).any(axis=-1)
    return bad | ~np.isfinite(valuation).all(axis=-1)


def _check_residual(
    tick: int, names: list[str], resid: np.ndarray, scale: np.ndarray, quantity: str, what: str
) -> None:
    """Raise for the country whose residual is largest relative to its scale, if it exceeds TOL of it."""
    worst = int(np.argmax(np.abs(resid) / scale))
    if abs(resid[worst]) > TOL * scale[worst]:
        raise SimulationError(tick, names[worst], quantity, f"{what} by {resid[worst]:.6g}")


def current_accounts(model: TradeModel) -> None:
    """Set every member's current account ``st.ca`` (USD bn per year) and check absorption and
    the flow identities (:func:`check_flows`); a member that fails them is failed.
    """
    st = model.state
    st.ca = st.exports - st.imports + st.nii
    tick, names = model.tick, model.names
    model._guard(  # GDP: check_flows
        suspect_finite(st.absorption),
        lambda r: check_finite(tick, names, absorption=st.absorption[r]),
    )
    model._guard(
        suspect_flows(st.exports, st.imports, st.gdp, st.spent, st.nii, st.ca),
        lambda r: check_flows(tick, names, st.exports[r], st.imports[r], st.gdp[r], st.spent[r], st.nii[r], st.ca[r]),
    )


def settle(model: TradeModel) -> None:
    """Write-downs (:func:`sim.finance.writedowns`), then the tick's flows settled into every
    member's stocks (:func:`settle_stocks`, USD bn), the private inflow, and the stock
    identities judged against the largest stocks + GDP each member has seen
    (``model._stock_scale``, :func:`check_stocks`).
    """
    st, ca, fin, dt = model.state, model.ca, model.kn.finance, model.wp.dt
    tick, names = model.tick, model.names
    st.writedown = finance.writedowns(st.nfa, st.private, st.full_income, fin.default_debt, fin.writedown)
    private_before = st.private
    st.reserves, st.liabilities, st.private, st.nfa = settle_stocks(
        st.reserves,
        st.liabilities,
        st.private,
        st.nfa,
        st.ca,
        st.fx,
        model._res_int,
        ca.settlement,
        ca.issuer_index,
        st.writedown,
        dt,
    )
    st.private_inflow = capital.private_inflow(private_before, st.private, st.writedown, dt)
    # stocks carry their rounding residuals: each member's residual is judged against the
    # largest stocks + GDP it has seen (check_stocks)
    prev = model._stock_scale
    now = np.abs(st.nfa) + st.reserves.sum(axis=-1) + st.liabilities + np.abs(st.private) + st.gdp
    model._stock_scale = now if prev is None else np.maximum(prev, now)
    net_fdi = fdi.net_position(st.fdi)
    model._guard(
        suspect_stocks(st.nfa, st.reserves, st.liabilities, st.private, model._stock_scale, net_fdi),
        lambda r: check_stock_row(st, r, tick, names, prev, net_fdi),
    )


def check_revalued(model: TradeModel) -> None:
    """Check every member's valuation changes (:func:`check_valuation`) and stock identities
    after revaluation, judged against the largest stocks + GDP it has seen.
    """
    st, tick, names = model.state, model.tick, model.names
    net_fdi = fdi.net_position(st.fdi)
    peak = np.maximum(
        model._stock_scale, np.abs(st.nfa) + st.reserves.sum(axis=-1) + st.liabilities + np.abs(st.private)
    )
    model._guard(
        suspect_valuation(st.valuation, st.gross_assets, st.gross_liabilities, st.private, peak)
        | suspect_stocks(st.nfa, st.reserves, st.liabilities, st.private, peak, net_fdi),
        lambda r: (
            check_valuation(
                tick, names, st.valuation[r], st.gross_assets[r], st.gross_liabilities[r], st.private[r], peak[r]
            ),
            check_stock_row(st, r, tick, names, peak, net_fdi),
        ),
    )


def check_stock_row(
    st: State, r: int, tick: int, names: list[str], peak: np.ndarray | None, net_fdi: np.ndarray
) -> None:
    """Member r's balance-sheet identities (:func:`check_stocks`), judged against ``peak`` (R, N)
    (the largest stocks + GDP it has seen, USD bn; None on the first tick).
    """
    check_stocks(
        tick,
        names,
        st.nfa[r],
        st.reserves[r],
        st.liabilities[r],
        st.private[r],
        st.gdp[r],
        None if peak is None else peak[r],
        net_fdi[r],
    )
