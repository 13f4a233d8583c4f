"""TradeModel: set-up and the order of one tick.

``step()`` reads as the economic story — produce, plan demand, trade, settle, policy,
develop, log — and each stage is a short method that wires vectorised functions from the
module named for it. No stage loops over countries or pairs in Python.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import mesa
import numpy as np

from sim import accounts, demand, development, events, finance, market, policy, production
from sim.country import Country, country_arrays
from sim.errors import SimulationError
from sim.results import Recorder
from sim.scenario import input_matrix, load_scenario, resolved_document
from sim.schema import Scenario
from sim.start import solve_balanced_start
from sim.state import State

MAX_RATE_NOTES = 10
"""Ticks without a clearing world rate noted one by one; later ones are only counted
(``rate_fallbacks``), so a long run's notes cannot grow without bound."""

STREAMS = ("noise", "innovation")
"""Named random streams; each is drawn every tick whether or not its mechanism is on, so runs
that differ in one switch see the same draws everywhere else."""


@dataclass
class WorldParams:
    """World parameters as plain numbers and arrays, rebuilt at set-up and after events."""

    dt: float
    sigma: np.ndarray
    sigma_hat: float
    budget: np.ndarray
    a: np.ndarray
    markup: float
    gamma: float
    rho: float
    theta: float
    adjustment: float

    @classmethod
    def from_scenario(cls, scn: Scenario) -> WorldParams:
        """Derive per-tick gains from the scenario's annual parameters."""
        w = scn.world
        dt = scn.dt
        sigma = np.array([w.elasticity[s] for s in scn.traded], dtype=float)
        sigma_hat = max(1.0, float(sigma.max()))
        return cls(
            dt=dt,
            sigma=sigma,
            sigma_hat=sigma_hat,
            budget=np.array([w.budget_shares[s] for s in scn.all_sectors]),
            a=input_matrix(scn),
            markup=w.prices.markup,
            gamma=w.prices.price_response,
            rho=w.prices.price_adjustment,
            theta=w.prices.wage_response,
            adjustment=w.exchange_rate.adjustment,
        )


