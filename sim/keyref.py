"""The scenario key reference (``docs/scenarios.md``), generated from the schema.

``python -m sim.keyref > docs/scenarios.md`` regenerates it; a test checks the committed file
is current, so the reference cannot drift from what the loader accepts.
"""

from __future__ import annotations

import sys
import typing

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.schema import Country, Event, ExportControl, PairCost, Scenario, Simulation, World

HEADER = """# Scenario files: every key

Scenario files are TOML. Money is in billions of US dollars (the unit of account) and flows are
annual rates; labor is in millions of workers; rates and growth rates are per year whatever the
tick length. Unknown keys, wrong types, NaN or infinite numbers and values out of range are
errors that name the file, the key path and the reason (`tradesim validate FILE` checks a file).

Key paths (used by `[[event]]` tables, sweep files and experiment files) join table names with
dots and address countries by name: `simulation.seed`, `world.finance.premium_cap`,
`country.China.propensity_to_consume`, `country.China.productivity.labor`.

This file is generated from `sim/schema.py` by `python -m sim.keyref`; edit the schema, not this file.
"""


def _type(ann) -> str:
    text = str(ann).replace("typing.", "").replace("sim.schema.", "")
    text = text.replace("<class '", "").replace("'>", "")
    text = text.replace("Annotated[float, FieldInfo(annotation=NoneType, required=True, metadata=[", "float[")
    return text


def _bounds(info: FieldInfo) -> str:
    parts = []
    for m in info.metadata:
        for attr, sym in (
            ("ge", ">="),
            ("gt", ">"),
            ("le", "<="),
            ("lt", "<"),
            ("min_length", "len >="),
            ("max_length", "len <="),
        ):
            v = getattr(m, attr, None)
            if v is not None:
                parts.append(f"{sym} {v}")
    ann = info.annotation
    for arg in typing.get_args(ann):
        for m in getattr(arg, "__metadata__", ()):
            for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
                v = getattr(m, attr, None)
                if v is not None and f"{sym} {v}" not in parts:
                    parts.append(f"{sym} {v}")
    return ", ".join(parts)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        val = info.default_factory()
        if isinstance(val, BaseModel):
            return "(table)"
        return f"`{val!r}`"
    return f"`{info.default!r}`"


def _table(model: type[BaseModel], prefix: str) -> list[str]:
    rows = ["| key | default | range | meaning |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        desc = (info.description or "").replace("\n", " ").replace("|", "\\|")
        rows.append(f"| `{prefix}{name}` | {_default(info)} | {_bounds(info)} | {desc} |")
    return rows


def render() -> str:
    """The whole reference as Markdown."""
    out = [HEADER]
    sections = [
        ("[simulation]", Simulation, "simulation."),
        ("[world]", World, "world."),
    ]
    for title, model, prefix in sections:
        out += [f"## {title}", "", *_table(model, prefix), ""]
    w = World.model_fields
    for sub in ("prices", "demand", "finance", "exchange_rate", "development"):
        model = typing.get_args(w[sub].annotation) or (w[sub].annotation,)
        model = w[sub].annotation
        out += [
            f"## [world.{sub}]",
            "",
            (model.__doc__ or "").strip().split("\n")[0],
            "",
            *_table(model, f"world.{sub}."),
            "",
        ]
    out += ["## [[world.trade_costs]]", "", *_table(PairCost, ""), ""]
    out += ["## [[country]]", "", *_table(Country, "country.<name>."), ""]
    out += ["## [country.<name>.export_controls.<sector>]", "", *_table(ExportControl, ""), ""]
    out += ["## [[event]]", "", *_table(Event, "event."), ""]
    out += [
        "An event's `set` table maps key paths to new values, applied at the start of its tick in",
        "tick order; each event is validated at load on top of the earlier ones (a bad path or value is",
        "an error naming `event[k]`). Events may change `world.*` and `country.*` keys but cannot add or",
        "remove countries or sectors.",
        "",
    ]
    assert Scenario  # the top level: simulation, world, country, event
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(render())
