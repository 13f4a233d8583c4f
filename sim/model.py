"""TradeModel: set-up and the order of one tick, for an ensemble of R >= 1 members.

``step()`` reads as the economic story — produce, plan demand, trade, settle, policy,
develop, log — and each stage is a short method that wires vectorised functions from the
module named for it. No stage loops over countries or pairs in Python.

Every state array has a leading member axis: R members of one world (the same countries and
sectors) that differ in seeds, parameters and events step together in the same NumPy calls. A
single run is the ensemble of one. Each member's arithmetic is independent of the others (no
sums across members, the stacked products do a member's work the same way whatever R is), so
member r gives the tables of its single run bit for bit.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import fields
from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np

from sim import (
    accounts,
    capital,
    demand,
    development,
    event_apply,
    events,
    fdi,
    implicit,
    labour,
    market,
    policy,
    production,
    trade,
    trade_factors,
    valuation,
)
from sim.country import Country, country_arrays
from sim.errors import SimulationError
from sim.members import (
    WorldParams,
    check_same_shape,
    copy_row,
    set_country_row,
    set_knobs,
    stack_country_arrays,
    world_knobs,
)
from sim.results import Recorder
from sim.revalidate import Like
from sim.scenario import load_scenario, resolved_document
from sim.schema import Scenario
from sim.start import member_start
from sim.state import State

MAX_RATE_NOTES = demand.MAX_RATE_NOTES
"""Ticks without a clearing world rate noted one by one (:data:`sim.demand.MAX_RATE_NOTES`)."""

SCENARIO_SEED = "scenario"
"""``TradeModel(seed=...)`` default: the scenario's ``simulation.seed``. An explicit ``seed=None``
follows Mesa (``batch_run(..., rng=[None] * 5)`` passes it): a fresh seed from the operating
system, kept in ``model.spec.simulation.seed`` so the run can be repeated."""

MODEL_REPORTERS = {
    "imbalance_index": "imbalance_index",
    "world_interest_rate": "world_rate",
    "seed": "seed",
}
"""Mesa DataCollector model reporters: the imbalance index (sum of |current account| / world
GDP, a fraction), the world interest rate (per year) and the run's seed."""

AGENT_REPORTERS = {
    "country": "name",
    "gdp": "gdp",
    "current_account": "current_account",
    "current_account_pct_gdp": "current_account_pct_gdp",
    "trade_balance": "trade_balance",
    "reserves": "reserves",
    "exchange_rate": "exchange_rate",
}
"""Mesa DataCollector agent (country) reporters: billions of USD (per year for flows), % of GDP,
and the exchange rate in USD per unit of local currency."""

STREAMS = ("noise", "innovation")
"""Named random streams; each is drawn every tick whether or not its mechanism is on, so runs
that differ in one switch see the same draws everywhere else."""