class TradeModel(mesa.Model):
    """A world of trading countries.

    Args:
        scenario: a Scenario, a path to a TOML file, or a mapping (validated here).
        seed: overrides ``simulation.seed``.
        ticks: overrides ``simulation.ticks`` (the length the recorder is sized for).
        datacollector: also collect a few world series with Mesa's DataCollector (the
            browser view reads it); the array recorder always runs.

    Attributes:
        spec: the resolved scenario in force (events update it).
        state: the :class:`sim.state.State` arrays.
        tick: the index of the next tick to compute (0 before the first step).
        recorder: the array logger.
    """

    def __init__(
        self,
        scenario: Scenario | str | dict,
        *,
        seed: int | None = None,
        ticks: int | None = None,
        datacollector: bool = False,
    ):
        overrides = {}
        if seed is not None:
            overrides["simulation.seed"] = int(seed)
        if ticks is not None:
            overrides["simulation.ticks"] = int(ticks)
        spec = load_scenario(scenario, overrides or None)
        super().__init__(rng=spec.simulation.seed)
        self.spec = spec
        self.initial_spec = spec  # the scenario as given, events included (self.spec follows events)
        self.names = spec.names
        self.sectors = spec.all_sectors
        self.n = len(self.names)
        self.s = len(spec.traded)
        self.tick = 0
        self.streams = {
            name: np.random.default_rng(np.random.SeedSequence([spec.simulation.seed, zlib.crc32(name.encode())]))
            for name in STREAMS
        }
        self._events: dict[int, list] = {}
        for ev in spec.event:
            self._events.setdefault(ev.tick, []).append(ev)
        self._doc = resolved_document(spec)
        self._doc.pop("event", None)
        self._temporary: list = []  # events whose parameter shocks are temporary and still in force
        self._shocks: list[events.StateShock] = []
        self._realign_end = np.full(self.n, -1, dtype=np.int64)  # first tick a realignment no longer moves
        self._realign_drift = np.zeros(self.n)  # log change per year of a realigned rate
        self._announced = self._announcement_windows(spec)
        self._pull = None
        self.countries = [Country(self, i, c) for i, c in enumerate(spec.country)]
        self.notes: list[str] = []
        self.rate_fallbacks = 0
        self._stock_scale = None  # largest stocks + GDP seen, per country (accounts.check_stocks)
        self._configure(spec)
        self.state = self._initial_state()
        self._apply_undervaluation()
        self.recorder = Recorder(self, spec.simulation.ticks)
        self.datacollector = (
            mesa.DataCollector(
                model_reporters={"imbalance_index": "imbalance_index", "world_interest_rate": "world_rate"}
            )
            if datacollector
            else None
        )

    # ------------------------------------------------------------------ configuration

    def _configure(self, spec: Scenario) -> None:
        """(Re)build parameter arrays and, if trade policy changed, the cached trade factors."""
        self.wp = WorldParams.from_scenario(spec)
        arrays = country_arrays(spec)
        self.ca = arrays
        broken = getattr(self, "_broken", None)
        self.base_regime = np.where(broken, 0, arrays.regime) if broken is not None else arrays.regime.copy()
        self._set_regime()
        self.anchor = int(arrays.issuer_index[0])
        self._lending = bool(arrays.lending.any())
        self._retaliates = bool(arrays.retaliates.any())
        self._refresh_factors()

    def _set_regime(self) -> None:
        """Regimes in force: the scenario's (pegs that broke float), realigning currencies held
        on their path like pegs.
        """
        moving = self._realign_end > self.tick
        self.regime = np.where(moving, policy.PEG, self.base_regime) if moving.any() else self.base_regime.copy()

    def _refresh_factors(self) -> None:
        """Build the cached trade factors from the effective trade policy — the scenario's
        schedule, retaliatory tariffs and announcement pull-forward — when it has changed.
        """
        ca = self.ca
        tariff = ca.tariff
        retaliation = getattr(self, "state", None)
        if retaliation is not None and retaliation.retaliation.any():
            tariff = np.maximum(tariff, retaliation.retaliation[None, :, :])
        open_ = ca.open_ * self._pull if getattr(self, "_pull", None) is not None else ca.open_
        key = (ca.tau, tariff, open_, self.wp.sigma)
        old = getattr(self, "_factor_key", None)
        if old is None or not all(x is y or np.array_equal(x, y) for x, y in zip(old, key, strict=True)):
            self.factors = market.build_factors(ca.tau, tariff, open_, self.wp.sigma)
            # references, not copies (two (S, N, N) arrays): these arrays are replaced, never mutated
            self._factor_key = key
            self.tariff_in_force = tariff

    def _announcement_windows(self, spec: Scenario) -> list[tuple[int, int, np.ndarray]]:
        """(first tick, event tick, cells) for each event announced ahead whose tariffs rise."""
        out = []
        if not any(ev.announce_ticks > 0 for ev in spec.event):
            return out
        doc = dict(self._doc)
        before = country_arrays(spec)
        for ev in sorted(spec.event, key=lambda e: e.tick):
            doc = events.apply_params(doc, ev, self.names)
            after = country_arrays(load_scenario(doc, file="<event>", horizon=False))
            if ev.announce_ticks > 0:
                cells = after.tariff > before.tariff
                if cells.any():
                    out.append((max(0, ev.tick - ev.announce_ticks), ev.tick, cells))
            before = after
        return out

    def _update_pull(self) -> None:
        """Buyers pull purchases forward from origins facing an announced tariff rise."""
        if not self._announced:
            return
        pull = np.ones_like(self.ca.open_)
        for first, start, cells in self._announced:
            if first <= self.tick < start:
                pull[cells] = 1.0 + self.spec.world.policy.pull_forward
        pull = None if np.all(pull == 1.0) else pull
        if (pull is None) != (self._pull is None) or (pull is not None and not np.array_equal(pull, self._pull)):
            self._pull = pull
            self._refresh_factors()

    def country(self, name: str) -> Country:
        """The agent of the country with this name."""
        return self.countries[self.names.index(name)]

    def _initial_state(self) -> State:
        spec, n, s1 = self.spec, self.n, self.s + 1
        prod = np.array([[c.productivity[s] for s in self.sectors] for c in spec.country], dtype=float)
        alloc = np.array([[c.labor_shares[s] for s in self.sectors] for c in spec.country], dtype=float)
        labor = np.array([c.labor_force for c in spec.country], dtype=float)
        wage = np.array([c.wage for c in spec.country], dtype=float)
        cap = production.capacity(prod, alloc, labor)
        start = solve_balanced_start(
            wage, prod, cap, self.wp.a, self.wp.budget, self.wp.markup, self.factors, self.anchor, self.names
        )
        self.start_iterations = start.iterations
        self.log_e_start = np.log(start.e)  # the balanced-start rates anchor undervaluation
        # value added per real unit at the start, the base of real GDP (double deflation)
        self.base_value_added = start.price - production.input_cost(start.purchaser_price, self.wp.a)
        gdp = start.gdp
        # initial net foreign assets as shares of GDP, made to sum to zero
        share = np.array([c.net_foreign_assets for c in spec.country])
        nfa = share * gdp
        given = np.array(["net_foreign_assets" in c.model_fields_set for c in spec.country])
        excess = nfa.sum()
        if abs(excess) > 1e-12 * gdp.sum():
            takers = ~given if (~given).any() else np.ones(n, bool)
            nfa = nfa - excess * np.where(takers, gdp, 0.0) / gdp[takers].sum()
            self.notes.append(
                f"initial net foreign assets summed to {excess:.4g} bn USD; the difference was spread over "
                f"{'countries without a value' if (~given).any() else 'all countries'} by GDP"
            )
        share_issuer = gdp[self.anchor] / gdp.sum()
        if share_issuer < 0.05 and n > 1:
            self.notes.append(
                f"the reserve issuer {self.names[self.anchor]} makes only {100 * share_issuer:.1f}% of world GDP; the "
                "reserves the world holds on it may dominate its accounts"
            )
        months = np.array([c.reserves_months for c in spec.country])
        held = months / 12.0 * start.imports
        reserves = held[:, None] * self.ca.settlement
        liabilities = np.zeros(n)
        np.add.at(liabilities, self.ca.issuer_index, reserves.sum(axis=0))
        private = nfa - reserves.sum(axis=1) + liabilities
        log_prod = np.log(prod)
        fin = spec.world.finance
        full = start.absorption
        return State(
            labor=labor,
            log_base=log_prod,
            log_innov=np.zeros((n, s1)),
            noise=np.zeros((n, s1)),
            log_shock=np.zeros((n, s1)),
            log_frontier=log_prod.max(axis=0),
            innov_frontier=np.zeros(s1),
            innovator=np.full(s1, -1, dtype=np.int64),
            alloc=alloc,
            wage=wage,
            e=start.e,
            log_m=np.zeros(n),
            growth=self._trend_growth(log_prod, alloc),
            purchaser_price=start.purchaser_price,
            output=start.output,
            habit_income=full,
            tariff_prev=start.tariff,
            util=np.ones(n),
            util_sector=start.util_sector,
            nfa=nfa,
            reserves=reserves,
            liabilities=liabilities,
            private=private,
            world_rate=fin.interest_rate,
            premium=finance.premium(nfa, full, fin.premium_threshold, fin.premium_slope, fin.premium_cap),
            stopped=np.zeros(n, dtype=bool),
            household_debt=np.zeros(n),
            extra_capacity=np.zeros((n, s1)),
            firm_debt=np.zeros((n, s1)),
            loss_years=np.zeros((n, s1)),
            retaliation=np.zeros((n, n)),
            sales=start.output * start.price,
            undervaluation=np.zeros(n),
            exports=start.exports,
            imports=start.imports,
        )

    def _trend_growth(self, log_prod: np.ndarray, alloc: np.ndarray) -> np.ndarray:
        """(N,) trend productivity growth the catch-up rule gives at the start (per year), so
        that smoothed growth, and the investment and wages that follow it, start on path.
        """
        dev = self.spec.world.development
        nxt = development.catch_up(
            log_prod,
            log_prod.max(axis=0),
            dev.catchup_speed * self.ca.catchup,
            dev.catchup_curvature,
            dev.frontier_growth,
            1.0,
            dev.uneven,
        )
        return np.sum(alloc * (nxt - log_prod), axis=1)

    # ------------------------------------------------------------------ one tick

    def step(self) -> None:
        """Advance one tick: produce, plan demand, trade, settle, set policy, develop, log."""
        self._apply_events()
        self._update_pull()
        self._produce()
        self._plan_demand()
        self._trade()
        self._settle()
        self._set_policy()
        self._develop()
        self.recorder.record(self)
        if self.datacollector is not None:
            self.datacollector.collect(self)
        self.tick += 1

    def _apply_events(self) -> None:
        """Apply this tick's events (see :mod:`sim.events`): parameters through the spec, state
        levels, labor shares and realignments directly on the state arrays.
        """
        todays = self._events.get(self.tick, [])
        fading = bool(self._temporary)
        if todays or fading:
            doc = self._doc
            for ev in todays:
                doc = events.apply_params(doc, ev, self.names)
                if ev.years is not None and events.has_param_shocks(ev):
                    self._temporary.append(ev)
            self._doc = doc
            for ev in self._temporary:
                share = events.strength((self.tick - ev.tick) * self.wp.dt, ev.years, ev.half_life)
                doc = events.apply_params(doc, ev, self.names, permanent=False, temporary_share=share)
            self._temporary = [
                ev
                for ev in self._temporary
                if events.last_tick(ev.tick, ev.years, ev.half_life, self.wp.dt) > self.tick
            ]
            spec = load_scenario(doc, file="<event>", horizon=False)
            self.spec = spec
            for agent, c in zip(self.countries, spec.country, strict=True):
                agent.spec = c
            self._configure(spec)
            for ev in todays:
                self._move_workers(ev)
                self._start_realignment(ev)
                self._shocks += events.state_shocks(ev, self.tick, self.names, self.sectors)
            self._set_regime()
            self._apply_undervaluation()
        if self._shocks:
            self._apply_state_shocks()
        if not todays and (self._realign_end == self.tick).any():
            self._set_regime()

    def _move_workers(self, ev) -> None:
        """Labor shares an event sets move the country's workers at once."""
        for path in events.expand(ev.set, self.names):
            parts = path.split(".")
            if parts[0] == "country" and parts[2] == "labor_shares":
                i = self.names.index(parts[1])
                shares = self.spec.country[i].labor_shares
                self.state.alloc[i] = [shares[s] for s in self.sectors]

    def _start_realignment(self, ev) -> None:
        """A realignment holds the moved currencies on a constant log path for its ticks."""
        r = ev.realign
        if r is None:
            return
        ticks = max(1, round(r.years / self.wp.dt))
        drift = np.log1p(r.change) / (ticks * self.wp.dt)
        if self.names.index(r.currency) == self.anchor:
            moved, drift = [self.names.index(c) for c in r.against], -drift
        else:
            moved = [self.names.index(r.currency)]
        self._realign_end[moved] = self.tick + ticks
        self._realign_drift[moved] = drift

    def _apply_state_shocks(self) -> None:
        """Move state levels by the change in each shock's strength since the last tick."""
        st, keep = self.state, []
        for sh in self._shocks:
            share = events.strength((self.tick - sh.start) * self.wp.dt, sh.years, sh.half_life)
            delta, sh.applied = share - sh.applied, share
            if delta != 0.0:
                i = sh.row
                if sh.key == "productivity":
                    trend = np.exp(st.log_base[i, sh.cols] + st.log_innov[i, sh.cols] + st.log_shock[i, sh.cols])
                    self._check_level(trend, sh, "productivity")
                    with np.errstate(all="ignore"):
                        new = events.shift_log_productivity(st.log_shock[i, sh.cols], trend, sh.op, sh.amount, delta)
                    self._check_level(np.exp(new) * trend / np.exp(st.log_shock[i, sh.cols]), sh, "productivity")
                    st.log_shock[i, sh.cols] = new
                else:
                    arr = st.labor if sh.key == "labor_force" else st.wage
                    fn = events.scale_level if sh.op == "scale" else events.add_level
                    value = fn(arr[i : i + 1], sh.amount, delta)
                    self._check_level(value, sh, sh.key)
                    arr[i] = value[0]
            if share > 0.0 or sh.years is None:
                keep.append(sh)
        self._shocks = keep

    def _check_level(self, value: np.ndarray, sh: events.StateShock, quantity: str) -> None:
        if not np.all(np.isfinite(value) & (value > 0)):
            raise SimulationError(
                self.tick,
                self.names[sh.row],
                quantity,
                f"an event's {sh.op} shock would make it {np.min(value):.6g}; it must stay positive",
            )

    def _apply_undervaluation(self) -> None:
        st = self.state
        log_e, st.undervaluation = policy.undervaluation_step(
            np.log(st.e), self.regime, st.undervaluation, self.ca.undervaluation, self.log_e_start
        )
        log_e[self.anchor] = 0.0
        st.e = np.exp(log_e)

    def _produce(self) -> None:
        st, wp = self.state, self.wp
        # capital built with state credit deepens capital per worker: more output per worker
        prod = (
            st.productivity() * (1.0 + st.extra_capacity)
            if self._lending or st.extra_capacity.any()
            else st.productivity()
        )
        st.capacity = production.capacity(prod, st.alloc, st.labor)
        if st.price is not None:
            self._eta = production.effective_elasticity(st.price, st.capacity, wp.sigma_hat, self.s)
        else:
            self._eta = production.effective_elasticity(st.purchaser_price, st.capacity, wp.sigma_hat, self.s)
        gain = production.price_gain(wp.rho, wp.gamma, self._eta, wp.dt)
        st.log_m = production.update_price_factor(st.log_m, st.util, wp.gamma, gain)
        st.input_cost = production.input_cost(st.purchaser_price, wp.a)
        cost_factor = self.ca.cost_factor
        if self._lending:
            pol = self.spec.world.policy
            cost_factor = cost_factor * np.maximum(1.0 - pol.lending_cost_effect * self.ca.lending, 0.2)
        self._cost_factor = cost_factor
        st.price = production.producer_prices(st.wage * st.e, prod, st.input_cost, wp.markup, st.log_m, cost_factor)
        st.full_income = production.full_income(st.capacity, st.price, st.input_cost, st.output, st.tariff_prev)
        accounts.check_positive(self.tick, self.names, exchange_rate=st.e, price=st.price, full_income=st.full_income)

    def _plan_demand(self) -> None:
        st, spec = self.state, self.spec
        dm, fin = spec.world.demand, spec.world.finance
        ca = self.ca
        trade_w = st.exports + st.imports if st.exports is not None else st.full_income
        privilege = finance.issuer_privilege(ca.settlement, trade_w, fin.issuer_privilege)
        st.official_rate = finance.official_rates(st.world_rate, privilege)
        spread = st.premium.copy()
        np.subtract.at(spread, ca.issuer_index, privilege)
        st.rate = st.world_rate + spread
        st.nii, self._res_int = finance.net_investment_income(
            st.reserves, st.private, ca.issuer_index, st.official_rate, st.rate
        )
        st.habit_income = demand.habit_update(st.habit_income, st.full_income, dm.habit_speed, self.wp.dt)
        base = (1.0 - dm.habit) * st.full_income + dm.habit * st.habit_income + st.nii
        held = st.reserves.sum(axis=1)
        st.stop_applied = st.stopped.copy()
        ceiling, floor_share, funded = finance.stop_limits(
            st.stopped, st.nfa, st.full_income, st.nii, held, fin.sudden_stop_debt, fin.stop_floor, self.wp.dt
        )
        st.fx_plan = policy.reserve_purchases(ca.reserve_target, st.imports, held, ca.reserve_speed, self.wp.dt)
        st.fx_plan = np.where(st.stopped, 0.0, st.fx_plan)
        mult = demand.investment_multiplier(st.growth, st.full_income, dm.investment_growth_response)
        consume = demand.propensity(ca.consume, dm.consumption_drift, st.full_income, st.labor)
        st.household_credit = demand.household_credit(
            st.household_debt,
            st.full_income,
            ca.household_credit,
            ca.household_limit,
            ca.household_deleveraging,
        )
        plan = demand.DemandPlan(
            cons_base=consume * base,
            cons_floor=dm.consumption_floor * consume * base,
            wealth=dm.wealth_effect * st.nfa,
            inv_base=ca.invest * st.full_income * mult,
            inv_fixed=ca.export_credit * st.exports + (np.sum(ca.lending * st.sales, axis=1) if self._lending else 0.0),
            credit=st.household_credit,
            spread=spread,
            r0=fin.interest_rate,
            eps_c=dm.interest_sensitivity,
            eps_i=dm.investment_interest_sensitivity,
            income=st.full_income + st.nii,
            fx_plan=st.fx_plan,
            ceiling=ceiling,
            floor_share=floor_share,
        )
        tol = 1e-12 * float(np.sum(st.full_income))
        rate, fallback = finance.solve_world_rate(plan, st.world_rate, fin.rate_bounds, tol)
        st.world_rate = rate
        st.rate_fallback = fallback
        if fallback:
            self.rate_fallbacks += 1
            if self.rate_fallbacks <= MAX_RATE_NOTES:
                self.notes.append(
                    f"tick {self.tick}: no world rate in {fin.rate_bounds} clears lending; used {rate:.4f}"
                )
        st.rate = rate + spread
        st.official_rate = finance.official_rates(rate, privilege)
        st.consumption, st.investment, st.absorption, _ = plan.at(rate)
        st.household_credit = demand.realised_credit(st.household_credit, plan.last_plan, st.absorption)
        st.desired_lending = plan.income - st.absorption
        # in a sudden stop, absorption beyond income and remaining credit is paid from reserves
        st.fx_plan = st.fx_plan - finance.stop_reserve_sales(st.stopped, st.absorption, funded, held, self.wp.dt)

    def _trade(self) -> None:
        st, wp, s = self.state, self.wp, self.s
        cap_t = st.capacity[:, :s]
        total = cap_t.sum(axis=0)
        if (total > 0).all():
            weight = (cap_t / total).T
        else:
            weight = np.where(total > 0, cap_t / np.where(total > 0, total, 1.0), 0.0).T
        # the factors and tariffs that price this tick: retaliation later in the tick rebuilds
        # self.factors for the next one, and the recorder must log this tick's flows
        self.traded_factors, self.traded_tariff = self.factors, self.tariff_in_force
        self._pi = pi = market.price_index(self.factors, weight, st.price[:, :s].T)
        purchaser = np.concatenate([pi.price.T, st.price[:, s:]], axis=1)
        st.purchaser_price = purchaser
        st.intermediate = st.output @ wp.a.T * purchaser  # [i, r] = sum_s a[r, s] Q[i, s] P[i, r]
        st.final_spend = st.absorption[:, None] * wp.budget[None, :]
        spend = st.final_spend + st.intermediate
        self._spend_traded = spend[:, :s].T
        agg = market.trade_flows(self.factors, pi, self._spend_traded)
        if pi.reachable:  # every buyer has an open origin in every sector: all spending is placed
            st.unmet = np.zeros(self.n)
            unmet_inter = 0.0
        else:
            unmet_sector = spend[:, :s] - agg.spent.T
            final_frac = np.where(
                spend[:, :s] > 0, st.final_spend[:, :s] / np.where(spend[:, :s] > 0, spend[:, :s], 1.0), 0.0
            )
            st.unmet = np.sum(unmet_sector * final_frac, axis=1)
            unmet_inter = np.sum(unmet_sector * (1.0 - final_frac), axis=1)
        revenue = np.concatenate([agg.revenue.T, spend[:, s:]], axis=1)
        st.spent = st.absorption - st.unmet
        st.tariff = agg.tariff.sum(axis=0)
        st.exports_sector = agg.exports.T
        st.imports_sector = agg.imports.T
        st.exports = st.exports_sector.sum(axis=1)
        st.imports = st.imports_sector.sum(axis=1)
        st.value_added = revenue.sum(axis=1) - (st.intermediate.sum(axis=1) - unmet_inter)
        st.gdp = st.value_added + st.tariff
        st.output = revenue / st.price
        st.sales = revenue
        self._wage_usd, self._alloc_traded, self._labor_traded = st.wage * st.e, st.alloc, st.labor
        st.util, st.util_sector = production.utilisation(revenue, st.price, st.capacity)

    def _settle(self) -> None:
        st, ca, fin, dt = self.state, self.ca, self.spec.world.finance, self.wp.dt
        st.ca = st.exports - st.imports + st.nii
        accounts.check_finite(self.tick, self.names, absorption=st.absorption)  # GDP: check_flows
        accounts.check_flows(self.tick, self.names, st.exports, st.imports, st.gdp, st.spent, st.nii, st.ca)
        st.pressure = (st.ca - st.desired_lending) / st.full_income
        fx = policy.intervention(
            self.regime, st.ca - st.desired_lending, st.fx_plan, self.spec.world.exchange_rate.managed_share
        )
        held = st.reserves.sum(axis=1)
        st.fx = policy.limit_sales(fx, held, self._res_int.sum(axis=1), dt)
        # a peg breaks when the sales it cannot pay for exceed 0.5% of income, not on a rounding
        broke = (st.fx > fx + 0.005 * st.full_income) & (self.regime != policy.FLOAT)
        if broke.any():
            realigning = self._realign_end > self.tick
            for i in np.flatnonzero(broke):
                self.notes.append(
                    f"tick {self.tick}: {self.names[i]} ran out of reserves"
                    + (" during its realignment; the realignment stops and " if realigning[i] else "; ")
                    + "its currency floats from now on"
                )
            self._realign_end = np.where(broke & realigning, self.tick, self._realign_end)
            pegs = broke & (self.base_regime != policy.FLOAT)
            self.base_regime = np.where(pegs, policy.FLOAT, self.base_regime)
            self.regime = np.where(broke, policy.FLOAT, self.regime)
            self._broken = pegs if getattr(self, "_broken", None) is None else (self._broken | pegs)
        st.writedown = finance.writedowns(st.nfa, st.private, st.full_income, fin.default_debt, fin.writedown)
        st.reserves, st.liabilities, st.private, st.nfa = accounts.settle_stocks(
            st.reserves,
            st.liabilities,
            st.private,
            st.nfa,
            st.ca,
            st.fx,
            self._res_int,
            ca.settlement,
            ca.issuer_index,
            st.writedown,
            dt,
        )
        self._stock_scale = accounts.check_stocks(
            self.tick, self.names, st.nfa, st.reserves, st.liabilities, st.private, st.gdp, self._stock_scale
        )

    def _set_policy(self) -> None:
        st, fin, fxp = self.state, self.spec.world.finance, self.spec.world.exchange_rate
        gross = np.sum(st.price * st.capacity, axis=1) / st.full_income
        gain = policy.rate_gain(self.wp.adjustment, self._eta, gross, self.wp.dt)
        log_e = policy.update_rates(np.log(st.e), self.regime, st.pressure, gain, fxp.managed_share, self.anchor)
        if self.ca.crawl.any():
            log_e = policy.crawl_step(
                log_e, np.where(self._realign_end > self.tick, 0, self.regime), self.ca.crawl, self.wp.dt, self.anchor
            )
        if (self._realign_end > self.tick).any():
            log_e = log_e + np.where(self._realign_end > self.tick, self._realign_drift * self.wp.dt, 0.0)
        st.premium = finance.premium(st.nfa, st.full_income, fin.premium_threshold, fin.premium_slope, fin.premium_cap)
        debt = finance.debt_to_income(st.nfa, st.full_income)
        stopped = debt > fin.sudden_stop_debt
        entering = stopped & ~st.stopped & (self.regime == policy.FLOAT)
        entering[self.anchor] = False
        log_e = log_e + np.where(entering, np.log1p(-fin.stop_depreciation), 0.0)
        st.stopped = stopped
        st.e = np.exp(log_e)
        st.tariff_prev = st.tariff
        st.household_debt = np.maximum(st.household_debt + self.wp.dt * st.household_credit, 0.0)
        if self._retaliates:
            self._retaliate()

    def _retaliate(self) -> None:
        """Match the tariffs partners levy on each retaliating country, after its lag."""
        st, ca = self.state, self.ca
        history = getattr(self, "_tariff_history", None)
        if history is None:
            history = self._tariff_history = []
        history.append(self.tariff_in_force.mean(axis=0))
        lag = np.round(ca.ret_lag_years / self.wp.dt).astype(int)
        new = policy.retaliation_tariffs(history, lag, ca.retaliates, ca.ret_match, ca.ret_escalation, ca.ret_cap)
        keep = max(int(lag.max()) + 1, 1)
        del history[:-keep]
        if not np.array_equal(new, st.retaliation):
            st.retaliation = new
            self._refresh_factors()

    def _develop(self) -> None:
        st, wp, dev = self.state, self.wp, self.spec.world.development
        dt, s = wp.dt, self.s
        shocks = self.streams["noise"].standard_normal((self.n, s + 1))
        draws = self.streams["innovation"].random(3)
        trend_before = st.log_base + st.log_innov
        absorb = development.absorptive_capacity(st.investment, st.full_income, dev.absorptive_elasticity)
        speed = dev.catchup_speed * self.ca.catchup * absorb
        st.log_base = development.catch_up(
            st.log_base, st.log_frontier, speed, dev.catchup_curvature, dev.frontier_growth, dt, dev.uneven
        )
        st.log_frontier = st.log_frontier + dev.frontier_growth * dt
        total = st.capacity.sum(axis=0)
        weight = st.capacity / np.where(total > 0, total, 1.0)
        gap = (st.innov_frontier[None, :] - st.log_innov) + (st.log_frontier[None, :] - st.log_base)
        hit = development.innovation(draws, dev.innovation_rate, dt, weight, gap, dev.catchup_curvature, s)
        if hit is not None:
            i, k = hit
            ks = np.arange(s) if dev.innovation_scope == "traded" else np.array([k])
            st.innov_frontier[ks] = np.maximum(st.innov_frontier[ks], st.log_innov[i, ks]) + dev.innovation_size
            st.innovator[ks] = i
            self.last_innovation = (self.tick, self.names[i], self.sectors[k] if ks.size == 1 else "traded")
        st.log_innov = development.adopt(
            st.log_innov,
            st.innov_frontier,
            dev.adoption_speed,
            absorb,
            dt,
            dev.uneven,
            st.innovator,
            dev.innovator_adoption,
        )
        st.noise = development.noise_step(st.noise, shocks, dev.noise_persistence, dev.noise_sd, dt)
        g_now = np.sum(st.alloc * ((st.log_base + st.log_innov) - trend_before), axis=1) / dt
        st.growth = st.growth + (1.0 - np.exp(-self.spec.world.prices.wage_lag * dt)) * (g_now - st.growth)
        k_w = development.wage_gain(wp.theta, self._eta, dt)
        st.wage = st.wage * np.exp(st.growth * dt + k_w * np.log(np.maximum(st.util, 1e-12)))
        st.labor = st.labor * np.exp(self.ca.labor_growth * dt)
        st.firm_writeoff = np.zeros(self.n)
        if self._lending or st.firm_debt.any():
            pol = self.spec.world.policy
            # costs of the tick just traded: wages of the sector's workers and its inputs
            # (and interest on their state-bank debt, paid to domestic banks)
            costs = (
                self._wage_usd[:, None] * self._alloc_traded * self._labor_traded[:, None]
                + st.input_cost * st.output
                + (st.rate[:, None] + pol.capacity_depreciation) * st.firm_debt
            )
            (st.extra_capacity, st.firm_debt, st.loss_years, st.firm_writeoff) = policy.state_lending_step(
                self.ca.lending, st.sales, costs, st.extra_capacity, st.firm_debt, st.loss_years, pol, dt
            )
        st.relocated = np.zeros(self.n)
        if dev.relocation_rate > 0 and self.n > 1:
            k = self.sectors.index(dev.relocation_sector)
            prod = st.productivity()
            ulc = st.wage * st.e / prod[:, k]
            moved = development.relocation(
                ulc,
                st.alloc[:, k] * prod[:, k] * st.labor,
                st.labor,
                dev.relocation_threshold,
                dev.relocation_scale,
                dev.relocation_rate,
                dt,
            )
            st.alloc, st.log_base, st.relocated = development.apply_relocation(
                moved,
                st.alloc,
                st.log_base,
                st.log_frontier,
                prod,
                st.labor,
                k,
                self.sectors.index(dev.upgrade_sector),
                dev.relocation_upgrade,
                dev.relocation_technology,
            )

    # ------------------------------------------------------------------ convenience

    @property
    def imbalance_index(self) -> float:
        """Global imbalance index this tick: sum of |current account| / world GDP."""
        st = self.state
        return float(np.abs(st.ca).sum() / st.gdp.sum()) if st.ca is not None else 0.0

    @property
    def world_rate(self) -> float:
        """World interest rate this tick, per year."""
        return float(self.state.world_rate)

    def run(self, ticks: int | None = None, progress: bool = False) -> None:
        """Run ``ticks`` more ticks (default: to the scenario's end)."""
        end = self.spec.simulation.ticks if ticks is None else self.tick + ticks
        rng = range(self.tick, end)
        if progress:
            from tqdm import tqdm

            rng = tqdm(rng, desc=self.spec.simulation.name, unit="tick", leave=False)
        for _ in rng:
            self.step()

    def check_sane(self) -> None:
        """Raise a SimulationError if a quantity left its economic range (non-positive GDP...)."""
        st = self.state
        bad = np.flatnonzero(~(st.gdp > 0))
        if bad.size:
            raise SimulationError(
                self.tick, self.names[bad[0]], "gdp", f"is {st.gdp[bad[0]]:.6g}; GDP must stay positive"
            )
