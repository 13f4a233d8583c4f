"""The scenario file's schema: every key, its type, unit, default and legal range.

Structure, types and ranges are checked here by pydantic (strict types, no NaN or infinity,
unknown keys rejected); checks that relate one key to another (a sector named in
``labor_shares`` must exist, input coefficients of a sector must sum below one, ...) are in
:func:`sim.scenario.check_semantics`. ``docs/scenarios.md`` documents every key.

Units: money in billions of US dollars (the unit of account), flows at annual rates; labor in
millions of workers; rates and growth rates per year, whatever the tick length.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

SERVICES = "services"
"""The non-traded sector, always present, bought only at home."""


class Strict(BaseModel):
    """Base for every table of the file: unknown keys, wrong types and NaN/inf are errors."""

    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False, validate_default=True, use_attribute_docstrings=True
    )


Frac = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
NonNeg = Annotated[float, Field(ge=0.0)]
# no dots, brackets or quotes (key paths), no leading space, no control characters (NumPy's
# text arrays drop a trailing NUL, which turned a country's rows in the output tables into NaN)
Name = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[^.\[\]\"\s\x00-\x1f\x7f][^.\[\]\"\x00-\x1f\x7f]*$")
]

_NOT_IN_FILE_NAMES = re.compile(r'[/\\:*?<>|.\[\]"\s\x00-\x1f\x7f]+')
_FILE_NAME = re.compile(r'^[^/\\:*?<>|.\[\]"\s\x00-\x1f\x7f][^/\\:*?<>|.\[\]"\x00-\x1f\x7f]*$')
_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def file_name_problem(name: object) -> str | None:
    """Why ``name`` cannot name a file or folder inside the results folder, or None if it can.

    A plain name: 1 to 64 characters, no path separator, no dot (so never ``..``), none of
    ``:*?<>|[]"``, no control character, no white space at either end, not a Windows device name.
    Every name that reaches a file path (a scenario's ``simulation.name``, an experiment's,
    sweep's or arm's name) is checked with it at load.
    """
    if not isinstance(name, str) or not 1 <= len(name) <= 64:
        return "must be a text of 1 to 64 characters"
    if not _FILE_NAME.match(name) or name != name.rstrip():
        return (
            f"{name!r} is not a plain name: it names a folder inside the results folder, so it may not hold "
            'a path separator (/ or \\), a dot, any of :*?<>|[]" or a control character, nor start or end with a space'
        )
    if name.upper() in _DEVICES:
        return f"{name!r} is a reserved device name on Windows"
    return None


def as_file_name(text: str, default: str) -> str:
    """``text`` made a plain name (each run of forbidden characters or white space becomes ``_``),
    e.g. a file's stem as a default name; ``default`` if nothing is left.
    """
    name = _NOT_IN_FILE_NAMES.sub("_", text).strip("_")[:64]
    return name if name and file_name_problem(name) is None else default


def _file_name(name: str) -> str:
    why = file_name_problem(name)
    if why:
        raise ValueError(why)
    return name


FileName = Annotated[str, AfterValidator(_file_name)]
"""A name that becomes a file or folder name (see :func:`file_name_problem`)."""


class Simulation(Strict):
    """``[simulation]``: length, randomness and logging of a run."""

    name: FileName | None = None
    """Scenario name used for the results folder (a plain name: no path separator or dot);
    defaults to the file's stem."""
    ticks: int = Field(200, ge=1, le=1_000_000)
    """Number of ticks to run (ticks are numbered from 0). A length over which levels could grow
    or shrink past e^300 (frontier growth, expected innovations and labor growth x years) is
    refused with the longest length that works (docs/model.md §2)."""
    seed: int = Field(0, ge=0, le=2**63 - 1)
    """Seed of the model's random streams (noise, innovations, ...)."""
    tick_length: Literal["year", "quarter"] = "year"
    """A tick is a year or a quarter; rates in the file stay annual and are scaled."""
    responses: Literal["next_tick", "within_tick"] = "next_tick"
    """When prices, wages, floating rates and workers respond to a tick's utilisation and FX
    pressure: from the next tick (``"next_tick"``, as before), or half already within the tick,
    from a predicted pass (``"within_tick"``: the trapezoidal rule; annual ticks then respond to noise as finer ticks do, at about 1.5
    times the CPU; docs/model.md §2)."""
    start_year: int = Field(2000, ge=-10_000, le=100_000)
    """Calendar year of tick 0: it labels the tables' ``year`` column and, when the file sets it,
    lets events (``year``, ``quarter``) and metric windows (``years``) be dated."""
    log_every: int = Field(1, ge=1)
    """Country-level series are logged every this many ticks (and at the last tick)."""
    bilateral_every: int = Field(1, ge=0)
    """Bilateral flows are logged every this many ticks; 0 logs none."""


