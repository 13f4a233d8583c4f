"""Scheduled events: what every key path means when an event names it, and the shocks.

An ``[[event]]`` table acts at the start of its tick with up to four operations:

- ``set``: replace a parameter (or a country's labor shares: its workers move at once);
- ``scale``: multiply a parameter in force, or the level a state has reached
  (``country.<name>.productivity[.<sector>]``, ``labor_force``, ``wage``);
- ``add``: add to the same;
- ``realign``: a coordinated realignment of a floating currency (see :mod:`sim.model`).

``scale`` and ``add`` are permanent, or temporary: full for ``years``, then fading by
``0.5 ** ((t - years) / half_life)`` (or ending at once without a half-life), removed outright
after ten half-lives. Every key path is classified by :func:`key_kind`; a key an event cannot
act on is refused at load with the reason and the operation that does act, so nothing an event
says is silently ignored. The state operations are small vectorised functions on arrays.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.doccopy import copy_tree, own_path
from sim.errors import SimulationError
from sim.schema import Country, World

FADE_HALF_LIVES = 10.0
"""A fading shock is removed outright this many half-lives after it starts to fade."""

# what an event may do with a key path
PARAM = "param"  # set, scale, add act from the event's tick
SHARES = "shares"  # set acts; shares sum to 1, so no scale or add
STATE = "state"  # initial state: set refused; scale and add act on the current level
ALLOC = "alloc"  # labor shares: set moves workers at once; no scale or add
STOCK = "stock"  # a stock with a counterparty: refused
FIXED = "fixed"  # structure or load-only keys: refused
OPS = ("set", "scale", "add")

STATE_KEYS = {"productivity": "productivity", "labor_force": "labor force", "wage": "wage"}
STATE_SCALE_MAX = 100.0
"""Largest factor a scale shock may apply to a state level."""
STATE_ADD_MAX = {"productivity": 1e6, "labor_force": 1e5, "wage": 1e8}
"""Largest amount (either sign) an add shock may apply to a state level: the schema's bound on
its initial value."""
STOCK_KEYS = ("net_foreign_assets", "reserves_months")


def key_kind(parts: list[str]) -> tuple[str, str]:
    """(kind, reason) for a key path split at dots; the reason says why a refused key is refused
    and which operation acts instead (empty for keys that act).
    """
    head = parts[0] if parts else ""
    if head == "simulation":
        return FIXED, "simulation keys act at load only (set them in the file, a sweep or an experiment arm)"
    if head == "world" and len(parts) >= 2:
        key = parts[1]
        if key == "sectors":
            return FIXED, "the sectors are fixed for a run; an event cannot add or remove one"
        if key == "reserve_issuers":
            return FIXED, "the reserve issuers fix the shape of every reserve holding; they act at load only"
        if key == "budget_shares":
            return SHARES, ""
        return PARAM, ""
    if head == "country" and len(parts) >= 3:
        key = parts[2]
        if key == "name":
            return FIXED, "a country's name cannot change"
        if key in STATE_KEYS:
            return STATE, (
                f"sets the initial {STATE_KEYS[key]}, which means nothing once the run has started; an event "
                f'changes the level the run has reached with scale or add (e.g. scale = {{ "{".".join(parts)}" = 0.9 }})'
            )
        if key in STOCK_KEYS:
            return STOCK, (
                "an initial stock with a counterparty: no event operation says who holds the other side, so it "
                "acts at load only (the file, a sweep, an experiment arm or a [base] set)"
            )
        if key == "government" and len(parts) == 3:
            return FIXED, (
                "an event sets the government's keys one by one (country.<name>.government.spending, tax, "
                "balance_target, adjustment_speed): the table also holds the initial debt, which acts at load only"
            )
        if key == "government" and parts[3:4] == ["debt"]:
            return STOCK, (
                "the initial public debt, held by the country's households: it acts at load only (the file, a "
                "sweep, an experiment arm or a [base] set); from then on debt moves with the fiscal balance"
            )
        if key == "labor_shares":
            return ALLOC, ""
        if key == "settlement":
            return SHARES, ""
        return PARAM, ""
    return FIXED, "events may change world.* and country.* keys only"


def expand(paths: Mapping[str, Any], names: list[str]) -> dict[str, Any]:
    """Key paths with ``country.*.<key>`` expanded to one per country (named paths win)."""
    out: dict[str, Any] = {}
    for path, value in paths.items():
        if isinstance(path, str) and path.startswith("country.*."):
            for name in names:
                out.setdefault(f"country.{name}.{path[len('country.*.') :]}", value)
    for path, value in paths.items():
        if not (isinstance(path, str) and path.startswith("country.*.")):
            out[path] = value
    return out


def check_paths(ev: Any, sectors: list[str]) -> list[tuple[str, str]]:
    """(operation.key path, reason) for every key path of an event no operation can act on."""
    problems = []
    for op in OPS:
        for path in getattr(ev, op):
            where = f'{op}."{path}"'
            parts = path.split(".") if isinstance(path, str) else []
            kind, why = key_kind(parts)
            if kind in (FIXED, STOCK):
                problems.append((where, why))
            elif kind == STATE and op == "set":
                problems.append((where, why))
            elif kind in (SHARES, ALLOC) and op != "set":
                problems.append((where, "shares must sum to 1, so an event sets them whole with set"))
            elif kind == STATE:
                key = parts[2]
                if key == "productivity" and len(parts) == 4 and parts[3] not in sectors:
                    problems.append((where, f"unknown sector '{parts[3]}' (known: {', '.join(sectors)})"))
                elif len(parts) > (4 if key == "productivity" else 3):
                    problems.append((where, "not a key path of a state level"))
                elif op == "scale" and not 0 < getattr(ev, op)[path] <= STATE_SCALE_MAX:
                    problems.append(
                        (
                            where,
                            f"a state level must stay positive and finite: the factor must be in (0, {STATE_SCALE_MAX:g}]",
                        )
                    )
                elif op == "add" and not abs(getattr(ev, op)[path]) <= STATE_ADD_MAX[key]:
                    problems.append((where, f"the amount must be at most {STATE_ADD_MAX[key]:g} either way"))
    if ev.years is not None:
        for path, factor in ev.scale.items():
            if not factor > 0:
                problems.append(
                    (f'scale."{path}"', "a temporary scale fades through powers of its factor: it must be above 0")
                )
    if (ev.years is not None or ev.half_life is not None) and not (ev.scale or ev.add):
        problems.append(("years" if ev.years is not None else "half_life", "only scale and add shocks fade"))
    if ev.half_life is not None and ev.years is None:
        problems.append(("half_life", "a fading shock needs years (how long it holds in full first)"))
    if not (ev.set or ev.scale or ev.add or ev.realign):
        problems.append(("", "an event needs set, scale, add or realign"))
    return problems


def strength(elapsed: float, years: float | None, half_life: float | None) -> float:
    """Share of a shock in force ``elapsed`` years after it started (1 while it holds)."""
    if years is None or elapsed < years:
        return 1.0
    if half_life is None or elapsed >= years + FADE_HALF_LIVES * half_life:
        return 0.0
    return 0.5 ** ((elapsed - years) / half_life)


def last_tick(start: int, years: float | None, half_life: float | None, dt: float) -> int | None:
    """The first tick at which a shock's strength is 0 (None: permanent)."""
    if years is None:
        return None
    span = years + (FADE_HALF_LIVES * half_life if half_life is not None else 0.0)
    return start + math.ceil(span / dt - 1e-9)


