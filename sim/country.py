"""The country agent: it holds its parameters and policy settings and exposes its row of state.

Decision rules do not run per agent: each tick's rules are functions vectorised across all
countries (``demand``, ``policy``, ``development``...). A :class:`Country` is what a user, a
notebook or the browser view talks to (``model.country("China").current_account``); the arrays
the rules work on are built from all countries at once by :func:`country_arrays`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.schema import Country as CountrySpec
from sim.schema import Scenario, World

if TYPE_CHECKING:
    from sim.model import TradeModel

REGIMES = {"float": 0, "managed": 1, "peg": 2}


class Country(mesa.Agent):
    """One country: parameters and policies (``spec``) and a view of its row of the state.

    The values are the model's focus member's (``model.focus``, member 0 unless set);
    :meth:`state` takes any member.

    Attributes:
        index: the country's row in every (R, N, ...) array of the model.
        spec: the focus member's validated ``[[country]]`` table, updated when an event changes it.
    """

    def __init__(self, model: TradeModel, index: int, spec: CountrySpec):
        super().__init__(model)
        self.index = index
        self.spec = spec

    @property
    def name(self) -> str:
        """The country's name."""
        return self.spec.name

    def _row(self, quantity: str):
        return getattr(self.model.state, quantity)[self.model.focus, self.index]

    def state(self, quantity: str, member: int | None = None) -> float | np.ndarray:
        """The current value of a state quantity for this country (a scalar, or a row by
        sector), in the focus member or the one given.
        """
        m = self.model.focus if member is None else member
        return getattr(self.model.state, quantity)[m, self.index].copy()

    @property
    def gdp(self) -> float:
        """Nominal GDP this tick, billions of USD per year."""
        return float(self._row("gdp"))

    @property
    def current_account(self) -> float:
        """Current account this tick, billions of USD per year."""
        return float(self._row("ca"))

    @property
    def current_account_pct_gdp(self) -> float:
        """Current account this tick, % of GDP."""
        return 100.0 * self.current_account / self.gdp

    @property
    def trade_balance(self) -> float:
        """Exports minus imports this tick, billions of USD per year."""
        return float(self._row("exports") - self._row("imports"))

    @property
    def reserves(self) -> float:
        """Official reserves (claims on reserve issuers), billions of USD."""
        return float(self._row("reserves").sum())

    @property
    def net_foreign_assets(self) -> float:
        """Net foreign assets, billions of USD."""
        return float(self._row("nfa"))

    @property
    def exchange_rate(self) -> float:
        """USD per unit of local currency."""
        return float(self._row("e"))

    def __repr__(self) -> str:
        return f"Country({self.name!r}, index={self.index})"


@dataclass
class CountryArrays:
    """Country parameters and policy settings stacked into arrays for the vectorised rules.

    All (N,) unless noted; built from the agents' specs at start and after each event.
    """

    consume: np.ndarray
    invest: np.ndarray
    regime: np.ndarray
    catchup: np.ndarray
    capability: np.ndarray  # social capability, 0 to 1 (section 7.7)
    labor_growth: np.ndarray
    settlement: np.ndarray  # (N, K) shares of settlement by issuer
    issuer_index: np.ndarray  # (K,) country index of each issuer
    reserve_target: np.ndarray  # months of imports
    reserve_speed: np.ndarray  # per year
    undervaluation: np.ndarray
    crawl: np.ndarray  # (N,) growth per year of a managed or pegged target rate
    policy_rate: np.ndarray  # (N,) central-bank policy rate per year (0 where none is set)
    pinned: np.ndarray  # (N,) bool: the country sets a policy rate
    controls: np.ndarray  # (N,) capital-control intensity in [0, 1]
    own_currency: np.ndarray  # (N,) share of gross private foreign liabilities in own currency
    gross_liabilities: np.ndarray  # (N,) gross private foreign liabilities beyond net debt / GDP
    export_credit: np.ndarray
    cost_factor: np.ndarray  # (N, S1): 1 - unit cost cut (traded sectors only)
    household_credit: np.ndarray
    household_limit: np.ndarray
    household_deleveraging: np.ndarray
    lending: np.ndarray  # (N, S1) state-bank credit / sales per year (traded sectors)
    retaliates: np.ndarray  # (N,) bool
    ret_match: np.ndarray
    ret_lag_years: np.ndarray
    ret_escalation: np.ndarray
    ret_cap: np.ndarray
    fdi_open: np.ndarray  # (N,) openness to FDI as a relocation destination, 0..1
    tau: np.ndarray  # (N, N)
    tariff: np.ndarray  # (S, N, N) [s, o, d]: levied by d on imports from o
    open_: np.ndarray  # (S, N, N) openness in [0, 1] (export controls)
    gov_spending: np.ndarray  # (N,) government purchases / full-capacity income
    gov_tax: np.ndarray  # (N,) taxes / full-capacity income before the fiscal rule
    gov_target: np.ndarray  # (N,) fiscal balance target / full-capacity income (NaN: no rule)
    gov_speed: np.ndarray  # (N,) per year


def _symmetric(table: dict[str, dict[str, float]]) -> list[tuple[str, str, float]]:
    """(from, to, cost) of a two-level table, each entry also read the other way round unless
    the table gives that direction itself.
    """
    out = [(b, a, c) for a, row in table.items() for b, c in row.items() if a not in table.get(b, {})]
    return out + [(a, b, c) for a, row in table.items() for b, c in row.items()]