class PairCost(Strict):
    """One trade-cost override between two countries (iceberg cost, tau - 1)."""

    origin: Name
    """Exporting country."""
    destination: Name
    """Importing country."""
    cost: Annotated[float, Field(ge=0.0, le=100.0)]
    """Iceberg trade cost, tau - 1."""
    symmetric: bool = True
    """Also set the cost from destination to origin."""


class Prices(Strict):
    """``[world.prices]``: price, wage and sector-labor responses to utilisation."""

    markup: Annotated[float, Field(ge=0.0, le=5.0)] = 0.2
    """Markup over unit cost."""
    price_response: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    """gamma: elasticity of the price factor to utilisation (0 = prices ignore capacity)."""
    price_adjustment: Annotated[float, Field(gt=0.0, le=50.0)] = 2.0
    """rho: speed (per year) at which the price factor moves toward utilisation**gamma; it is
    divided by (1 + gamma*sigma) so the adjustment is stable for every legal sigma."""
    wage_response: Annotated[float, Field(ge=0.0, le=5.0)] = 0.3
    """theta: wage growth per year per unit of log utilisation (wages follow demand pressure)."""
    wage_lag: Annotated[float, Field(gt=0.0, le=50.0)] = 0.5
    """Speed (per year) at which wage growth follows productivity growth."""


class Demand(Strict):
    """``[world.demand]``: how absorption is planned."""

    habit: Frac = 0.5
    """Weight of habit-smoothed (lagged) income in the income consumption is planned from."""
    habit_speed: Annotated[float, Field(gt=0.0, le=50.0)] = 0.33
    """Speed (per year) at which habit income follows full-capacity income."""
    wealth_effect: Annotated[float, Field(ge=0.0, le=1.0)] = 0.03
    """Share of net foreign assets spent (or, if negative, saved) per year."""
    interest_sensitivity: Annotated[float, Field(ge=0.0, le=100.0)] = 2.0
    """Semi-elasticity of consumption to the country's interest rate."""
    investment_interest_sensitivity: Annotated[float, Field(ge=0.0, le=100.0)] = 4.0
    """Semi-elasticity of investment to the country's interest rate."""
    investment_growth_response: Annotated[float, Field(ge=0.0, le=50.0)] = 2.0
    """Rise in the investment rate (relative) per unit of productivity growth above the world's."""
    consumption_floor: Frac = 0.2
    """Consumption never falls below this share of consumption planned from income alone."""
    consumption_drift: Annotated[float, Field(ge=-0.2, le=0.2)] = 0.0
    """Change of the propensity to consume per unit of log income per worker relative to the
    world's (0 = none; positive: richer countries consume more of their income)."""
    ricardian_offset: Frac = 0.4
    """omega: share of a fiscal deficit households offset by saving more (1 = full Ricardian
    equivalence, 0 = none); the rest of the deficit raises absorption. Acts only in countries
    with a government (``country.<name>.government``)."""


