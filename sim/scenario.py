"""Scenarios: load and validate TOML files, address keys by path, resolve defaults, write back.

Every problem a user can cause while loading is a :class:`sim.errors.ScenarioError` naming the
file, the key path (``country.China.labor_shares``) and the reason. Key paths are shared by
scheduled events, sweep files and experiment files: ``simulation.seed``, ``world.elasticity``,
``world.finance.premium_cap``, ``country.<name>.<key>[.<subkey>...]``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w
from pydantic import ValidationError

from sim.doccopy import ATOMIC, copy_tree
from sim.errors import ScenarioError, TradesimError
from sim.revalidate import Like
from sim.schema import DEFAULT_BUDGET, DEFAULT_ELASTICITY, DEFAULT_INPUTS, SERVICES, Scenario, as_file_name

__all__ = [
    "Scenario",
    "load_scenario",
    "load_toml",
    "validate_document",
    "set_path",
    "get_path",
    "apply_overrides",
    "scenario_to_toml",
    "scenario_hash",
    "resolved_document",
    "synthetic",
]

_PLAIN_KEY = re.compile(r'^[^.\[\]"\s\x00-\x1f\x7f]+$')
_TYPE_TAG = re.compile(r"^(float|int|bool|str|list|dict|tuple|constrained-\w+|function-\w+)(\[.*\])?$")


# ----------------------------------------------------------------------------- reading


MAX_FILE_BYTES = 50_000_000
"""Largest scenario, sweep or experiment file read (50 MB; the largest synthetic world a test
writes, 5,000 countries, is about 2 MB): a device such as /dev/zero would be read forever."""


def load_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file (at most :data:`MAX_FILE_BYTES`) into a dict, turning every failure
    into a ScenarioError.
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ScenarioError(
                str(path),
                [("", f"larger than {MAX_FILE_BYTES // 1_000_000} MB: not a scenario, sweep or experiment file")],
            )
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), [("", "file not found")]) from None
    except IsADirectoryError:
        raise ScenarioError(str(path), [("", "is a directory, not a scenario file")]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(str(path), [("", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    except OSError as exc:
        raise ScenarioError(str(path), [("", f"cannot read: {exc.strerror}")]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(str(path), [("", f"not valid TOML: {exc}")]) from None


def load_scenario(
    source: str | Path | Mapping[str, Any] | Scenario,
    overrides: Mapping[str, Any] | None = None,
    *,
    file: str | None = None,
    horizon: bool = True,
    like: Like | None = None,
) -> Scenario:
    """Load, validate and resolve a scenario.

    Args:
        source: a path to a TOML file, a mapping with the same structure, or a Scenario.
        overrides: key path -> value, applied before validation (e.g. ``{"simulation.seed": 3}``).
        file: the name used in error messages when ``source`` is a mapping.
        horizon: check that the run's levels stay within floating point (:func:`check_horizon`);
            False for the scenario in force after an event, whose run was checked as a whole.
        like: a cache of the last document validated through it (:class:`sim.revalidate.Like`):
            only the tables that differ from it are validated again. Never changes the result.

    Returns:
        The validated scenario with every default filled in (``simulation.name`` included).

    Raises:
        ScenarioError: naming the file, the key path and the reason of every problem found.
    """
    if isinstance(source, Scenario):
        doc = source.model_dump(mode="python")
        for ev in doc.get("event", []):
            if ev.get("year") is not None or ev.get("quarter") is not None:
                ev["tick"] = None  # the tick was derived from the date at load
        file = file or "<scenario>"
    elif isinstance(source, Mapping):
        doc = dict(source)  # a copy: apply_overrides and plain_values copy the tables before use
        file = file or "<dict>"
    else:
        file = file or str(source)
        doc = load_toml(source)
        doc.setdefault("simulation", {})
        if isinstance(doc["simulation"], dict):
            doc["simulation"].setdefault("name", _stem_name(Path(source)))
    if overrides:
        doc = apply_overrides(doc, overrides, file=file)
    return validate_document(doc, file=file, horizon=horizon, like=like)


def _stem_name(path: Path) -> str:
    return as_file_name(path.stem, "scenario")


def validate_document(
    doc: Mapping[str, Any], *, file: str = "<dict>", horizon: bool = True, like: Like | None = None
) -> Scenario:
    """Validate a raw scenario document (structure, types, ranges, cross-references, events, and
    with ``horizon`` the length the growth rates allow; ``like``: see :func:`load_scenario`).
    """
    if not isinstance(doc, Mapping):
        raise ScenarioError(file, [("", "a scenario must be a table of tables")])
    # through the cache on the raw document: its tables shared with the last one compare by identity
    scn = like.validate(doc) if like is not None else None
    if scn is None:
        plain = plain_values(doc)
        scn = _validate_raw(plain, file, None, lambda exc: _pydantic_problems(exc, plain))
        if like is not None:
            like.remember(plain, scn)
    problems = check_semantics(scn)
    if problems:
        raise ScenarioError(file, problems)
    scn = _fill_defaults(scn)
    phases = _check_events(scn, file)
    if horizon:
        problems = check_horizon(phases, scn.simulation.ticks, scn.dt)
        if problems:
            raise ScenarioError(file, problems)
    return scn


def _validate_raw(doc: dict[str, Any], file: str, like: Like | None, problems: Any) -> Scenario:
    """``Scenario.model_validate(doc)``, through ``like`` if given; ScenarioError with
    ``problems(exc)`` if it fails.
    """
    scn = like.validate(doc) if like is not None else None
    if scn is None:
        try:
            scn = Scenario.model_validate(dict(doc))
        except ValidationError as exc:
            raise ScenarioError(file, problems(exc)) from None
        if like is not None:
            like.remember(doc, scn)
    return scn


def plain_values(x: Any) -> Any:
    """``x`` with NumPy scalars and arrays (as a Python caller may pass them, in overrides or
    event tables) made plain Python numbers and lists; anything else is left to validation.
    """
    t = type(x)
    if t is dict:  # the usual tables and values first (a NumPy scalar is not of these types)
        return {k: v if type(v) in ATOMIC else plain_values(v) for k, v in x.items()}
    if t is list:
        return [v if type(v) in ATOMIC else plain_values(v) for v in x]
    if t in ATOMIC:
        return x
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, Mapping):
        return {k: plain_values(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain_values(v) for v in x]
    return x


def _pydantic_problems(exc: ValidationError, doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Turn pydantic's errors into (key path, reason) pairs, naming countries by name."""
    merged: dict[str, list[str]] = {}
    for err in exc.errors(include_url=False):
        path = _loc_to_path(err["loc"], doc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "missing":
            msg = "required key is missing"
        merged.setdefault(path, [])
        if msg not in merged[path]:
            merged[path].append(msg)
    return [(path, " or ".join(msgs)) for path, msgs in merged.items()]


def key_text(key: str) -> str:
    """A key as it appears in a key path: quoted (JSON-style) when it is empty or holds dots,
    brackets, quotes, white space or control characters, so that every problem names a visible,
    unambiguous key.
    """
    return key if _PLAIN_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _loc_to_path(loc: tuple[Any, ...], doc: Any) -> str:
    parts: list[str] = []
    node: Any = doc
    i = 0
    while i < len(loc):
        key = loc[i]
        if isinstance(key, int):
            if isinstance(node, list) and 0 <= key < len(node):
                item = node[key]
                label = item.get("name") if isinstance(item, dict) else None
                if parts and parts[-1] == "country" and isinstance(label, str) and _PLAIN_KEY.match(label):
                    parts.append(label)
                else:
                    parts[-1:] = [f"{parts[-1]}[{key}]"] if parts else [f"[{key}]"]
                node = item
            else:
                parts.append(f"[{key}]")
                node = None
        else:
            key = str(key)
            if isinstance(node, dict) and key in node:
                parts.append(key_text(key))
                node = node[key]
            elif _TYPE_TAG.match(key) and not (isinstance(node, dict) and key in node):
                pass  # a union branch tag added by pydantic, not a key of the file
            else:
                parts.append(key_text(key))
                node = None
        i += 1
    return ".".join(parts)


# ----------------------------------------------------------------------------- semantics


def check_semantics(scn: Scenario) -> list[tuple[str, str]]:
    """Cross-key checks pydantic cannot express. Returns (key path, reason) pairs."""
    p: list[tuple[str, str]] = []
    w = scn.world
    traded = list(w.sectors)
    sectors = [*traded, SERVICES]
    if len(set(traded)) != len(traded):
        p.append(("world.sectors", "sector names must be unique"))
    if SERVICES in traded:
        p.append(("world.sectors", f"'{SERVICES}' is the non-traded sector and is added automatically; do not list it"))
    if isinstance(w.elasticity, dict):
        _keys_exactly(p, "world.elasticity", w.elasticity, traded, "traded sector")
    if w.budget_shares is not None:
        _keys_within(p, "world.budget_shares", w.budget_shares, sectors, "sector")
        _sums_to_one(p, "world.budget_shares", w.budget_shares)
    if w.structure.income_elasticity is not None:
        _keys_within(p, "world.structure.income_elasticity", w.structure.income_elasticity, sectors, "sector")
    if w.inputs is not None:
        _keys_within(p, "world.inputs", w.inputs, sectors, "sector")
        for using, row in w.inputs.items():
            _keys_within(p, f"world.inputs.{using}", row, sectors, "sector")
            total = sum(row.values())
            if total >= 1.0:
                p.append((f"world.inputs.{using}", f"input coefficients sum to {total:.4g}; they must sum below 1"))
    if not p:
        a = input_matrix(scn)
        radius = float(np.max(np.abs(np.linalg.eigvals(a * (1.0 + w.prices.markup))))) if a.size else 0.0
        if radius >= 1.0:
            p.append(
                (
                    "world.inputs",
                    f"with markup {w.prices.markup:g} the input coefficients make every price infinite "
                    f"(spectral radius of (1+markup)*inputs is {radius:.3g}; it must be below 1)",
                )
            )
    dev = w.development
    for field in ("relocation_sector", "upgrade_sector") if dev.relocation_rate > 0 else ():
        if getattr(dev, field) not in traded:
            p.append(
                (f"world.development.{field}", f"'{getattr(dev, field)}' is not a traded sector ({', '.join(traded)})")
            )
    lo, hi = w.finance.rate_bounds
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        p.append(("world.finance.rate_bounds", "must be [low, high] with low < high"))
    if w.finance.default_debt <= w.finance.sudden_stop_debt:
        p.append(("world.finance.default_debt", "must exceed world.finance.sudden_stop_debt"))

    if not p:
        _column_clashes(p, scn)
    names = scn.names
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            p.append((f"country[{i}].name", f"country '{name}' is named twice"))
        seen.add(name)
        if name == "*":
            p.append((f"country[{i}].name", "'*' is reserved to mean every country"))
    known = set(names)
    for k, pc in enumerate(w.trade_costs):
        for field in ("origin", "destination"):
            if getattr(pc, field) not in known:
                p.append((f"world.trade_costs[{k}].{field}", f"no country named '{getattr(pc, field)}'"))
        if pc.origin == pc.destination:
            p.append((f"world.trade_costs[{k}]", "origin and destination must differ"))
    issuers = w.reserve_issuers if w.reserve_issuers is not None else names[:1]
    if w.reserve_issuers is not None:
        if not w.reserve_issuers:
            p.append(("world.reserve_issuers", "must name at least one country"))
        if len(set(w.reserve_issuers)) != len(w.reserve_issuers):
            p.append(("world.reserve_issuers", "issuers must be unique"))
        for j, iss in enumerate(w.reserve_issuers):
            if iss not in known:
                p.append((f"world.reserve_issuers[{j}]", f"no country named '{iss}'"))
    for c in scn.country:
        base = f"country.{c.name}"
        if c.capital_controls > 0 and c.name in issuers:
            p.append(
                (
                    f"{base}.capital_controls",
                    "a reserve issuer cannot close its capital account: its official liabilities are the reserves "
                    "other countries place on it, which its controls cannot refuse, so its private claims could "
                    "not stay constant",
                )
            )
        if isinstance(c.productivity, dict):
            _keys_exactly(p, f"{base}.productivity", c.productivity, sectors, "sector")
        if c.labor_shares is not None:
            _keys_within(p, f"{base}.labor_shares", c.labor_shares, sectors, "sector")
            _sums_to_one(p, f"{base}.labor_shares", c.labor_shares)
        if c.settlement is not None:
            _keys_within(p, f"{base}.settlement", c.settlement, issuers, "reserve issuer")
            _sums_to_one(p, f"{base}.settlement", c.settlement)
        for partner, rate in c.tariffs.items():
            path = f"{base}.tariffs.{partner}"
            if partner != "*" and partner not in known:
                p.append((path, f"no country named '{partner}'"))
            elif partner == c.name:
                p.append((path, "a country cannot levy a tariff on itself"))
            if isinstance(rate, dict):
                _keys_within(p, path, rate, traded, "traded sector")
        for sector in c.state_lending:
            if sector not in traded:
                p.append((f"{base}.state_lending.{sector}", f"'{sector}' is not a traded sector ({', '.join(traded)})"))
        for sector, ctl in c.export_controls.items():
            path = f"{base}.export_controls.{sector}"
            if sector not in traded:
                p.append((path, f"'{sector}' is not a traded sector ({', '.join(traded)})"))
            for field in ("destinations", "exempt"):
                for j, dest in enumerate(getattr(ctl, field)):
                    if dest == "*" and field == "destinations":
                        continue
                    if dest not in known:
                        p.append((f"{path}.{field}[{j}]", f"no country named '{dest}'"))
                    elif dest == c.name:
                        p.append((f"{path}.{field}[{j}]", "a country cannot control exports to itself"))
    for k, ev in enumerate(scn.event):
        tick, why = event_tick(scn, ev)
        p.extend((f"event[{k}].{key}" if key else f"event[{k}]", reason) for key, reason in why)
    p.extend(_trade_cost_problems(scn))
    return p


def event_tick(scn: Scenario, ev: Any) -> tuple[int | None, list[tuple[str, str]]]:
    """The tick an event is dated to (``tick``, ``year`` or ``quarter``) and the problems found."""
    sim = scn.simulation
    given = [k for k in ("tick", "year", "quarter") if getattr(ev, k) is not None]
    if len(given) != 1:
        why = "give exactly one of tick, year or quarter" + (f" (it gives {' and '.join(given)})" if given else "")
        return None, [("", why)]
    key = given[0]
    dated = "start_year" in sim.model_fields_set
    if key != "tick" and not dated:
        return None, [(key, f"a {key} needs simulation.start_year (the calendar year of tick 0)")]
    if key == "tick":
        tick = ev.tick
    elif key == "year":
        tick = (ev.year - sim.start_year) * (1 if sim.tick_length == "year" else 4)
    else:
        if sim.tick_length != "quarter":
            return None, [(key, "a quarter needs quarterly ticks (simulation.tick_length = 'quarter'); use year")]
        year, q = ev.quarter.split("Q")
        tick = (int(year) - sim.start_year) * 4 + int(q) - 1
    label = {"tick": f"tick {tick}", "year": f"year {ev.year}", "quarter": f"quarter {ev.quarter}"}[key]
    if tick < 0:
        return None, [(key, f"{label} is before the start ({sim.start_year})")]
    if tick >= sim.ticks:
        end = "" if key == "tick" else f", year {sim.start_year + (sim.ticks - 1) * scn.dt:g}"
        return None, [(key, f"{label} is after the last tick ({sim.ticks - 1}{end}; ticks start at 0)")]
    return tick, []


def _trade_cost_problems(scn: Scenario) -> list[tuple[str, str]]:
    """Pair costs name two different countries; regions name countries, one region each."""
    p: list[tuple[str, str]] = []
    w, known = scn.world, set(scn.names)
    for origin, row in w.pair_costs.items():
        if origin not in known:
            p.append((f"world.pair_costs.{origin}", f"no country named '{origin}'"))
        for dest in row:
            if dest not in known:
                p.append((f"world.pair_costs.{origin}.{dest}", f"no country named '{dest}'"))
            elif dest == origin:
                p.append((f"world.pair_costs.{origin}.{dest}", "origin and destination must differ"))
    member: dict[str, str] = {}
    for region, countries in w.regions.items():
        if region == "*":
            p.append((f"world.regions.{region}", "'*' is reserved"))
        for j, c in enumerate(countries):
            if c not in known:
                p.append((f"world.regions.{region}[{j}]", f"no country named '{c}'"))
            elif c in member:
                p.append((f"world.regions.{region}[{j}]", f"'{c}' is already in region '{member[c]}'"))
            member.setdefault(c, region)
    for a, row in w.region_costs.items():
        for b in [a, *row]:
            if b not in w.regions:
                p.append((f"world.region_costs.{a}" + ("" if b == a else f".{b}"), f"no region named '{b}'"))
                break
    return p


def _column_clashes(p: list, scn: Scenario) -> None:
    """Sector and country names that would give a column of the timeseries table twice
    (sector ``level`` makes ``price_level``, a country column; ``share_services`` makes
    ``output_share_services`` twice). The columns are the recorder's own list.
    """
    from collections import Counter

    from sim.results import timeseries_columns

    traded = list(scn.world.sectors)
    issuers = scn.world.reserve_issuers if scn.world.reserve_issuers is not None else scn.names[:1]
    counts = Counter(timeseries_columns([*traded, SERVICES], traded, issuers))
    twice = {c for c, n in counts.items() if n > 1}
    if not twice:
        return
    start = len(p)
    for i, sector in enumerate(traded):
        cols = [c for c in timeseries_columns([sector], [sector], []) if c in twice and c.endswith("_" + sector)]
        if cols:
            p.append(
                (
                    f"world.sectors[{i}]",
                    f"the sector name '{sector}' gives the column '{cols[0]}' of the output table twice; "
                    "choose another name",
                )
            )
    for j, issuer in enumerate(issuers):
        col = f"reserves_in_{issuer}"
        if col in twice:
            p.append(
                (
                    f"world.reserve_issuers[{j}]",
                    f"the country name '{issuer}' gives the column '{col}' of the output table twice; "
                    "choose another name",
                )
            )
    if len(p) == start:  # a clash no single name explains
        p.append(("world.sectors", f"the names give the column(s) {', '.join(sorted(twice))} twice"))


def _keys_within(p: list, path: str, mapping: Mapping, allowed: list[str], what: str) -> None:
    for key in mapping:
        if key not in allowed:
            p.append((f"{path}.{key}", f"unknown {what} (known: {', '.join(allowed)})"))


def _keys_exactly(p: list, path: str, mapping: Mapping, allowed: list[str], what: str) -> None:
    _keys_within(p, path, mapping, allowed, what)
    missing = [k for k in allowed if k not in mapping]
    if missing:
        p.append((path, f"missing {what}(s): {', '.join(missing)}"))


def _sums_to_one(p: list, path: str, mapping: Mapping[str, float]) -> None:
    total = float(sum(mapping.values()))
    if abs(total - 1.0) > 1e-6:
        p.append((path, f"shares must sum to 1 (they sum to {total:.6g})"))


def _fill_defaults(scn: Scenario) -> Scenario:
    """Make every implicit default explicit, so the resolved file says exactly what ran."""
    w = scn.world
    sectors = scn.all_sectors
    upd_world: dict[str, Any] = {}
    if w.budget_shares is None:
        upd_world["budget_shares"] = default_budget(scn.traded)
    else:
        upd_world["budget_shares"] = {s: float(w.budget_shares.get(s, 0.0)) for s in sectors}
    if w.inputs is None:
        upd_world["inputs"] = default_inputs(scn.traded)
    given = w.structure.income_elasticity
    elasticity = {s: float((DEFAULT_ELASTICITY if given is None else given).get(s, 1.0)) for s in sectors}
    upd_world["structure"] = w.structure.model_copy(update={"income_elasticity": elasticity})
    if w.reserve_issuers is None:
        upd_world["reserve_issuers"] = scn.names[:1]
    if not isinstance(w.elasticity, dict):
        upd_world["elasticity"] = dict.fromkeys(scn.traded, float(w.elasticity))
    world = w.model_copy(update=upd_world)
    issuers = world.reserve_issuers
    budget = world.budget_shares
    countries = []
    for c in scn.country:
        upd: dict[str, Any] = {}
        if not isinstance(c.productivity, dict):
            upd["productivity"] = dict.fromkeys(sectors, float(c.productivity))
        upd["labor_shares"] = {s: float((c.labor_shares or budget).get(s, 0.0)) for s in sectors}
        if c.settlement is None:
            upd["settlement"] = {issuers[0]: 1.0}
        if c.wage is None:
            prod = upd.get("productivity", c.productivity)
            upd["wage"] = 60.0 * sum(prod[s] * upd["labor_shares"][s] for s in sectors)
        countries.append(c.model_copy(update=upd))
    sim = scn.simulation
    if sim.name is None:
        sim = sim.model_copy(update={"name": "scenario"})
    events = [ev if ev.tick is not None else ev.model_copy(update={"tick": event_tick(scn, ev)[0]}) for ev in scn.event]
    return scn.model_copy(update={"world": world, "country": countries, "simulation": sim, "event": events})


def default_budget(traded: list[str]) -> dict[str, float]:
    """Budget shares used when the file gives none."""
    if sorted(traded) == sorted(k for k in DEFAULT_BUDGET if k != SERVICES):
        return dict(DEFAULT_BUDGET)
    share = 0.3 / len(traded)
    return {**dict.fromkeys(traded, share), SERVICES: 0.7}


def default_inputs(traded: list[str]) -> dict[str, dict[str, float]]:
    """Input coefficients used when the file gives none (the default value chain, if the
    sectors are the default ones; a light uniform one otherwise).
    """
    sectors = [*traded, SERVICES]
    if sorted(traded) == sorted(k for k in DEFAULT_INPUTS if k != SERVICES):
        return {s: dict(DEFAULT_INPUTS.get(s, {})) for s in sectors}
    per = 0.2 / len(traded)
    return {s: dict.fromkeys(traded, per) for s in sectors}


def input_matrix(scn: Scenario) -> np.ndarray:
    """Input coefficients as an array a[input r, using s] over traded sectors then services."""
    sectors = scn.all_sectors
    idx = {s: i for i, s in enumerate(sectors)}
    a = np.zeros((len(sectors), len(sectors)))
    inputs = scn.world.inputs if scn.world.inputs is not None else default_inputs(scn.traded)
    for using, row in inputs.items():
        for inp, coef in row.items():
            if using in idx and inp in idx:
                a[idx[inp], idx[using]] = coef
    return a


def _check_events(scn: Scenario, file: str) -> list[tuple[int, Scenario]]:
    """Each event, applied in tick order on top of earlier ones, must name only key paths it can
    act on and give a valid scenario, also with every temporary shock in force at full size;
    errors name the event, the operation and the key path.

    Returns:
        (first tick, scenario in force) for the start and after each event, in tick order.
    """
    phases = [(0, scn)]
    if not scn.event:
        return phases
    from sim import events

    doc = _drop_none(scn.model_dump(mode="json", exclude={"event"}))  # event values are checked below
    names, sectors = scn.names, scn.all_sectors
    order = sorted(range(len(scn.event)), key=lambda k: scn.event[k].tick)
    like = Like()  # consecutive probes differ in a few tables: validate only those
    temporary: list[tuple[int, Any]] = []  # (first tick without it, event)
    realigning: dict[str, int] = {}
    for k in order:
        ev = scn.event[k]
        problems = events.check_paths(ev, sectors)
        if problems:
            raise ScenarioError(file, [(f"event[{k}].{pth}" if pth else f"event[{k}]", why) for pth, why in problems])
        try:
            doc = events.apply_params(doc, ev, names)
            if ev.years is not None:
                temporary.append((events.last_tick(ev.tick, ev.years, ev.half_life, scn.dt), ev))
            temporary = [(end, e) for end, e in temporary if end > ev.tick]
            full = doc
            for _, e in temporary:
                full = events.apply_params(full, e, names, permanent=False, temporary_share=1.0)
            _state_paths_exist(ev, names)
        except events.EventPathError as exc:
            raise ScenarioError(file, [(f'event[{k}].{exc.op}."{exc.path}"', exc.reason)]) from None
        for label, probe_doc in (("", doc), (" (with the temporary shocks in force at full size)", full)):
            if label and full is doc:
                break  # no temporary shock in force: the same document, checked just above
            probe = _validate_raw(
                probe_doc,
                file,
                like,
                lambda exc, k=k, label=label, probe_doc=probe_doc: [
                    (f"event[{k}]{label}: {pth}", why) for pth, why in _pydantic_problems(exc, probe_doc)
                ],
            )
            if not label:
                permanent = probe
            problems = check_semantics(probe)
            if problems:
                raise ScenarioError(file, [(f"event[{k}]{label}: {pth}", why) for pth, why in problems])
            if probe.all_sectors != scn.all_sectors or probe.names != scn.names:
                raise ScenarioError(file, [(f"event[{k}].set", "events cannot add or remove sectors or countries")])
            in_force = probe  # the last probe: temporary shocks at full size (conservative for the horizon)
        if ev.realign is not None:
            probe = permanent  # Scenario.model_validate(doc)
            why = _realign_problems(probe, ev.realign, ev.tick, realigning)
            if why:
                raise ScenarioError(file, [(f"event[{k}].realign.{pth}", reason) for pth, reason in why])

        phases.append((ev.tick, in_force))
    return phases


HORIZON = 300.0
"""Largest change of log levels a run may accumulate (growth per year x years). Money and real
levels grow with the productivity frontier, expected innovations and the labor force, and
float64 holds numbers up to e^709.8 (and down to e^-708); the model multiplies two levels in
places (interest paid x claims in the private pool), so levels must stay below about e^354: a run
whose levels could grow or shrink by more than e^300 would overflow (GDP or income infinite) or
underflow mid-run, so it is refused at load. The remaining e^50 covers the starting levels (up to
about 1e6 bn USD), world sums and the spread of levels between countries. Found by running:
a two-country world at frontier growth 0.2 overflowed at tick 1,752 (levels about e^350), the
baseline at tick 30,337 (e^700: GDP itself)."""


def level_growth(scn: Scenario) -> tuple[float, float, str]:
    """Fastest growth and fastest shrinking of log levels per year a scenario allows, and the key
    path that sets the growth.

    Levels (GDP, capacity, wages) grow with the frontier (``world.development.frontier_growth``),
    expected innovations (``innovation_rate x innovation_size``: catch-up and adoption never pass
    the frontiers) and a country's labor force.
    """
    dev = scn.world.development
    labor = [c.labor_growth for c in scn.country]
    up = dev.frontier_growth + dev.innovation_rate * dev.innovation_size + max(labor)
    down = -(dev.frontier_growth + min(labor))
    keys = "world.development.frontier_growth"
    if dev.innovation_rate > 0:
        keys += " + innovation_rate x innovation_size"
    return max(up, 0.0), max(down, 0.0), keys + " + the fastest country.<name>.labor_growth"


def check_horizon(phases: list[tuple[int, Scenario]], ticks: int, dt: float) -> list[tuple[str, str]]:
    """Problems if levels could leave float64 within the run: the change of log levels, summed
    over the scenario in force from each event on, must stay within :data:`HORIZON`.

    Args:
        phases: (first tick, scenario in force) in tick order, the first at tick 0.
        ticks: length of the run in ticks.
        dt: tick length, years.
    """
    used = {"grow": 0.0, "shrink": 0.0}
    for k, (start, scn) in enumerate(phases):
        end = phases[k + 1][0] if k + 1 < len(phases) else ticks
        up, down, keys = level_growth(scn)
        for way, rate in (("grow", up), ("shrink", down)):
            if rate <= 0:
                continue
            room = (HORIZON - used[way]) / (rate * dt)  # ticks left at this rate
            if end - start > room:
                longest = start + int(room)
                return [
                    (
                        "simulation.ticks",
                        f"{ticks} ticks ({ticks * dt:g} years) are longer than the model can honour: levels "
                        f"{way} by up to {rate:.4g} per year ({keys}), so after {longest} ticks they "
                        f"would pass e^{HORIZON:.0f} and soon float64 (GDP infinite or zero); the "
                        f"longest length that works is {longest} ticks",
                    )
                ]
            used[way] += (end - start) * dt * rate
    return []


def _state_paths_exist(ev: Any, names: list[str]) -> None:
    from sim import events

    for op in ("scale", "add"):
        for path in events.expand(getattr(ev, op), names):
            parts = path.split(".")
            if not events.is_param(path) and parts[1] not in names:
                raise events.EventPathError(op, path, f"no country named '{parts[1]}'")


def _realign_problems(scn: Scenario, r: Any, tick: int, busy: dict[str, int]) -> list[tuple[str, str]]:
    """Problems of a realignment: known floating currencies, the unit of account's rule, no
    overlap with another realignment of the same currency; ``busy`` records each one's end.
    """
    names = scn.names
    unit = (scn.world.reserve_issuers or names[:1])[0]
    if r.currency not in names:
        return [("currency", f"no country named '{r.currency}'")]
    if r.change == 0:
        return [("change", "a realignment must move the currency (change is 0)")]
    if r.currency == unit:
        if not r.against:
            return [("against", f"{unit} is the unit of account: name the currencies it moves against")]
        moved = list(r.against)
    else:
        if r.against not in (None, [unit]):
            return [("against", f"{r.currency} moves against the unit of account ({unit}) only; omit against")]
        moved = [r.currency]
    p = []
    regime = {c.name: c.exchange_rate_regime for c in scn.country}
    for j, c in enumerate(moved):
        where = "currency" if c == r.currency else f"against[{j}]"
        if c not in names:
            p.append((where, f"no country named '{c}'"))
        elif c == unit:
            p.append((where, f"{unit} is the unit of account and moves only against others"))
        elif regime[c] != "float":
            p.append(
                (
                    where,
                    f"{c}'s currency is {regime[c]}: a realignment moves a floating currency (use "
                    "undervaluation or crawl for a managed or pegged one)",
                )
            )
        elif busy.get(c, -1) > tick:
            p.append((where, f"{c} is still being realigned until tick {busy[c]}"))
    end = tick + max(1, round(r.years / scn.dt))
    for c in moved:
        busy[c] = end
    return p


# ----------------------------------------------------------------------------- key paths


_EXAMPLE = {"simulation": "simulation.seed", "world": "world.trade_cost", "country": "country.<name>.labor_force"}


def _split(path: str) -> list[str]:
    if not isinstance(path, str) or not path or any(not part for part in path.split(".")):
        raise ValueError(f"'{path}' is not a key path (e.g. country.China.propensity_to_consume)")
    return path.split(".")


def _walk(doc: dict, parts: list[str], path: str, create: bool) -> tuple[Any, str]:
    """Return (container, last key) for a key path; countries are addressed by name."""
    head = parts[0]
    if head == "event":
        # the whole list of scheduled events (e.g. event = [] for the world without them)
        if len(parts) != 1:
            raise KeyError("'event' is addressed as a whole list (event = [...]), not inside")
        return doc, head
    if head not in ("simulation", "world", "country"):
        raise KeyError(f"unknown top-level table '{head}' (simulation, world, country or event)")
    if len(parts) == 1:
        raise KeyError(f"'{head}' is a whole table: a key path names a key inside it (e.g. {_EXAMPLE[head]})")
    if head == "country":
        if len(parts) < 3:
            raise KeyError("a country key path is country.<name>.<key>")
        countries = doc.get("country")
        match = (
            [c for c in countries if isinstance(c, dict) and c.get("name") == parts[1]]
            if isinstance(countries, list)
            else []
        )
        if not match:
            raise KeyError(f"no country named '{parts[1]}'")
        node: Any = match[0]
        rest = parts[2:]
    else:
        if head not in doc:
            if not create:
                raise KeyError(f"'{head}' is not set")
            doc[head] = {}
        node = doc[head]
        rest = parts[1:]
    for part in rest[:-1]:
        if not isinstance(node, dict):
            raise KeyError(f"'{part}' cannot be addressed inside a value that is not a table")
        if part not in node or node[part] is None:
            if not create:
                raise KeyError(f"'{part}' is not set")
            node[part] = {}
        elif not isinstance(node[part], dict):
            sectors = _sectors_of(doc)
            if isinstance(node[part], (int, float)) and not isinstance(node[part], bool) and create:
                # a single value for every sector, expanded so one sector can be set
                node[part] = dict.fromkeys(sectors, node[part])
            else:
                raise KeyError(f"'{part}' is a value, not a table")
        node = node[part]
    if not isinstance(node, dict):
        raise KeyError("the parent of the last key is not a table")
    return node, rest[-1]


def _sectors_of(doc: dict) -> list[str]:
    world = doc.get("world") if isinstance(doc.get("world"), dict) else {}
    traded = world.get("sectors", ["labor", "hightech", "primary"])
    return [*traded, SERVICES] if isinstance(traded, list) else [SERVICES]


def get_path(doc: Mapping[str, Any], path: str) -> Any:
    """Value at a key path of a raw document (KeyError if absent)."""
    node, key = _walk(dict(doc), _split(path), path, create=False)
    if key not in node:
        raise KeyError(f"'{key}' is not set")
    return node[key]


def set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    """Set a key path in a raw document in place, creating intermediate tables."""
    node, key = _walk(doc, _split(path), path, create=True)
    node[key] = copy_tree(value)


def parse_settings(items: list[str]) -> dict[str, Any]:
    """``["simulation.responses=within_tick", "world.development.noise_sd=0"]`` -> key paths and
    values, for ``--set KEY=VALUE`` options. A value is read as a TOML value (``0``, ``true``,
    ``"x"``, ``[1, 2]``); one that is not TOML, such as a bare word, is taken as a string. The
    scenario's validation then judges the values; a key given twice or an item without ``=`` or
    without a key raises TradesimError.
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise TradesimError(f"--set takes KEY=VALUE (a key path such as simulation.responses), not {item!r}")
        if key in out:
            raise TradesimError(f"--set gives {key} twice")
        try:
            out[key] = tomllib.loads(f"v = {value.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            out[key] = value.strip()
    return out


def apply_overrides(doc: Mapping[str, Any], overrides: Mapping[str, Any], *, file: str = "<dict>") -> dict[str, Any]:
    """A copy of ``doc`` with each key path set; bad paths raise ScenarioError."""
    out = copy_tree(dict(doc))
    problems = []
    for path, value in overrides.items():
        try:
            set_path(out, path, value)
        except (KeyError, ValueError) as exc:
            problems.append((str(path), str(exc.args[0]) if exc.args else str(exc)))
    if problems:
        raise ScenarioError(file, problems)
    return out


# ----------------------------------------------------------------------------- writing


def resolved_document(scn: Scenario) -> dict[str, Any]:
    """The scenario as a plain dict with every default explicit (what ``scenario.toml`` holds)."""
    doc = scn.model_dump(mode="json")
    for c in doc["country"]:
        if not c.get("export_controls"):
            c.pop("export_controls", None)
        if not c.get("tariffs"):
            c.pop("tariffs", None)
    if not doc.get("event"):
        doc.pop("event", None)
    for ev in doc.get("event", []):
        if ev.get("year") is not None or ev.get("quarter") is not None:
            ev.pop("tick", None)  # dated by the calendar, as written
        for key in ("set", "scale", "add"):
            if not ev.get(key):
                ev.pop(key, None)
    return _drop_none(doc)


def _drop_none(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _drop_none(v) for k, v in x.items() if v is not None}
    if isinstance(x, list):
        return [_drop_none(v) for v in x]
    return x


def scenario_to_toml(scn: Scenario) -> str:
    """The resolved scenario as TOML text that loads back to an equal scenario."""
    return tomli_w.dumps(resolved_document(scn))


def scenario_hash(scn: Scenario, *extra: Any) -> str:
    """A stable hex digest of the resolved scenario and any extra values."""
    blob = json.dumps([resolved_document(scn), *extra], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def synthetic(n_countries: int, n_sectors: int, seed: int = 0, *, ticks: int = 100) -> Scenario:
    """A valid scenario of any size, for benchmarks and tests (see :mod:`sim.worlds`)."""
    from sim.worlds import synthetic_document

    return load_scenario(
        synthetic_document(n_countries, n_sectors, seed, ticks=ticks), file=f"<synthetic {n_countries}x{n_sectors}>"
    )