class TradeModel(mesa.Model):
    """A world of trading countries, stepped as an ensemble of R >= 1 members.

    Args:
        scenario: a Scenario, a path to a TOML file, or a mapping (validated here).
        seed: overrides ``simulation.seed`` (of every member); ``None`` draws a fresh seed (Mesa's
            convention, see :data:`SCENARIO_SEED`); omitted, the scenario's seed.
        ticks: overrides ``simulation.ticks`` (the length the recorder is sized for).
        overrides: key-path overrides (``{"country.China.propensity_to_consume": 0.84}``).
        datacollector: also collect the main series with Mesa's DataCollector
            (:data:`MODEL_REPORTERS`, :data:`AGENT_REPORTERS`), as ``mesa.batch_run`` and Mesa's
            views expect; the array recorder always runs. tradesim's own runs switch it off.
        members: one mapping of key path -> value per member, applied on top of the scenario
            (``{"simulation.seed": 3, "world.demand.habit": 0.6}``); None for a single run. The
            members must share countries, sectors, clock and logging
            (:data:`sim.members.SHARED`).

    A single run (``members=None``) raises a :class:`SimulationError` when its economics break
    down; in an ensemble the member is marked failed (:attr:`errors`) and the others go on.
    ``model.running`` turns False when the scenario's last tick is done, so Mesa's
    ``run_model()`` and ``batch_run`` stop there.

    Attributes:
        specs: each member's resolved scenario in force (events update it); ``spec`` is the
            focus member's.
        state: the :class:`sim.state.State` arrays, each with a leading member axis.
        tick: the index of the next tick to compute (0 before the first step).
        recorder: the array logger.
        focus: the member the country agents, ``spec``, ``notes`` and the tables show (0).
        errors: per member, None or the SimulationError that stopped it.
    """

    def __init__(
        self,
        scenario: Scenario | str | dict,
        *,
        seed: int | None | str = SCENARIO_SEED,
        ticks: int | None = None,
        overrides: Mapping[str, Any] | None = None,
        datacollector: bool = True,
        members: Sequence[Mapping[str, Any]] | None = None,
    ):
        overrides = dict(overrides or {})
        if seed is None:
            overrides["simulation.seed"] = int(np.random.SeedSequence().generate_state(1, np.uint32)[0])
        elif seed != SCENARIO_SEED:
            overrides["simulation.seed"] = int(seed)
        if ticks is not None:
            overrides["simulation.ticks"] = int(ticks)
        if members is None:
            specs = [load_scenario(scenario, overrides or None)]
        else:
            if len(members) == 0:
                raise ValueError("an ensemble needs at least one member")
            specs = [load_scenario(scenario, {**overrides, **dict(m)} or None) for m in members]
        self._setup(specs, strict=members is None, datacollector=datacollector)

    @classmethod
    def ensemble(cls, specs: Sequence[Scenario], *, datacollector: bool = False) -> TradeModel:
        """An ensemble of already validated scenarios, one per member (a failing member is marked
        failed, not raised).
        """
        model = cls.__new__(cls)
        model._setup(list(specs), strict=False, datacollector=datacollector)
        return model

    def _setup(self, specs: list[Scenario], *, strict: bool, datacollector: bool) -> None:
        if not specs:
            raise ValueError("an ensemble needs at least one member")
        check_same_shape(specs)
        self.strict = strict
        super().__init__(rng=specs[0].simulation.seed)
        self.focus = 0
        self.R = len(specs)
        self.specs = list(specs)
        self.initial_specs = list(specs)  # the scenarios as given, events included
        spec = specs[0]
        self.names = spec.names
        self.sectors = spec.all_sectors
        self.n = len(self.names)
        self.s = len(spec.traded)
        self.tick = 0
        self.streams = [
            {
                name: np.random.default_rng(np.random.SeedSequence([sp.simulation.seed, zlib.crc32(name.encode())]))
                for name in STREAMS
            }
            for sp in specs
        ]
        self._events: list[dict[int, list]] = []
        self._docs: list[dict] = []
        for sp in specs:
            ev_by_tick: dict[int, list] = {}
            for ev in sp.event:
                ev_by_tick.setdefault(ev.tick, []).append(ev)
            self._events.append(ev_by_tick)
            doc = resolved_document(sp)
            doc.pop("event", None)
            self._docs.append(doc)
        # per member: events whose parameter shocks are temporary and still in force, state shocks,
        # the first tick a realignment no longer moves each currency, and its log change per year
        self._temporary: list[list] = [[] for _ in specs]
        self._like = [Like() for _ in specs]  # each member's last validated document (a cache)
        self._shocks: list[list[events.StateShock]] = [[] for _ in specs]
        self._realign_end = np.full((self.R, self.n), -1, dtype=np.int64)
        self._realign_drift = np.zeros((self.R, self.n))
        self._announced = [self._announcement_windows(sp, self._docs[r]) for r, sp in enumerate(specs)]
        self._pull: list[np.ndarray | None] = [None] * self.R
        self.countries = [Country(self, i, c) for i, c in enumerate(spec.country)]
        self.member_notes: list[list[str]] = [[] for _ in range(self.R)]
        self.rate_fallbacks_by_member = np.zeros(self.R, dtype=np.int64)
        self.errors: list[SimulationError | None] = [None] * self.R
        self.alive = np.ones(self.R, dtype=bool)
        self.last_innovation: list[tuple | None] = [None] * self.R
        self._factor_cache: dict[bytes, market.TradeFactors] = {}
        self._stock_scale = None  # largest stocks + GDP seen, (R, N) (accounts.check_stocks)
        self._log_m_correction = None  # the within-tick response's (sim/implicit.py)
        self._theta = implicit.theta(specs[0])  # members share simulation.responses
        self._configure()
        self.state = self._initial_state()
        self._apply_undervaluation(np.ones(self.R, dtype=bool))
        self.state.e_valued = self.state.e.copy()  # stocks start valued at the starting rates
        self.recorder = Recorder(self, spec.simulation.ticks)
        self.datacollector = (
            mesa.DataCollector(model_reporters=MODEL_REPORTERS, agent_reporters=AGENT_REPORTERS)
            if datacollector
            else None
        )

    # ------------------------------------------------------------------ members

    @property
    def spec(self) -> Scenario:
        """The focus member's scenario in force."""
        return self.specs[self.focus]

    @property
    def initial_spec(self) -> Scenario:
        """The focus member's scenario as given (events included)."""
        return self.initial_specs[self.focus]

    @property
    def notes(self) -> list[str]:
        """The focus member's notes."""
        return self.member_notes[self.focus]

    @property
    def rate_fallbacks(self) -> int:
        """Ticks without a clearing world rate, of the focus member."""
        return int(self.rate_fallbacks_by_member[self.focus])

    @property
    def start_iterations(self) -> int:
        """Market evaluations the focus member's balanced start took."""
        return self.start_iterations_by_member[self.focus]

    @property
    def factors(self) -> market.TradeFactors:
        """The focus member's trade factors."""
        return self._member_factors[self.focus]

    @property
    def tariff_in_force(self) -> np.ndarray:
        """(S, N, N) the focus member's tariffs in force."""
        return self._tariff_in_force[self.focus]

    def view(self, member: int | None = None) -> SimpleNamespace:
        """One member's state rows (views, not copies), by the State's field names."""
        r = self.focus if member is None else member
        out = {}
        for f in fields(State):
            v = getattr(self.state, f.name)
            out[f.name] = v[r] if isinstance(v, np.ndarray) else v
        return SimpleNamespace(**out)

    def _fail(self, r: int, err: SimulationError) -> None:
        """Mark member r failed; a single run raises instead. The failed member's rows are
        replaced by a live member's, so its arithmetic stays finite; they are never recorded.
        """
        if self.strict:
            raise err
        if not self.alive[r]:
            return
        self.errors[r] = err
        self.alive[r] = False
        self.recorder.stop(r, self.tick)
        live = np.flatnonzero(self.alive)
        if live.size == 0:
            return
        d = int(live[0])
        copy_row(self.state, r, d)
        copy_row(self.wp, r, d)
        copy_row(self.kn, r, d)
        copy_row(self.ca, r, d, skip=("issuer_index",))
        self.regime[r] = self.regime[d]
        self.base_regime[r] = self.base_regime[d]
        self._broken[r] = self._broken[d]
        self.log_e_start[r] = self.log_e_start[d]
        self._realign_end[r] = self._realign_end[d]
        self._realign_drift[r] = self._realign_drift[d]
        self._temporary[r] = []
        self._shocks[r] = []
        self._events[r] = {}
        self._announced[r] = []
        self._pull[r] = self._pull[d]
        self._policy[r] = self._policy[d]
        self._factor_key[r] = self._factor_key[d]
        self._member_factors[r] = self._member_factors[d]
        self._tariff_in_force[r] = self._tariff_in_force[d]
        self.mean_tariff[r] = self.mean_tariff[d]
        if self._tariff_avg is not None:
            self._tariff_avg[r] = self._tariff_avg[d]
        for h in getattr(self, "_tariff_history", []):
            h[r] = h[d]
        self._lending_by_member[r] = self._lending_by_member[d]
        if self._stock_scale is not None:
            self._stock_scale[r] = self._stock_scale[d]
        self._regroup()

    def _guard(self, suspects: np.ndarray, check) -> None:
        """Run ``check(r)`` (which raises the member's SimulationError) for each suspect member."""
        suspects = suspects & self.alive
        if not suspects.any():
            return
        for r in np.flatnonzero(suspects):
            try:
                check(int(r))
            except SimulationError as err:
                self._fail(int(r), err)

    # ------------------------------------------------------------------ configuration

    def _configure(self) -> None:
        """Build parameter arrays and the trade factors of every member."""
        specs = self.specs
        self.wp = WorldParams.from_specs(specs)
        self.kn = world_knobs(specs)
        rows = [country_arrays(sp) for sp in specs]
        self.ca = stack_country_arrays(rows)
        self._policy = [(row.tau, row.tariff, row.open_) for row in rows]
        self.base_regime = self.ca.regime.copy()
        self._broken = np.zeros(self.base_regime.shape, dtype=bool)
        self._set_regime()
        self.anchor = int(self.ca.issuer_index[0])
        self._lending_by_member = self.ca.lending.reshape(self.R, -1).any(axis=1)
        self._retaliates = bool(self.ca.retaliates.any())
        self._factor_key: list[tuple | None] = [None] * self.R
        self._member_factors: list[market.TradeFactors | None] = [None] * self.R
        self._tariff_in_force: list[np.ndarray | None] = [None] * self.R
        self.mean_tariff = np.zeros((self.R, self.n))
        self._tariff_avg = np.zeros((self.R, self.n, self.n)) if self._retaliates else None
        self._refresh_factors(range(self.R))

    @property
    def _lending(self) -> bool:
        return bool(self._lending_by_member.any())

    def _reconfigure(self, r: int, spec: Scenario) -> None:
        """Member r's parameters after an event changed its scenario."""
        self.specs[r] = spec
        self.wp.set_member(r, spec)
        set_knobs(self.kn, r, spec)
        row = country_arrays(spec)
        set_country_row(self.ca, r, row)
        self._policy[r] = (row.tau, row.tariff, row.open_)
        self.base_regime[r] = np.where(self._broken[r], 0, row.regime)
        self._lending_by_member[r] = bool(row.lending.any())
        if row.retaliates.any() and not self._retaliates:
            self._retaliates = True
            self._tariff_avg = np.stack([t.mean(axis=0) for t in self._tariff_in_force])

    def _set_regime(self) -> None:
        """Regimes in force: the scenario's (pegs that broke float), realigning currencies held
        on their path like pegs.
        """
        moving = self._realign_end > self.tick
        self.regime = np.where(moving, policy.PEG, self.base_regime) if moving.any() else self.base_regime.copy()

    def _refresh_factors(self, members) -> None:
        """Rebuild the trade factors of these members where their trade policy changed
        (:func:`sim.trade_factors.refresh`).
        """
        trade_factors.refresh(self, members)

    def _regroup(self) -> None:
        """Group the members by the trade factors they use (:func:`sim.trade_factors.regroup`)."""
        trade_factors.regroup(self)

    def _announcement_windows(self, spec: Scenario, doc: dict) -> list[tuple[int, int, np.ndarray]]:
        """(first tick, event tick, cells) for each event announced ahead whose tariffs rise
        (see :func:`sim.event_apply.announcement_windows`).
        """
        return event_apply.announcement_windows(spec, doc, self.names)

    def _update_pull(self) -> None:
        """Announcement pull-forward in force this tick (:func:`sim.trade_factors.update_pull`)."""
        trade_factors.update_pull(self)

    def country(self, name: str) -> Country:
        """The agent of the country with this name."""
        return self.countries[self.names.index(name)]

    def _initial_state(self) -> State:
        rows = []
        cache: dict[bytes, Any] = {}
        self.start_iterations_by_member = [0] * self.R
        for r in range(self.R):
            try:
                rows.append(self._member_start(r, cache))
            except SimulationError as err:
                if self.strict:
                    raise
                self.errors[r] = err
                self.alive[r] = False
                rows.append(None)
        live = [r for r in range(self.R) if rows[r] is not None]
        if not live:
            raise self.errors[0]
        for r in range(self.R):
            if rows[r] is None:
                rows[r] = dict(rows[live[0]])
        self.base_value_added = np.stack([row.pop("base_value_added") for row in rows])
        self.log_e_start = np.stack([row.pop("log_e_start") for row in rows])
        return State(**{k: np.stack([row[k] for row in rows]) for k in rows[0]})

    def _member_start(self, r: int, cache: dict) -> dict[str, np.ndarray]:
        """Member r's state at tick 0 (see :func:`sim.start.member_start`)."""
        return member_start(self, r, cache)

    # ------------------------------------------------------------------ one tick

    def step(self) -> None:
        """Advance one tick: events, produce, plan demand, trade, settle, set policy, develop, revalue, log."""
        self._apply_events()
        self._update_pull()
        self._log_m_correction = None  # the within-tick response (sim/implicit.py)
        if self._theta:
            self._log_m_correction = implicit.correct(self, self._theta)
        self._produce()
        self._plan_demand()
        self._trade()
        self._settle()
        self._set_policy()
        self._develop()
        self._revalue()  # after the tick's last change of rates and of private claims (FDI)
        self.recorder.record(self)
        if self.datacollector is not None:
            self.datacollector.collect(self)
        self.tick += 1
        self.running = self.tick < self.initial_spec.simulation.ticks

    def _apply_events(self) -> None:
        """Apply this tick's events of each member (see :func:`sim.event_apply.apply_events`)."""
        event_apply.apply_events(self)

    def _apply_undervaluation(self, members: np.ndarray) -> None:
        """Anchor these members' managed and pegged rates (see :func:`sim.policy.apply_undervaluation`)."""
        policy.apply_undervaluation(
            self.state, self.regime, self.ca.undervaluation, self.log_e_start, self.anchor, members
        )

    def _produce(self) -> None:
        """Capacity, the price factor, input costs, producer prices and full-capacity income
        (:func:`sim.production.produce`).
        """
        production.produce(self)

    def _plan_demand(self) -> None:
        """Interest rates, investment income, fiscal flows and absorption at the world rate that
        clears desired lending (:func:`sim.demand.plan`).
        """
        demand.plan(self)

    def flows(self) -> np.ndarray:
        """(R, S, N, N) this tick's bilateral flows at producer prices, [m, s, o, d] (:func:`sim.trade.flows`)."""
        return trade.flows(self)

    def _trade(self) -> None:
        """Purchaser prices, intermediate and final spending, their split across origins, sales,
        GDP and utilisation (:func:`sim.trade.trade`).
        """
        trade.trade(self)

    def _settle(self) -> None:
        """Current accounts and their checks, the FX market (intervention, portfolio flows,
        capital controls), pegs that run out of reserves, write-downs and stocks with their
        identities (:mod:`sim.accounts`, :mod:`sim.capital`, :mod:`sim.policy`).
        """
        accounts.current_accounts(self)
        wanted = capital.fx_market_step(self)
        policy.break_pegs(self, wanted)
        accounts.settle(self)

    def _set_policy(self) -> None:
        """Exchange rates, risk premia, sudden stops and the debt stocks (:func:`sim.policy.set_policy`),
        then retaliatory tariffs for the next tick (:func:`sim.policy.retaliate`).
        """
        policy.set_policy(self)
        if self._retaliates:
            policy.retaliate(self)

    def _revalue(self) -> None:
        """Revalue the stocks for the rate changes since they were last valued: this tick's
        events and policy step (:mod:`sim.valuation`), and check the identities again. It runs
        after development, so the gross positions it records include the tick's FDI swaps.
        """
        ca = self.ca
        valuation.revalue_state(self.state, ca.gross_liabilities, ca.own_currency, ca.issuer_index, self.anchor)
        accounts.check_revalued(self)

    def _develop(self) -> None:
        """Productivity, innovations, noise, wages and labor force (:mod:`sim.development`),
        state lending (:mod:`sim.policy`), workers moving toward the sectors that run hot
        (:mod:`sim.labour`), then relocation and the FDI claims it makes (:mod:`sim.fdi`).
        """
        development.develop(self)
        policy.state_lending(self)
        st, wp = self.state, self.wp
        st.alloc = labour.reallocate(st.alloc, st.util_sector, wp.reallocation, wp.dt)
        fdi.relocate(self)

    # ------------------------------------------------------------------ convenience

    @property
    def imbalance_index(self) -> float:
        """Global imbalance index of the focus member this tick: sum of |current account| / world GDP."""
        st, r = self.state, self.focus
        return float(np.abs(st.ca[r]).sum() / st.gdp[r].sum()) if st.ca is not None else 0.0

    @property
    def seed(self) -> int:
        """The seed of this run (the scenario's, or the one given or drawn)."""
        return self.initial_spec.simulation.seed

    @property
    def world_rate(self) -> float:
        """World interest rate of the focus member this tick, per year."""
        return float(self.state.world_rate[self.focus])

    def run(self, ticks: int | None = None, progress: bool = False) -> None:
        """Run ``ticks`` more ticks (default: to the scenario's end)."""
        end = self.spec.simulation.ticks if ticks is None else self.tick + ticks
        rng = range(self.tick, end)
        if progress:
            from tqdm import tqdm

            rng = tqdm(rng, desc=self.spec.simulation.name, unit="tick", leave=False)
        for _ in rng:
            if not self.alive.any():
                break
            self.step()

    def check_sane(self) -> None:
        """Mark failed (a single run: raise) each member whose GDP left its economic range."""
        st = self.state
        for r in np.flatnonzero(~(st.gdp > 0).all(axis=-1) & self.alive):
            bad = np.flatnonzero(~(st.gdp[r] > 0))
            self._fail(
                int(r),
                SimulationError(
                    self.tick, self.names[bad[0]], "gdp", f"is {st.gdp[r, bad[0]]:.6g}; GDP must stay positive"
                ),
            )