class Finance(Strict):
    """``[world.finance]``: interest rates, premia, sudden stops and default."""

    interest_rate: Annotated[float, Field(ge=-0.05, le=0.3)] = 0.03
    """Reference world interest rate (per year) around which demand is calibrated."""
    rate_bounds: list[Annotated[float, Field(ge=-1.0, le=10.0)]] = Field(
        default_factory=lambda: [-0.05, 0.30], min_length=2, max_length=2
    )
    """Bracket of the world-rate solve; a tick with no root inside uses an end and is logged."""
    premium_threshold: Annotated[float, Field(ge=0.0, le=10.0)] = 0.4
    """Net external debt / GDP above which debtors pay a premium."""
    premium_slope: Annotated[float, Field(ge=0.0, le=10.0)] = 0.05
    """Premium (per year) per unit of debt/GDP above the threshold."""
    premium_cap: Annotated[float, Field(ge=0.0, le=1.0)] = 0.08
    """Largest premium (per year): no debt-interest spiral."""
    issuer_privilege: Annotated[float, Field(ge=0.0, le=0.2)] = 0.01
    """Rate discount (per year) of a reserve issuer whose currency settles all world trade; it
    scales with the issuer's share of settlement."""
    sudden_stop_debt: Annotated[float, Field(gt=0.0, le=20.0)] = 1.0
    """Net external debt / GDP at which lenders stop: absorption is cut to income plus what
    reserves can pay."""
    stop_years: Annotated[float, Field(ge=0.0, le=20.0)] = 0.0
    """Least length of a sudden stop, years: lenders stay away this long once it starts (lending
    nothing more), then until debt / GDP is back below ``sudden_stop_debt``. 0 = only the latter."""
    stop_floor: Frac = 0.85
    """In a sudden stop absorption falls to no less than this share of planned absorption."""
    stop_depreciation: Frac = 0.15
    """A floater's currency falls by this share on entering a sudden stop."""
    default_debt: Annotated[float, Field(gt=0.0, le=50.0)] = 1.6
    """Net external debt / GDP past which private foreign debt is written down."""
    writedown: Frac = 0.5
    """Share of the defaulter's private foreign debt written down; creditors lose pro rata."""
    portfolio_sensitivity: Annotated[float, Field(ge=0.0, le=10.0)] = 4.0
    """phi: desired private portfolio inflow per year, as a share of the country's open income,
    per unit (per year) of expected excess return over the world average (policy-rate gap less
    expected depreciation). Acts only where a policy rate differs from the world rate or
    expectations are regressive."""
    expectation_reversion: Annotated[float, Field(ge=0.0, le=0.4)] = 0.0
    """theta: investors expect a currency to close this share (per year) of its log distance to
    its balanced-start rate (regressive expectations); 0 = static expectations (random walk). At
    most 0.4, so that the loop gain it adds to a floating rate (rate gain x phi x theta, with a
    rate gain near 0.2) stays below 1."""


class ExchangeRate(Strict):
    """``[world.exchange_rate]``: how floating and managed rates move."""

    adjustment: Annotated[float, Field(ge=0.0, le=50.0)] = 2.0
    """Log change per year of a floater's rate per unit of pressure / GDP."""
    managed_share: Frac = 0.7
    """Share of the pressure a managed-rate central bank absorbs with FX purchases or sales."""


class Policy(Strict):
    """``[world.policy]``: how trade and industrial policies work."""

    pull_forward: Annotated[float, Field(ge=0.0, le=5.0)] = 0.3
    """During an announced tariff's notice, buyers raise the weight of the targeted origins by
    this share (front-loading; the seeds' December 2024 rush)."""
    lending_cost_effect: Annotated[float, Field(ge=0.0, le=2.0)] = 0.5
    """Cut in a sector's unit cost per unit of state lending (credit / sales)."""
    lending_capacity_effect: Annotated[float, Field(ge=0.0, le=20.0)] = 0.4
    """Capacity built per year per unit of state lending (credit / sales), as a share of the
    sector's base capacity: about 1 / the capital-output ratio."""
    capacity_depreciation: Annotated[float, Field(ge=0.0, le=1.0)] = 0.08
    """Depreciation per year of capacity built with state credit."""
    firm_repayment: Annotated[float, Field(ge=0.0, le=1.0)] = 0.1
    """Share of their debt firms repay per year out of profits, when profits allow."""
    default_loss_years: Annotated[float, Field(gt=0.0, le=50.0)] = 3.0
    """Firms whose price has stayed below unit cost this many years in a row default: their
    state-bank debt is written off (a domestic loss)."""