def has_param_shocks(ev: Any) -> bool:
    """True if an event scales or adds to a parameter (not only to state levels)."""
    return any(is_param(p) for op in ("scale", "add") for p in getattr(ev, op))


def is_param(path: str) -> bool:
    """True for a key path whose scale and add act on a parameter (not a state level)."""
    return key_kind(path.split("."))[0] != STATE


def _numbers(value: Any, fn) -> Any:
    """``fn`` applied to a number or every number of a (nested) table; ValueError otherwise."""
    if isinstance(value, dict):
        return {k: _numbers(v, fn) for k, v in value.items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fn(float(value))
    raise ValueError("scale and add need a number or a table of numbers here; use set")


def shocked(value: Any, op: str, amount: float, share: float) -> Any:
    """A parameter's value with ``share`` of a scale or add shock applied."""
    if op == "scale":
        return _numbers(value, lambda v: v * amount**share if share != 1.0 else v * amount)
    return _numbers(value, lambda v: v + amount * share)


def apply_params(
    doc: dict, ev: Any, names: list[str], *, permanent: bool = True, temporary_share: float | None = None
) -> dict:
    """A copy of a resolved document with an event's parameter operations applied.

    ``set`` and permanent ``scale``/``add`` if ``permanent``; the event's temporary ones at
    ``temporary_share`` of their size if given. Raises KeyError or ValueError (with the
    operation and key path in the message) on a bad path or value.

    The copy shares the tables the event does not change with ``doc`` (copy on write): neither
    may be changed in place afterwards.
    """
    from sim.scenario import get_path, set_path

    out = dict(doc) if type(doc) is dict else copy_tree(doc)
    owned = {id(out)}
    for path, value in expand(ev.set if permanent else {}, names).items():
        try:
            own_path(out, path, owned)
            set_path(out, path, value)
        except (KeyError, ValueError) as exc:
            raise _located("set", path, exc) from None
    temporary = ev.years is not None
    share = 1.0 if not temporary else temporary_share
    if (temporary and share is None) or (not temporary and not permanent):
        return out
    for op in ("scale", "add"):
        for path, amount in expand(getattr(ev, op), names).items():
            if not is_param(path):
                continue
            try:
                own_path(out, path, owned)
                set_path(out, path, shocked(get_path(out, path), op, amount, share))
            except (KeyError, ValueError) as exc:
                raise _located(op, path, exc) from None
    return out


class EventPathError(ValueError):
    """A bad key path or value in an event operation (``op``, ``path``, ``reason``)."""

    def __init__(self, op: str, path: str, reason: str):
        super().__init__(reason)
        self.op, self.path, self.reason = op, path, reason


def _located(op: str, path: str, exc: Exception) -> EventPathError:
    reason = str(exc.args[0]) if exc.args else str(exc)
    if isinstance(exc, KeyError) and "is not set" in reason and op != "set":
        reason += "; scale and add act on a value in force (set it first)"
    return EventPathError(op, path, reason)


# ----------------------------------------------------------------------------- state shocks


@dataclass
class StateShock:
    """A scale or add shock to a state level, applied tick by tick as its strength changes.

    Attributes:
        key: ``productivity``, ``labor_force`` or ``wage``.
        row: the country's index.
        cols: sector indices (productivity) or None.
        op: ``scale`` or ``add``.
        amount: factor or amount.
        start: the event's tick.
        years, half_life: the fade (None: permanent).
        applied: strength applied so far.
    """

    key: str
    row: int
    cols: np.ndarray | None
    op: str
    amount: float
    start: int
    years: float | None
    half_life: float | None
    applied: float = 0.0


def state_shocks(ev: Any, tick: int, names: list[str], sectors: list[str]) -> list[StateShock]:
    """The state-level shocks of an event starting at ``tick``."""
    out = []
    for op in ("scale", "add"):
        for path, amount in expand(getattr(ev, op), names).items():
            if is_param(path):
                continue
            parts = path.split(".")
            cols = None
            if parts[2] == "productivity":
                cols = np.array([sectors.index(parts[3])] if len(parts) == 4 else range(len(sectors)), dtype=np.int64)
            out.append(
                StateShock(parts[2], names.index(parts[1]), cols, op, float(amount), tick, ev.years, ev.half_life)
            )
    return out


def scale_level(level: np.ndarray, factor: float, delta: float) -> np.ndarray:
    """A level after a scale shock's strength changes by ``delta``: ``level * factor**delta``."""
    return level * factor**delta


def add_level(level: np.ndarray, amount: float, delta: float) -> np.ndarray:
    """A level after an add shock's strength changes by ``delta``: ``level + amount * delta``."""
    return level + amount * delta


def shift_log_productivity(
    log_shock: np.ndarray, trend: np.ndarray, op: str, amount: float, delta: float
) -> np.ndarray:
    """New log productivity shock offsets (N, S1 slice): ``scale`` multiplies the trend level by
    ``amount**delta``; ``add`` adds ``amount * delta`` to it (trend includes earlier shocks).
    """
    if op == "scale":
        return log_shock + delta * math.log(amount)
    return log_shock + np.log(add_level(trend, amount, delta) / trend)


def labor_shares_set(ev: Any, spec: Any, names: list[str], sectors: list[str]) -> list[tuple[int, list[float]]]:
    """(country index, labor shares by sector) for every country whose labor shares the event
    sets: its workers move at once, to the shares of ``spec`` (the scenario after the event).
    """
    out = []
    for path in expand(ev.set, names):
        parts = path.split(".")
        if parts[0] == "country" and parts[2] == "labor_shares":
            i = names.index(parts[1])
            shares = spec.country[i].labor_shares
            out.append((i, [shares[s] for s in sectors]))
    return out


def realignment(ev: Any, names: list[str], anchor: int, tick: int, dt: float) -> tuple[list[int], int, float] | None:
    """A realignment's moved currencies, the tick it ends and the drift of their log rates per
    year (a constant log path over its ticks); None if the event has none.
    """
    ra = ev.realign
    if ra is None:
        return None
    ticks = max(1, round(ra.years / dt))
    drift = float(np.log1p(ra.change) / (ticks * dt))
    if names.index(ra.currency) == anchor:
        return [names.index(c) for c in ra.against], tick + ticks, -drift
    return [names.index(ra.currency)], tick + ticks, drift


def apply_state_shocks(
    shocks: list[StateShock], st: Any, r: int, tick: int, dt: float, names: list[str]
) -> list[StateShock]:
    """Move member ``r``'s state levels by the change in each shock's strength since the last tick.

    Returns:
        the shocks still in force.

    Raises:
        SimulationError: a shock would make a level non-positive or not finite.
    """
    keep = []
    for sh in shocks:
        share = strength((tick - sh.start) * dt, sh.years, sh.half_life)
        delta, sh.applied = share - sh.applied, share
        if delta != 0.0:
            i = sh.row
            if sh.key == "productivity":
                log_shock = st.log_shock[r, i, sh.cols]
                trend = np.exp(st.log_base[r, i, sh.cols] + st.log_innov[r, i, sh.cols] + log_shock)
                _check_level(trend, sh, "productivity", tick, names)
                with np.errstate(all="ignore"):
                    new = shift_log_productivity(log_shock, trend, sh.op, sh.amount, delta)
                _check_level(np.exp(new) * trend / np.exp(log_shock), sh, "productivity", tick, names)
                st.log_shock[r, i, sh.cols] = new
            else:
                arr = st.labor if sh.key == "labor_force" else st.wage
                fn = scale_level if sh.op == "scale" else add_level
                value = fn(arr[r, i : i + 1], sh.amount, delta)
                _check_level(value, sh, sh.key, tick, names)
                arr[r, i] = value[0]
        if share > 0.0 or sh.years is None:
            keep.append(sh)
    return keep


def _check_level(value: np.ndarray, sh: StateShock, quantity: str, tick: int, names: list[str]) -> None:
    if not np.all(np.isfinite(value) & (value > 0)):
        raise SimulationError(
            tick,
            names[sh.row],
            quantity,
            f"an event's {sh.op} shock would make it {np.min(value):.6g}; it must stay positive",
        )


def param_fields() -> dict[str, Any]:
    """Every schema field an event may address, by key path pattern (for docs and tests)."""
    out: dict[str, Any] = {}
    for name, info in World.model_fields.items():
        ann = info.annotation
        sub = getattr(ann, "model_fields", None)
        if sub:
            for k, v in sub.items():
                out[f"world.{name}.{k}"] = v
        else:
            out[f"world.{name}"] = info
    for name, info in Country.model_fields.items():
        sub = getattr(info.annotation, "model_fields", None)
        if sub:  # a table that is always there (the government): its keys one by one
            for k, v in sub.items():
                out[f"country.<name>.{name}.{k}"] = v
        else:
            out[f"country.<name>.{name}"] = info
    return out
