"""Base scenarios and key-path overrides as experiment and sweep files write them.

A file names its base scenario either as a path (``base = "../baseline.toml"``, relative to
the file) or as a table (``[base]`` with ``scenario`` and optional ``set`` overrides). Runs are
made from the *raw* document (the file as written plus overrides), not from the resolved one,
so that a default derived from other keys (a country's initial wage from its productivity, its
labor shares from the budget shares) follows an override as it does in a scenario file.

Key paths may use ``*`` for every country: ``country.*.investment_rate``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario import _stem_name, apply_overrides, key_text, load_scenario, load_toml, resolved_document
from sim.schema import Scenario


def raw_document(source: str | Path | Mapping[str, Any] | Scenario, *, relative_to: Path | None = None) -> dict:
    """The raw document of a scenario given as a path (relative to ``relative_to``), a mapping
    or a Scenario; a file's stem becomes ``simulation.name`` if the file names none.
    """
    if isinstance(source, Scenario):
        return resolved_document(source)
    if isinstance(source, Mapping):
        return copy.deepcopy(dict(source))
    path = Path(source)
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    doc = load_toml(path)
    sim = doc.setdefault("simulation", {})
    if isinstance(sim, dict):
        sim.setdefault("name", _stem_name(path))
    return doc


def expand_overrides(doc: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides with ``country.*.<key>`` expanded to one entry per country of ``doc``."""
    out: dict[str, Any] = {}
    countries = doc.get("country")
    names = [c.get("name") for c in countries if isinstance(c, dict)] if isinstance(countries, list) else []
    for path, value in overrides.items():
        if isinstance(path, str) and path.startswith("country.*."):
            for name in names:
                out[f"country.{name}.{path[len('country.*.') :]}"] = value
        else:
            out[path] = value
    return out


def check_document(doc: Mapping[str, Any], *, file: str, where: str) -> Scenario:
    """Validate a raw document; problems are reported under ``where`` (e.g. ``arm.high``)."""
    try:
        return load_scenario(doc, file=file)
    except ScenarioError as exc:
        raise ScenarioError(
            file, [(f"{where}: {path}" if path else where, why) for path, why in exc.problems]
        ) from None


def with_overrides(doc: Mapping[str, Any], overrides: Mapping[str, Any], *, file: str, where: str) -> dict[str, Any]:
    """A copy of ``doc`` with the (wildcard-expanded) overrides applied; bad paths are errors
    under ``where``.
    """
    try:
        return apply_overrides(doc, expand_overrides(doc, overrides), file=file)
    except ScenarioError as exc:
        raise ScenarioError(file, [(f"{where}: {path}", why) for path, why in exc.problems]) from None


def base_document(
    base: Any, ticks: int | None, *, file: str, relative_to: Path | None
) -> tuple[dict[str, Any], Scenario]:
    """The base of a sweep or calibration file — a path, or a ``[base]`` table with ``scenario``
    and ``set`` — as a raw document with its overrides (and ``ticks``, if given) applied, and the
    scenario it resolves to; problems are reported under ``base``.
    """
    path, overrides = (base, {}) if isinstance(base, str) else (base.scenario, dict(base.set))
    try:
        doc = raw_document(path, relative_to=relative_to)
    except ScenarioError as exc:
        raise ScenarioError(file, [("base", str(exc))]) from None
    top = {"simulation.ticks": ticks} if ticks is not None else {}
    doc = with_overrides(doc, {**overrides, **top}, file=file, where="base.set")
    return doc, check_document(doc, file=file, where="base")


def pydantic_problems(exc: ValidationError) -> list[tuple[str, str]]:
    """(key path, reason) pairs of a pydantic error on an experiment or sweep file."""
    out: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        parts: list[str] = []
        for x in err["loc"]:
            if isinstance(x, int):
                parts[-1:] = [f"{parts[-1]}[{x}]"] if parts else [f"[{x}]"]
            elif str(x) in ("str", "int", "float", "bool", "list", "dict") or str(x).startswith(
                ("function-", "constrained-")
            ):
                continue  # a union branch tag, not a key of the file
            else:
                parts.append(key_text(str(x)))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "missing":
            msg = "required key is missing"
        path = ".".join(parts)
        if (path, msg) not in out:
            out.append((path, msg))
    return out


def without_seed(scn: Scenario) -> dict[str, Any]:
    """A resolved document with the seed and name removed (to compare what two arms run)."""
    doc = resolved_document(scn)
    doc["simulation"].pop("seed", None)
    doc["simulation"].pop("name", None)
    return doc