class Development(Strict):
    """``[world.development]``: productivity growth, catch-up and innovations."""

    frontier_growth: Annotated[float, Field(ge=-0.05, le=0.2)] = 0.015
    """Growth per year of the productivity frontier in every sector."""
    catchup_speed: Annotated[float, Field(ge=0.0, le=5.0)] = 0.02
    """Catch-up speed (per year) toward the sector frontier at the reference investment rate."""
    catchup_curvature: Annotated[float, Field(gt=0.0, le=10.0)] = 0.3
    """h in gap**2/(gap + h): catch-up slows near the frontier."""
    absorptive_elasticity: Annotated[float, Field(ge=0.0, le=5.0)] = 1.0
    """Elasticity of catch-up speed to the investment rate (absorptive capacity)."""
    capability_threshold: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5
    """Social capability below which a country absorbs only capability / threshold of the
    frontier's growth and of its catch-up and adoption speeds (club convergence); 0.5: half the
    leaders' capability, a round value in the region of the adult-literacy splits between growth
    regimes in 1960 cross-sections (Azariadis and Drazen 1990; Durlauf and Johnson 1995), not an
    estimate."""
    noise_sd: Annotated[float, Field(ge=0.0, le=0.2)] = 0.005
    """Shock standard deviation of the transitory productivity noise, an AR(1) across years in annual averages (any tick length)."""
    noise_persistence: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.7
    """Annual persistence of the productivity noise's annual averages."""
    innovation_rate: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
    """Expected number of large innovations per year (0 = none)."""
    innovation_size: Annotated[float, Field(ge=0.0, le=3.0)] = 0.3
    """Jump in log productivity of the innovating country's sector (or sectors)."""
    innovation_scope: Literal["sector", "traded"] = "sector"
    """``sector``: an innovation raises one traded sector; ``traded``: a general-purpose
    technology raising every traded sector of the innovating country."""
    adoption_speed: Annotated[float, Field(ge=0.0, le=5.0)] = 0.12
    """Speed (per year) at which followers close their gap to the innovation frontier."""
    innovator_adoption: Annotated[float, Field(ge=0.0, le=50.0)] = 50.0
    """Speed (per year) at which the innovating country embodies its own innovation (50 is
    practically at once; lower values spread it over years, as new technology needs new capital)."""
    uneven: bool = True
    """False: every country grows at the frontier rate and every innovation reaches everyone at
    once (the same random draws are still made)."""
    relocation_rate: Annotated[float, Field(ge=0.0, le=2.0)] = 0.0
    """Largest share (per year) of a country's capacity in the relocating sector that moves
    abroad (0 = no relocation)."""
    relocation_sector: Name = "labor"
    """The traded sector whose capacity relocates toward lower unit labor costs."""
    relocation_threshold: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.3
    """Capacity moves to a partner only where the partner's unit labor cost is lower by more
    than this share."""
    relocation_scale: Annotated[float, Field(gt=0.0, le=10.0)] = 0.5
    """Log cost advantage beyond the threshold at which relocation reaches its largest rate."""
    relocation_technology: Frac = 0.5
    """Share of the origin's productivity lead that relocated capacity carries to its
    destination (weighted by the moved share of the destination's capacity)."""
    relocation_upgrade: Frac = 0.5
    """Share of the labor freed by relocation that moves into ``upgrade_sector``; the rest is
    spread over the other sectors in proportion."""
    upgrade_sector: Name = "hightech"
    """Sector the origin's freed labor moves up into (parts and capital goods)."""
    relocation_absorption: Annotated[float, Field(ge=0.0, le=1.0)] = 0.01
    """Largest share of a destination's labour force that relocated capacity may employ per
    year (how fast its labour market absorbs the plants; about the fastest recorded rise of a
    manufacturing employment share)."""
    relocation_utilisation: Annotated[float, Field(gt=0.0, le=10.0)] = 1.1
    """Utilisation of a destination's other sectors (the ones relocated plants hire from) that
    relocation may not push them above; a destination above it takes nothing. Also where the
    destination's pace stops: its hiring speed falls linearly from full use to this bound, of
    its country utilisation and of its relocating sector's."""
    fdi_return: Annotated[float, Field(ge=0.0, le=1.0)] = 0.07
    """Income per year paid by a destination on the FDI claims of the investors whose capacity
    it received (share of the claims)."""
    fdi_capital_output: Annotated[float, Field(ge=0.0, le=20.0)] = 2.5
    """Value of the FDI claim an investor acquires per unit of annual value added of the
    capacity it relocates (capital / output of the plants), years."""


class Structure(Strict):
    """``[world.structure]``: workers moving between sectors and budget shares moving with income."""

    reallocation_speed: Annotated[float, Field(ge=0.0, le=5.0)] = 0.25
    """Speed (per year) at which a country's labour shares close the gap to the shares its
    sectors' sales need (half-life ln 2 / speed: 2.8 years at 0.25; 0 = shares move only by
    relocation and events)."""
    income_elasticity: dict[Name, Annotated[float, Field(ge=0.0, le=5.0)]] | None = None
    """Income elasticity of final spending by sector, each 0 to 5 (only differences matter): the
    log ratio of two sectors' budget shares changes by the difference per unit of log income per
    worker, measured relative to the productivity frontier from the country's start (where the
    shares are ``budget_shares``). Sectors left out get 1. Default: primary 0.5, services 1.3,
    every other sector 1; all equal = budget shares fixed (homothetic)."""


