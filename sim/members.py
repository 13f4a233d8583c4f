"""Per-member parameters of an ensemble: each scenario number as an (R, 1) array, one row a member.

An ensemble is R members of one world (the same countries, sectors and clock) that may differ in
their seeds and in any parameter a sweep, an experiment or an event can set. The stage functions
take these arrays where a single world took numbers; a member's row holds exactly the number its
own scenario gives, so its arithmetic is the arithmetic of its single run.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from sim.errors import ScenarioError
from sim.schema import Scenario

SECTIONS = ("prices", "demand", "finance", "exchange_rate", "development", "policy")
"""The ``[world.<section>]`` tables whose numbers are stacked per member."""

SHARED = (
    "simulation.ticks",
    "simulation.tick_length",
    "simulation.log_every",
    "simulation.bilateral_every",
    "world.development.relocation_sector",
    "world.development.upgrade_sector",
)
"""Settings every member of an ensemble must share besides its countries, sectors and reserve
issuers (the clock, the logging, and the sectors named by the relocation mechanism); the batch
layer puts runs that differ in them into different ensembles."""


def shape_key(spec: Scenario) -> tuple:
    """What members of one ensemble must have in common (see :data:`SHARED`)."""
    sim, dev = spec.simulation, spec.world.development
    return (
        tuple(spec.names),
        tuple(spec.all_sectors),
        tuple(spec.traded),
        tuple(spec.world.reserve_issuers or spec.names[:1]),
        sim.ticks,
        sim.tick_length,
        sim.log_every,
        sim.bilateral_every,
        dev.relocation_sector,
        dev.upgrade_sector,
    )


def check_same_shape(specs: list[Scenario]) -> None:
    """Raise a ScenarioError if the members' worlds differ in shape, clock or logging."""
    first = shape_key(specs[0])
    labels = ("country names", "sectors", "traded sectors", "reserve issuers", *SHARED)
    for r, spec in enumerate(specs[1:], start=1):
        key = shape_key(spec)
        if key != first:
            what = next(lab for lab, a, b in zip(labels, first, key, strict=True) if a != b)
            raise ScenarioError(
                "<ensemble>",
                [(f"member {r}", f"{what} differ from member 0's; the members of an ensemble share them")],
            )


def _stack(values: list[Any]) -> np.ndarray | list:
    v0 = values[0]
    if isinstance(v0, bool):
        return np.array(values, dtype=bool)[:, None]
    if isinstance(v0, (int, float)):
        return np.array(values, dtype=float)[:, None]
    if isinstance(v0, (list, tuple)):
        return np.array(values, dtype=float)
    return list(values)


def world_knobs(specs: list[Scenario]) -> SimpleNamespace:
    """``knobs.<section>.<name>``: (R, 1) numbers (bools as bool), (R, k) lists, lists of strings."""
    out = {}
    for sec in SECTIONS:
        models = [getattr(s.world, sec) for s in specs]
        fields = type(models[0]).model_fields
        out[sec] = SimpleNamespace(**{name: _stack([getattr(m, name) for m in models]) for name in fields})
    return SimpleNamespace(**out)


def set_knobs(knobs: SimpleNamespace, r: int, spec: Scenario) -> None:
    """Write member r's values (after an event) into the stacked knobs."""
    for sec in SECTIONS:
        model = getattr(spec.world, sec)
        ns = getattr(knobs, sec)
        for name, arr in vars(ns).items():
            value = getattr(model, name)
            if isinstance(arr, list):
                arr[r] = value
            elif arr.ndim == 2 and arr.shape[1] == 1:
                arr[r, 0] = value
            else:
                arr[r] = value


def copy_row(obj: Any, to: int, frm: int, skip: tuple[str, ...] = ()) -> None:
    """Copy row ``frm`` into row ``to`` of every per-member array (or list) held by ``obj``."""
    for name, v in vars(obj).items():
        if name in skip:
            continue
        if isinstance(v, np.ndarray) and v.ndim >= 1:
            v[to] = v[frm]
        elif isinstance(v, SimpleNamespace):
            copy_row(v, to, frm)
        elif isinstance(v, list) and len(v) > max(to, frm):
            v[to] = v[frm]
