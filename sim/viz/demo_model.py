"""The model the classroom demo drives: a shipped scenario plus the page's policy levers.

The levers act on a pair of countries, *country* and *partner* (by default China and the US
where the world has them, otherwise the largest non-issuer by labor force and the first reserve
issuer: :func:`default_pair`):

- ``reserve_target_months``: the country's precautionary reserve target, months of imports
  (0 keeps the scenario's own target);
- ``consumption_change``: added to the country's propensity to consume (0 keeps it);
- ``tariff``: the partner's tariff on the country's goods in every traded sector (0 keeps the
  scenario's tariffs);
- ``export_controls``: the partner bans exports of the ``hightech`` sector to the country (off
  keeps the scenario's controls);
- ``catchup``: multiplier of the world's speed of productivity catch-up (1 keeps it).

Each lever at its neutral position leaves the scenario as shipped. The levers take effect at
``start_tick`` (0: from the start) as one more scenario event, so the class sees the world
before and after the policy; scenario events after ``start_tick`` still apply. Nothing here
imports Solara: the model and the view data are testable without a browser.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import TradesimError
from sim.events import apply_params
from sim.model import TradeModel
from sim.scenario import apply_overrides, get_path, load_scenario, resolved_document

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
"""The shipped scenarios (the repository's ``scenarios/`` folder)."""

CLASSROOM = (
    "endless_cycle",
    "baseline",
    "reserve_targets",
    "export_led",
    "weak_consumption",
    "debt_limits",
    "export_controls",
    "tariffs",
    "trade_war",
    "state_lending",
    "settlement",
    "flying_geese",
    "china_2024",
    "history_1980",
)
"""Shipped scenarios offered on the page, in this order: the endless cycle first (the page's
story, balance -> imbalance -> rebalancing again and again), then the five-economy worlds, then
the others, the real history (1980-2024) last. Levers and colours follow each world's own
countries."""

CONTROLLED_SECTOR = "hightech"
"""The sector the export-controls lever blocks."""


@dataclass(frozen=True)
class Levers:
    """The page's policy levers (see the module docs); the defaults leave a scenario as shipped.

    Attributes:
        country: the country whose reserve target and consumption are set, and whose goods the
            partner's tariff and controls hit.
        partner: the country levying the tariff and the export controls.
        start_tick: tick at whose start the levers apply (0: from the start).
        reserve_target_months: the country's reserve target, months of imports (0: scenario's).
        consumption_change: added to the country's propensity to consume (a share of income).
        tariff: the partner's ad valorem tariff on the country's goods (0.25 = 25%; 0: scenario's).
        export_controls: the partner bans ``hightech`` exports to the country.
        catchup: multiplier of ``world.development.catchup_speed``.
    """

    country: str = "China"
    partner: str = "US"
    start_tick: int = 10
    reserve_target_months: float = 0.0
    consumption_change: float = 0.0
    tariff: float = 0.0
    export_controls: bool = False
    catchup: float = 1.0

    @property
    def neutral(self) -> bool:
        """Whether every lever is at its neutral position (the scenario runs as shipped)."""
        return (
            self.reserve_target_months == 0
            and self.consumption_change == 0
            and self.tariff == 0
            and not self.export_controls
            and self.catchup == 1
        )


def scenario_path(name: str | Path) -> Path:
    """The TOML file of a scenario given as a shipped name (``"baseline"``) or a file path.

    Raises:
        TradesimError: if there is no such file.
    """
    p = Path(name)
    if p.suffix == ".toml" and p.is_file():
        return p
    shipped = SCENARIO_DIR / f"{p.stem if p.suffix == '.toml' else name}.toml"
    if p.suffix != ".toml" and shipped.is_file():
        return shipped
    known = ", ".join(sorted(q.stem for q in SCENARIO_DIR.glob("*.toml")))
    raise TradesimError(f"no scenario file '{name}'; shipped scenarios: {known}")


def classroom_choices(start: str | Path) -> list[str]:
    """Scenarios the page offers: the starting one first, then the shipped classroom scenarios
    (:data:`CLASSROOM`) that exist.

    Args:
        start: the scenario the demo opens with (name or file).
    """
    first = str(start)
    out = [first]
    for name in CLASSROOM:
        shipped = SCENARIO_DIR / f"{name}.toml"
        if shipped.is_file() and name != first and scenario_path(first) != shipped:
            out.append(name)
    return out


def default_pair(scenario: str | Path) -> tuple[str, str]:
    """The levers' (country, partner) a world opens with: China and the US where it has them;
    otherwise the partner is the first reserve issuer and the country the largest other economy
    by labor force (in ``endless_cycle``: East and North).

    Args:
        scenario: a shipped scenario name or a TOML file.
    """
    spec = load_scenario(scenario_path(scenario))
    names = spec.names
    issuers = spec.world.reserve_issuers or names[:1]
    partner = "US" if "US" in names else issuers[0]
    if "China" in names and partner != "China":
        return "China", partner
    others = [c for c in spec.country if c.name != partner]
    country = max(others, key=lambda c: c.labor_force).name
    return country, partner


def _state_at(doc: dict[str, Any], tick: int) -> dict[str, Any]:
    """The document with the scenario's events up to and including ``tick`` applied."""
    out = copy.deepcopy(doc)
    out.pop("event", None)
    if not doc.get("event"):
        return out
    scn = load_scenario(doc)  # events may be dated by year and may scale or add
    for ev in sorted(scn.event, key=lambda e: e.tick):
        if ev.tick <= tick:
            out = apply_params(out, ev, scn.names)
    return out


def _get(doc: dict[str, Any], path: str, default: Any) -> Any:
    try:
        return get_path(doc, path)
    except KeyError:
        return default


def lever_overrides(doc: dict[str, Any], levers: Levers) -> dict[str, Any]:
    """Key path -> value for the levers away from neutral, given the resolved scenario document
    (values the levers change relative to, e.g. the propensity, are read from the scenario as
    it stands at ``start_tick``, its earlier events applied).

    Raises:
        TradesimError: a lever names a country the scenario lacks, or the world has no
            ``hightech`` sector for the export-controls lever.
    """
    names = [c["name"] for c in doc["country"]]
    for who in (levers.country, levers.partner):
        if who not in names:
            raise TradesimError(f"the levers name {who!r}, but this scenario's countries are {', '.join(names)}")
    if levers.country == levers.partner:
        raise TradesimError(f"country and partner are both {levers.country!r}: choose two different countries")
    at = _state_at(doc, levers.start_tick)
    c, p = f"country.{levers.country}", f"country.{levers.partner}"
    out: dict[str, Any] = {}
    if levers.reserve_target_months > 0:
        out[f"{c}.reserve_target_months"] = float(levers.reserve_target_months)
    if levers.consumption_change != 0:
        base = float(_get(at, f"{c}.propensity_to_consume", 0.78))
        out[f"{c}.propensity_to_consume"] = float(np.clip(base + levers.consumption_change, 0.3, 0.97))
    if levers.tariff > 0:
        tariffs = dict(_get(at, f"{p}.tariffs", {}) or {})
        tariffs[levers.country] = float(levers.tariff)
        out[f"{p}.tariffs"] = tariffs
    if levers.export_controls:
        if CONTROLLED_SECTOR not in at["world"]["sectors"]:
            raise TradesimError(
                f"the export-controls lever blocks the '{CONTROLLED_SECTOR}' sector; this world has none"
            )
        controls = copy.deepcopy(dict(_get(at, f"{p}.export_controls", {}) or {}))
        rule = controls.get(CONTROLLED_SECTOR)
        if rule is None or rule.get("allowed_share", 0.0) > 0:
            controls[CONTROLLED_SECTOR] = {"destinations": [levers.country]}
        else:
            dest = list(rule["destinations"])
            if "*" not in dest and levers.country not in dest:
                dest.append(levers.country)
            rule["destinations"] = dest
            rule["exempt"] = [x for x in rule.get("exempt", []) if x != levers.country]
        out[f"{p}.export_controls"] = controls
    if levers.catchup != 1:
        base = float(_get(at, "world.development.catchup_speed", 0.02))
        out["world.development.catchup_speed"] = base * float(levers.catchup)
    return out


def describe(levers: Levers) -> str:
    """The levers away from neutral in words (the note of their event), e.g.
    ``"US tariff on China 25%; China's reserve target 12 months"``; empty when all are neutral.
    """
    c, p = levers.country, levers.partner
    parts = []
    if levers.reserve_target_months > 0:
        parts.append(f"{c}'s reserve target {levers.reserve_target_months:g} months of imports")
    if levers.consumption_change != 0:
        parts.append(f"{c}'s propensity to consume {100 * levers.consumption_change:+.0f} points")
    if levers.tariff > 0:
        parts.append(f"{p} tariff on {c} {100 * levers.tariff:.0f}%")
    if levers.export_controls:
        parts.append(f"{p} bans {CONTROLLED_SECTOR} exports to {c}")
    if levers.catchup != 1:
        parts.append(f"catch-up speed x{levers.catchup:g}")
    return "; ".join(parts)


def classroom_document(scenario: str | Path, levers: Levers, *, seed: int | None = None) -> dict[str, Any]:
    """The resolved scenario document with the levers applied: as overrides when ``start_tick``
    is 0, otherwise as one more event at ``start_tick`` (noted ``"classroom levers: ..."``).

    Args:
        scenario: a shipped scenario name or a TOML file.
        levers: the page's levers.
        seed: overrides ``simulation.seed``.
    """
    spec = load_scenario(scenario_path(scenario), {"simulation.seed": int(seed)} if seed is not None else None)
    doc = resolved_document(spec)
    # every tick logged, bilateral flows included: the views read the recorder's arrays
    doc["simulation"]["log_every"] = 1
    doc["simulation"]["bilateral_every"] = 1
    if levers.start_tick < 0:
        raise TradesimError(f"the levers' start tick must be >= 0, not {levers.start_tick}")
    sets = lever_overrides(doc, levers)
    if not sets:
        return doc
    if levers.start_tick == 0:
        events = doc.pop("event", None)
        doc = apply_overrides(doc, sets)
        if events:
            doc["event"] = events
        return doc
    doc.setdefault("event", []).append(
        {"tick": int(levers.start_tick), "set": sets, "note": f"classroom levers: {describe(levers)}"}
    )
    return doc


class DemoModel(TradeModel):
    """A TradeModel built from a scenario and the page's levers; every keyword is one control.

    Mesa's SolaraViz rebuilds the model with these keywords on Reset. The model runs to the
    scenario's length (``simulation.ticks``) and then stops (``running`` turns False).

    Args:
        scenario_name: a shipped scenario name or a TOML file.
        country, partner, start_tick, reserve_target_months, consumption_change, tariff,
            export_controls, catchup: the levers (see :class:`Levers`; country and partner
            default to :func:`default_pair`).
        seed: overrides ``simulation.seed``.
    """

    def __init__(
        self,
        scenario_name: str = "baseline",
        country: str | None = None,
        partner: str | None = None,
        start_tick: int = 10,
        reserve_target_months: float = 0.0,
        consumption_change: float = 0.0,
        tariff: float = 0.0,
        export_controls: bool = False,
        catchup: float = 1.0,
        seed: int | None = None,
    ):
        if country is None or partner is None:
            dc, dp = default_pair(scenario_name)
            country, partner = country or dc, partner or dp
        self.levers = Levers(
            country=country,
            partner=partner,
            start_tick=int(start_tick),
            reserve_target_months=float(reserve_target_months),
            consumption_change=float(consumption_change),
            tariff=float(tariff),
            export_controls=bool(export_controls),
            catchup=float(catchup),
        )
        self.scenario_name = str(scenario_name)
        super().__init__(classroom_document(scenario_name, self.levers, seed=seed))

    def step(self) -> None:
        """One tick of the model; stops at the scenario's length."""
        super().step()
        if self.tick >= self.spec.simulation.ticks:
            self.running = False