DEFAULT_ELASTICITY = {"primary": 0.5, SERVICES: 1.3}
"""Income elasticities of the default sectors that differ from 1 (docs/model.md §7)."""

DEFAULT_INPUTS: dict[str, dict[str, float]] = {
    "labor": {"hightech": 0.15, "primary": 0.08},
    "hightech": {"hightech": 0.12, "primary": 0.06},
    "primary": {"primary": 0.05},
    "services": {"labor": 0.03, "hightech": 0.04, "services": 0.08},
}
DEFAULT_BUDGET = {"labor": 0.13, "hightech": 0.12, "primary": 0.05, "services": 0.70}


class World(Strict):
    """``[world]``: sectors, preferences, technology shared by all, trade costs, finance."""

    sectors: list[Name] = Field(default_factory=lambda: ["labor", "hightech", "primary"], min_length=1, max_length=200)
    """Traded sectors; the non-traded ``services`` sector is always added."""
    elasticity: Annotated[float, Field(gt=0.0, le=200.0)] | dict[Name, Annotated[float, Field(gt=0.0, le=200.0)]] = 4.0
    """sigma: elasticity of substitution between origins (one value, or one per traded sector)."""
    budget_shares: dict[Name, NonNeg] | None = None
    """Shares of final spending by sector, services included; must sum to 1. Default for the
    standard sectors: labor 0.13, hightech 0.12, primary 0.05, services 0.70."""
    inputs: dict[Name, dict[Name, NonNeg]] | None = None
    """Input coefficients: inputs.<using sector>.<input sector> = units per unit of output;
    each using sector's coefficients must sum below 1. Default for the standard sectors: labor
    uses hightech 0.15 (parts) and primary 0.08; hightech uses hightech 0.12 and primary 0.06;
    primary uses primary 0.05; services use labor 0.03, hightech 0.04, services 0.08."""
    trade_cost: Annotated[float, Field(ge=0.0, le=100.0)] = 0.6
    """Iceberg trade cost (tau - 1) between any two countries."""
    trade_costs: list[PairCost] = Field(default_factory=list)
    """Pair-specific trade costs overriding ``trade_cost`` and region costs
    (``[[world.trade_costs]]`` tables; ``pair_costs`` is the addressable form)."""
    pair_costs: dict[Name, dict[Name, Annotated[float, Field(ge=0.0, le=100.0)]]] = Field(default_factory=dict)
    """Iceberg cost (tau - 1) by pair, ``pair_costs.<origin>.<destination>``: symmetric unless the
    file (or an event) also gives the other direction. Overrides every other cost, so an event
    ``set = { "world.pair_costs.Japan.China" = 0.5 }`` is one opening step."""
    regions: dict[Name, list[Name]] = Field(default_factory=dict)
    """Named regions, ``regions.EastAsia = ["Japan", "China"]``; a country belongs to one region
    at most. Their costs are in ``region_costs``."""
    region_costs: dict[Name, dict[Name, Annotated[float, Field(ge=0.0, le=100.0)]]] = Field(default_factory=dict)
    """Iceberg cost between regions, ``region_costs.<from>.<to>`` (``region_costs.A.A`` inside
    region A); symmetric unless both directions are given. Overrides ``trade_cost``; the
    ``[[world.trade_costs]]`` list and ``pair_costs`` override it."""
    reserve_issuers: list[Name] | None = None
    """Countries whose currencies are held as reserves; the first is the unit of account.
    Default: the first country."""
    prices: Prices = Field(default_factory=Prices)
    """Price, wage and markup parameters."""
    demand: Demand = Field(default_factory=Demand)
    """Consumption and investment parameters."""
    finance: Finance = Field(default_factory=Finance)
    """Interest rates, premia, sudden stops and default."""
    exchange_rate: ExchangeRate = Field(default_factory=ExchangeRate)
    """Exchange-rate adjustment."""
    development: Development = Field(default_factory=Development)
    """Productivity growth, catch-up and innovations."""
    policy: Policy = Field(default_factory=Policy)
    """Trade and industrial policy parameters."""
    structure: Structure = Field(default_factory=Structure)
    """Workers moving between sectors and Engel curves."""