def trade_cost_matrix(world: World, idx: dict[str, int]) -> np.ndarray:
    """(N, N) iceberg factors tau[origin, destination]: ``trade_cost``, then region costs, the
    ``[[world.trade_costs]]`` list and ``pair_costs``, each overriding the one before.
    """
    n = len(idx)
    tau = np.full((n, n), 1.0 + world.trade_cost)
    if world.region_costs:
        members = {r: [idx[c] for c in cs] for r, cs in world.regions.items()}
        for a, b, cost in _symmetric(world.region_costs):
            tau[np.ix_(members[a], members[b])] = 1.0 + cost
    for pc in world.trade_costs:
        o, d = idx[pc.origin], idx[pc.destination]
        tau[o, d] = 1.0 + pc.cost
        if pc.symmetric:
            tau[d, o] = 1.0 + pc.cost
    for a, b, cost in _symmetric(world.pair_costs):
        tau[idx[a], idx[b]] = 1.0 + cost
    np.fill_diagonal(tau, 1.0)
    return tau


def country_arrays(scn: Scenario) -> CountryArrays:
    """Stack the scenario's country settings (one Python pass over countries, at set-up or on
    an event tick, never inside a normal tick).
    """
    names = scn.names
    idx = {n: i for i, n in enumerate(names)}
    traded = scn.traded
    sidx = {s: i for i, s in enumerate(traded)}
    n, s = len(names), len(traded)
    cs = scn.country
    issuers = scn.world.reserve_issuers or names[:1]
    settlement = np.zeros((n, len(issuers)))
    for i, c in enumerate(cs):
        for iss, share in (c.settlement or {issuers[0]: 1.0}).items():
            settlement[i, issuers.index(iss)] = share

    tau = trade_cost_matrix(scn.world, idx)

    tariff = np.zeros((s, n, n))
    open_ = np.ones((s, n, n))
    for d, c in enumerate(cs):
        # '*' first so that named partners override it
        for partner in sorted(c.tariffs, key=lambda p: p != "*"):
            rate = c.tariffs[partner]
            rows = [o for o in range(n) if o != d] if partner == "*" else [idx[partner]]
            if isinstance(rate, dict):
                for sec, r in rate.items():
                    tariff[sidx[sec], rows, d] = r
            else:
                tariff[:, rows, d] = rate
        for sec, ctl in c.export_controls.items():
            dests = [j for j in range(n) if j != d] if "*" in ctl.destinations else [idx[x] for x in ctl.destinations]
            exempt = {idx[x] for x in ctl.exempt}
            for j in dests:
                if j not in exempt and j != d:
                    open_[sidx[sec], d, j] = ctl.allowed_share
    diag = np.arange(n)
    tariff[:, diag, diag] = 0.0
    open_[:, diag, diag] = 1.0
    return CountryArrays(
        consume=np.array([c.propensity_to_consume for c in cs]),
        invest=np.array([c.investment_rate for c in cs]),
        regime=np.array([REGIMES[c.exchange_rate_regime] for c in cs]),
        catchup=np.array([c.catchup_speed for c in cs]),
        capability=np.array([c.capability for c in cs]),
        labor_growth=np.array([c.labor_growth for c in cs]),
        settlement=settlement,
        issuer_index=np.array([idx[x] for x in issuers]),
        reserve_target=np.array([c.reserve_target_months for c in cs]),
        reserve_speed=np.array([c.reserve_adjustment for c in cs]),
        undervaluation=np.array([c.undervaluation for c in cs]),
        crawl=np.array([c.crawl for c in cs]),
        policy_rate=np.array([c.policy_rate or 0.0 for c in cs]),
        pinned=np.array([c.policy_rate is not None for c in cs]),
        controls=np.array([c.capital_controls for c in cs]),
        own_currency=np.array([c.liabilities_own_currency for c in cs]),
        gross_liabilities=np.array([c.gross_liabilities for c in cs]),
        export_credit=np.array([c.export_credit for c in cs]),
        cost_factor=np.concatenate(
            [np.repeat(1.0 - np.array([[c.unit_cost_cut] for c in cs]), s, axis=1), np.ones((n, 1))], axis=1
        ),
        household_credit=np.array([c.household_credit for c in cs]),
        household_limit=np.array([c.household_debt_limit for c in cs]),
        household_deleveraging=np.array([c.household_deleveraging for c in cs]),
        lending=np.array([[c.state_lending.get(sec, 0.0) for sec in traded] + [0.0] for c in cs]),
        retaliates=np.array([c.retaliation is not None for c in cs]),
        ret_match=np.array([c.retaliation.match if c.retaliation else 0.0 for c in cs]),
        ret_lag_years=np.array([c.retaliation.lag_years if c.retaliation else 0.0 for c in cs]),
        ret_escalation=np.array([c.retaliation.escalation if c.retaliation else 0.0 for c in cs]),
        ret_cap=np.array([c.retaliation.cap if c.retaliation else 0.0 for c in cs]),
        fdi_open=np.array([c.fdi_open for c in cs]),
        tau=tau,
        tariff=tariff,
        open_=open_,
        gov_spending=np.array([c.government.spending for c in cs]),
        gov_tax=np.array([c.government.tax for c in cs]),
        gov_target=np.array(
            [np.nan if c.government.balance_target is None else c.government.balance_target for c in cs]
        ),
        gov_speed=np.array([c.government.adjustment_speed for c in cs]),
    )
