"""Valuation: gross foreign positions by currency, revalued when exchange rates move.

Money is counted in the unit of account (the first reserve issuer's currency, whose rate is 1);
a claim is *denominated* in a currency, so its value in the unit of account moves with that
currency's rate e (USD per unit of local currency). Three kinds of claim:

- official reserves ``H[i, k]`` and the issuer's official liabilities are in issuer k's currency;
- gross private foreign liabilities ``L_i``: a share ``own_share_i`` in country i's own currency,
  the rest in the unit of account;
- gross private foreign assets ``A_i``: claims on the world pool (the clearing device of
  :mod:`sim.finance`), which holds every country's private liabilities, so each unit of assets
  is a claim on the pool's basket of currencies.

Gross positions are set from the net private claims each time stocks are revalued (a portfolio
rebalancing that moves no net wealth): ``L_i = gross_i · GDP_i + max(-p_i, 0)`` and
``A_i = gross_i · GDP_i + max(p_i, 0)``, so ``A_i - L_i = p_i``. With a rate change
``x_c = e_c' / e_c - 1`` the change in value of each position is its size times the change of
its currency; the pool passes the revaluation of the liabilities it holds to its asset holders
in proportion to their assets (as it passes on interest), so every asset is someone's liability
in the same currency and the world's valuation changes sum to zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.state import State


@dataclass
class Revaluation:
    """Stocks after a revaluation, USD bn; every array has the member axis first.

    Attributes:
        reserves: (R, N, K) official claims on each issuer.
        liabilities: (R, N) official liabilities (issuers only).
        private: (R, N) net private claims (= assets - gross liabilities).
        nfa: (R, N) net foreign assets.
        assets: (R, N) gross private foreign assets (claims on the pool).
        gross_liabilities: (R, N) gross private foreign liabilities.
        own_liabilities: (R, N) the part of them in the country's own currency.
        valuation: (R, N) change in net foreign assets from the rate changes.
    """

    reserves: np.ndarray
    liabilities: np.ndarray
    private: np.ndarray
    nfa: np.ndarray
    assets: np.ndarray
    gross_liabilities: np.ndarray
    own_liabilities: np.ndarray
    valuation: np.ndarray


def gross_positions(
    private: np.ndarray, gdp: np.ndarray, gross: np.ndarray, own_share: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gross private foreign assets, liabilities and own-currency liabilities (R, N), USD bn.

    Args:
        private: (R, N) net private claims, USD bn.
        gdp: (R, N) GDP, USD bn/yr.
        gross: (R, N) gross liabilities of a country with no net claims, share of a year's GDP.
        own_share: (R, N) share of gross liabilities denominated in the country's own currency.
    """
    base = gross * gdp
    liab = base + np.maximum(-private, 0.0)
    assets = base + np.maximum(private, 0.0)
    return assets, liab, own_share * liab


def revalue(
    reserves: np.ndarray,
    liabilities: np.ndarray,
    private: np.ndarray,
    nfa: np.ndarray,
    assets: np.ndarray,
    gross_liabilities: np.ndarray,
    own_liabilities: np.ndarray,
    change: np.ndarray,
    issuer_index: np.ndarray,
    anchor: int,
) -> Revaluation:
    """Revalue every stock for the rate changes ``change`` (R, N), ``e' / e - 1`` per currency.

    Each side is changed along its own path — reserves by their issuer's currency, the issuers'
    official liabilities by their own, private liabilities by their denomination, private assets
    by the pool's return — and the net foreign assets by the sum of the changes of the holder's
    claims less those of its debts, so :func:`sim.accounts.check_stocks` can still fail.

    Returns:
        the stocks after the revaluation and each country's valuation change, USD bn.
    """
    x_iss = change[..., issuer_index]  # (R, K) change of each issuer's currency
    d_res = reserves * x_iss[..., None, :]
    d_off_liab = liabilities * change  # nonzero only for issuers, in their own currency
    foreign = gross_liabilities - own_liabilities  # in the unit of account (the anchor's currency)
    d_liab = own_liabilities * change + foreign * change[..., anchor : anchor + 1]
    total_assets = assets.sum(axis=-1, keepdims=True)
    has = total_assets > 0
    # the pool's return on its holdings, passed to asset holders in proportion to their assets
    pool = np.where(has, d_liab.sum(axis=-1, keepdims=True) / np.where(has, total_assets, 1.0), 0.0)
    d_assets = assets * pool
    d_private = d_assets - d_liab
    valuation = d_res.sum(axis=-1) - d_off_liab + d_private
    return Revaluation(
        reserves=reserves + d_res,
        liabilities=liabilities + d_off_liab,
        private=private + d_private,
        nfa=nfa + valuation,
        assets=assets + d_assets,
        gross_liabilities=gross_liabilities + d_liab,
        own_liabilities=own_liabilities * (1.0 + change),
        valuation=valuation,
    )


def revalue_state(st: State, gross: np.ndarray, own_share: np.ndarray, issuer_index: np.ndarray, anchor: int) -> None:
    """Revalue the state's stocks for the rate changes since they were last valued
    (``st.e_valued``) and record the gross positions and the valuation change (USD bn) on it.

    Args:
        st: the model state (stocks and rates, with the member axis).
        gross: (R, N) gross private liabilities beyond net debt, share of GDP.
        own_share: (R, N) share of gross private liabilities in the country's own currency.
        issuer_index: (K,) country index of each reserve issuer.
        anchor: index of the unit of account's country.
    """
    positions = gross_positions(st.private, st.gdp, gross, own_share)
    v = revalue(
        st.reserves, st.liabilities, st.private, st.nfa, *positions, st.e / st.e_valued - 1.0, issuer_index, anchor
    )
    st.reserves, st.liabilities, st.private, st.nfa = v.reserves, v.liabilities, v.private, v.nfa
    st.valuation, st.gross_assets, st.gross_liabilities = v.valuation, v.assets, v.gross_liabilities
    st.own_liabilities = v.own_liabilities
    st.e_valued = st.e.copy()