class ExportControl(Strict):
    """``[country.<name>.export_controls.<sector>]``: the country's exports of one sector."""

    destinations: list[Name] = Field(min_length=1)
    """Destinations whose purchases are blocked; ``["*"]`` means every other country."""
    exempt: list[Name] = Field(default_factory=list)
    """Destinations exempted (the "double standard": allies keep buying)."""
    allowed_share: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    """0 bans the exports; a positive value is a quota letting through this share of what the
    controlled buyers would otherwise buy from the country (the rest is diverted)."""


class Retaliation(Strict):
    """``[country.<name>.retaliation]``: how the country answers tariffs levied on it."""

    match: Annotated[float, Field(ge=0.0, le=5.0)] = 1.0
    """Tariff levied on a partner per unit of the (sector-average) tariff that partner levies
    on this country, above what this country's own schedule already sets."""
    lag_years: Annotated[float, Field(ge=0.0, le=20.0)] = 1.0
    """Delay before matching, years."""
    escalation: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    """Extra tariff added on top of the match (0 = tit for tat; positive values escalate when
    the partner retaliates too)."""
    cap: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    """Largest retaliatory tariff."""


class Government(Strict):
    """``[country.<name>.government]``: spending, taxes, a fiscal rule and public debt.

    The default (no spending, no taxes, no debt, no rule) is no government.
    """

    spending: Annotated[float, Field(ge=0.0, le=0.6)] = 0.0
    """Government purchases, share of full-capacity income; spent through the same market as
    private final demand (the world's budget shares)."""
    tax: Annotated[float, Field(ge=0.0, le=0.6)] = 0.0
    """Taxes, share of full-capacity income, before the fiscal rule's adjustment."""
    balance_target: Annotated[float, Field(ge=-0.3, le=0.3)] | None = None
    """Fiscal balance (taxes - spending - interest on public debt) the rule aims at, share of
    full-capacity income (-0.03: a deficit of 3%); none: no rule, taxes stay at ``tax``."""
    adjustment_speed: Annotated[float, Field(gt=0.0, le=20.0)] = 0.5
    """Speed (per year) at which the rule moves taxes to close the gap to ``balance_target``."""
    debt: Annotated[float, Field(ge=0.0, le=5.0)] = 0.0
    """Initial public debt, share of GDP, held by the country's own households."""


class Country(Strict):
    """One ``[[country]]`` table."""

    name: Name
    """Unique name (no dots, brackets or quotes); '*' is reserved."""
    labor_force: Annotated[float, Field(gt=0.0, le=1e5)]
    """Millions of workers."""
    labor_growth: Annotated[float, Field(ge=-0.1, le=0.1)] = 0.0
    """Growth of the labor force per year."""
    productivity: Annotated[float, Field(gt=0.0, le=1e6)] | dict[Name, Annotated[float, Field(gt=0.0, le=1e6)]] = 1.0
    """Productivity by sector relative to the best country (one value for all sectors, or a table)."""
    labor_shares: dict[Name, NonNeg] | None = None
    """Shares of the labor force in each sector, services included; must sum to 1. Default: the
    world's budget shares."""
    wage: Annotated[float, Field(gt=0.0, le=1e8)] | None = None
    """Initial wage, thousand US dollars per worker-year. Default: 60 times the labor-weighted
    productivity (the exchange rate that balances the start is solved either way). The bound is
    above 60 x the largest legal productivity, so every default wage is itself legal."""
    propensity_to_consume: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.78
    """Share of (habit-smoothed full-capacity) income consumed at the reference interest rate."""
    investment_rate: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.22
    """Investment / full-capacity income at the reference rate and world-average growth. With
    propensity + investment rate = 1 a country plans neither to lend nor to borrow."""
    exchange_rate_regime: Literal["float", "managed", "peg"] = "float"
    """float: the rate clears the FX market; managed: the central bank absorbs part of the
    pressure; peg: it absorbs all of it while reserves last."""
    net_foreign_assets: Annotated[float, Field(ge=-5.0, le=5.0)] = 0.0
    """Initial net foreign assets, share of GDP."""
    reserves_months: Annotated[float, Field(ge=0.0, le=240.0)] = 0.0
    """Initial official reserves, months of imports."""
    catchup_speed: Annotated[float, Field(ge=0.0, le=20.0)] = 1.0
    """Multiplier of the world catch-up speed: how fast a capable country closes its gap to the
    frontier (openness to foreign technology, distance, language); ``capability`` says whether
    it can absorb the frontier at all."""
    capability: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0
    """Social capability (institutions and education; Abramovitz 1986), 0 to 1, the leaders' 1,
    on the scale of an adult literacy rate. At or above ``world.development.capability_threshold``
    it changes nothing; below it, absorptive capacity and the share of the frontier's growth the
    country absorbs are scaled by capability / threshold, so it falls behind the frontier."""
    settlement: dict[Name, NonNeg] | None = None
    """Shares of the country's trade settled in each reserve issuer's currency (sum 1);
    reserves are held in the same shares. Default: all in the first issuer."""
    liabilities_own_currency: Frac = 0.0
    """Share of the country's gross private foreign liabilities denominated in its own currency;
    the rest are in the unit of account (the first reserve issuer's currency). Its private foreign
    assets are claims on the world pool, in the currencies of everyone's liabilities. 0 (the
    default) puts every private claim in the unit of account, so only reserves held on a second
    issuer are revalued when rates move (docs/model.md §7.5)."""
    gross_liabilities: Annotated[float, Field(ge=0.0, le=20.0)] = 1.0
    """Gross private foreign liabilities of the country beyond its net debt, share of a year's
    GDP: with no net claims it owes this much and holds as much in foreign assets. It matters
    only for the revaluation of claims when exchange rates move."""
    reserve_target_months: Annotated[float, Field(ge=0.0, le=240.0)] = 0.0
    """Precautionary reserve target, months of imports (0 = none). While below it the central
    bank buys FX, financed by national saving (sterilised), closing ``reserve_adjustment`` of the
    gap per year."""
    reserve_adjustment: Annotated[float, Field(gt=0.0, le=20.0)] = 0.3
    """Speed (per year) at which the central bank closes the gap to its reserve target."""
    undervaluation: Annotated[float, Field(ge=-1.0, lt=0.9)] = 0.0
    """Share by which a managed or pegged currency is held below its balanced-start rate (the
    defended undervaluation of an export-led policy); negative values overvalue it (-0.2: held
    20% above). When it is set (at the start, or by an event that changes it, or when the
    currency becomes managed or pegged with a value other than 0) the rate is moved to
    balanced-start rate x (1 - undervaluation), against the unit of account; from there it
    crawls (``crawl``) and, if managed, moves with the pressure it does not absorb. Ignored for
    floating currencies."""
    crawl: Annotated[float, Field(ge=-0.5, le=0.5)] = 0.0
    """Growth per year of a managed or pegged currency's target rate (USD per local unit): 0.07
    lets it appreciate 7% a year (a crawling peg), -0.05 depreciate 5%. Ignored for floaters."""
    policy_rate: Annotated[float, Field(ge=-0.1, le=1.0)] | None = None
    """Central-bank policy rate, per year (-0.1 to 1): the country's base rate, to which its risk
    premium is added. Absent: the base rate follows the world rate (no gap, no portfolio flow from
    it; an event cannot unset it, but can set it to any rate). A
    rate above the world rate draws private portfolio inflows (``world.finance.portfolio_sensitivity``)."""
    capital_controls: Frac = 0.0
    """Capital-control intensity: private capital flows (desired lending and portfolio flows)
    are multiplied by 1 - this; with 1 private claims stay constant and the current account
    must equal official flows (a floater's rate moves until it does, a managed or pegged
    country's reserves absorb it). Refused on a reserve issuer."""
    export_credit: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    """State-bank credit for investment tied to export earnings: investment rises by this share
    of exports."""
    unit_cost_cut: Annotated[float, Field(ge=0.0, le=0.5)] = 0.0
    """Cut in the unit cost of the traded sectors from state support (cheap credit, inputs)."""
    household_credit: Annotated[float, Field(ge=0.0, le=0.3)] = 0.0
    """New household borrowing per year, share of income, while household debt is below its
    limit (0 = households do not borrow); it adds to consumption."""
    household_debt_limit: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    """Household debt / income above which households stop borrowing and repay."""
    household_deleveraging: Annotated[float, Field(ge=0.0, le=1.0)] = 0.1
    """Share of the excess over the limit repaid per year (out of consumption)."""
    tariffs: dict[
        Name, Annotated[float, Field(ge=0.0, le=10.0)] | dict[Name, Annotated[float, Field(ge=0.0, le=10.0)]]
    ] = Field(default_factory=dict)
    """Ad valorem tariffs the country levies on imports: tariffs.<partner> = rate (every traded
    sector) or a table by sector; partner ``"*"`` means every other country."""
    export_controls: dict[Name, ExportControl] = Field(default_factory=dict)
    """Export controls by traded sector."""
    retaliation: Retaliation | None = None
    """Retaliation rule (none: the country does not retaliate)."""
    state_lending: dict[Name, Annotated[float, Field(ge=0.0, le=1.0)]] = Field(default_factory=dict)
    """State-bank credit to traded sectors, share of the sector's sales per year: it lowers the
    sector's unit cost and builds capacity beyond what demand asks; firms carry the debt."""
    government: Government = Field(default_factory=Government)
    """The government (default: none: no spending, taxes or debt)."""
    fdi_open: Frac = 1.0
    """Openness to foreign direct investment (0 closed .. 1 open): scales how much relocated
    capacity the country can take as a destination."""


Number = Annotated[float, Field(allow_inf_nan=False)]


class Realign(Strict):
    """``[event.realign]``: a coordinated realignment of a floating currency (Plaza, 1985)."""

    currency: Name
    """The country whose currency is realigned."""
    change: Annotated[float, Field(gt=-0.95, le=10.0)]
    """Total change of its value against ``against`` (-0.4: it falls 40%), reached in
    ``years`` along a constant log path."""
    years: Annotated[float, Field(gt=0.0, le=50.0)]
    """Years over which the move is made."""
    against: list[Name] | None = None
    """Currencies it moves against. Realigning the unit of account (the first reserve issuer)
    needs this list, and each listed currency moves by 1/(1 + change) against it; any other
    currency moves against the unit of account (omit the list or name only it). Each moved
    currency must float when the event starts; while it moves, its central bank takes the other
    side of the FX market with its reserves, as for a peg, and if they run out the move stops
    and the currency floats (the run's notes say when)."""


class Event(Strict):
    """One ``[[event]]`` table: at its date, set, scale or add to key paths, or realign a
    currency. Dated by exactly one of ``tick``, ``year`` or ``quarter``.
    """

    tick: int | None = Field(None, ge=0)
    """Tick at whose start the changes apply."""
    year: int | None = Field(None, ge=-10_000, le=100_000)
    """Calendar year at whose start the changes apply (needs ``simulation.start_year``)."""
    quarter: str | None = Field(None, pattern=r"^-?[0-9]{1,6}Q[1-4]$")
    """Calendar quarter, e.g. ``"2008Q3"`` (needs quarterly ticks and ``simulation.start_year``)."""
    announce_ticks: int = Field(0, ge=0, le=1000)
    """Ticks of advance notice: during them, buyers facing a tariff this event raises pull
    purchases forward from the targeted origins (``world.policy.pull_forward``)."""
    set: dict[str, Any] = Field(default_factory=dict)
    """Key path -> new value (a parameter, or a country's labor shares: workers move at once)."""
    scale: dict[str, Number] = Field(default_factory=dict)
    """Key path -> factor multiplying the parameter in force, or the current level of a state
    (``country.<name>.productivity[.<sector>]``, ``labor_force``, ``wage``)."""
    add: dict[str, Number] = Field(default_factory=dict)
    """Key path -> amount added to the parameter in force or to the current level of a state."""
    years: Annotated[float, Field(gt=0.0, le=1000.0)] | None = None
    """Make the ``scale`` and ``add`` shocks temporary: full for this many years, then they fade
    (``half_life``) or end. None: permanent."""
    half_life: Annotated[float, Field(gt=0.0, le=1000.0)] | None = None
    """After ``years``, a temporary shock fades exponentially with this half-life (years); it
    is removed outright once ten half-lives have passed (under 0.1% of it is left). None: it
    ends at once."""
    realign: Realign | None = None
    """A coordinated realignment of a floating currency."""
    note: str = ""
    """Free text, e.g. what the event stands for."""


class Scenario(Strict):
    """A whole scenario file."""

    simulation: Simulation = Field(default_factory=Simulation)
    world: World = Field(default_factory=World)
    country: list[Country] = Field(min_length=1, max_length=5000)
    event: list[Event] = Field(default_factory=list)

    @property
    def traded(self) -> list[str]:
        """Names of the traded sectors."""
        return list(self.world.sectors)

    @property
    def all_sectors(self) -> list[str]:
        """Traded sectors followed by services."""
        return [*self.world.sectors, SERVICES]

    @property
    def names(self) -> list[str]:
        """Country names in file order."""
        return [c.name for c in self.country]

    @property
    def dt(self) -> float:
        """Tick length in years."""
        return 1.0 if self.simulation.tick_length == "year" else 0.25
