"""The scenario key reference (``docs/scenarios.md``), generated from the schema.

``python -m sim.keyref > docs/scenarios.md`` regenerates it; a test checks the committed file
is current, so the reference cannot drift from what the loader accepts.
"""

from __future__ import annotations

import sys
import typing

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim import events
from sim.schema import Country, Event, ExportControl, Government, PairCost, Realign, Scenario, Simulation, World

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


EVENTS_TEXT = """## Events: operations, dates and what each key path means

An `[[event]]` acts at the start of its tick. It is dated by exactly one of `tick`, `year` or
`quarter` (`year` and `quarter` need `simulation.start_year`; `quarter` needs quarterly ticks; a
date before the start or after the last tick is an error). Events apply in date order, each
validated at load on top of the earlier ones; a bad key path or value is an error naming
`event[k]`, the operation and the key path. `country.*.<key>` means every country in every
operation (a named country in the same table wins). Events cannot add or remove countries or
sectors.

Operations (one event may use several):

```toml
[[event]]                      # set: replace a parameter from this tick on
year = 2001
note = "China joins the WTO: one opening step"
set = { "world.pair_costs.China.US" = 0.4, "country.US.tariffs.China" = 0.03 }

[[event]]                      # scale: multiply a parameter in force or the level a state has reached
year = 1979
note = "second oil shock: primary output per worker falls 20%, holds 2 years, fades (half-life 1 year)"
scale = { "country.*.productivity.primary" = 0.8 }
years = 2
half_life = 1.0

[[event]]                      # add: add to a parameter in force or to a state level
year = 1990
note = "China's coastal labor joins world markets"
add = { "country.China.labor_force" = 120.0 }

[[event]]                      # realign: a coordinated realignment of a floating currency
year = 1985
note = "Plaza Accord: the dollar falls 40% against the yen and the mark in two years"
realign = { currency = "US", change = -0.4, years = 2, against = ["Japan", "Germany"] }

[[event]]                      # a managed currency's target: anchored level and crawl
year = 2005
note = "the yuan leaves its dollar peg and crawls up 7% a year"
set = { "country.China.exchange_rate_regime" = "managed", "country.China.crawl" = 0.07 }
```

- `set` replaces a parameter; setting a country's `labor_shares` moves its workers at once.
- `scale` and `add` act on a parameter in force (a number, or each number of a table such as
  `country.US.tariffs`; out-of-range results are errors at load) or on the current level of a
  state: `country.<name>.productivity[.<sector>]` (a level shift of output per worker: the
  catch-up of trend productivity goes on as before, it is not restarted), `labor_force` and
  `wage`. A state scale factor must be in (0, 100], an add at most the key's bound either way; a
  level pushed to zero or below stops the run with an error naming the tick.
- Without `years` a shock is permanent. With `years` it holds in full for that many years, then
  ends at once, or with `half_life` fades as `0.5 ** ((t - years) / half_life)` (t: years since
  the event) and is removed after ten half-lives. A parameter `set` later replaces the base a
  temporary shock acts on.
- `realign` moves a floating currency by `change` over `years` (whole ticks) along a constant
  log path, against the unit of account, or moves listed currencies against the unit of account
  when it is the one realigned. While it moves, each moved currency's central bank takes the
  other side of the FX market with its reserves, as for a peg; if they run out the move stops,
  the currency floats and the run's notes say at which tick.
- `undervaluation` (negative: overvaluation) anchors a managed or pegged rate to its
  balanced-start rate when it changes; `crawl` then moves the target k% a year.
- Trade costs: `world.trade_cost`, then `world.region_costs` between `world.regions`, then the
  `[[world.trade_costs]]` list, then `world.pair_costs`, each overriding the one before; pair and
  region costs are symmetric unless both directions are given, so
  `set = { "world.pair_costs.Japan.China" = 0.5 }` is one step. Country names may contain
  hyphens: pairs are always two keys, never "A-B".

Every key path an event may name, and what an event does with it (keys refused here stay legal
in the file itself, in sweeps, experiment arms and `[base]` sets, which act at load):
"""

_KIND_TEXT = {
    events.PARAM: ("set, scale, add", "the parameter, from the event's tick"),
    events.SHARES: ("set", "the shares, from the event's tick (they must sum to 1)"),
    events.ALLOC: ("set", "the labor shares: workers move at once"),
    events.STATE: ("scale, add", "the level the run has reached (set is refused: it is the initial level)"),
}


def _leaves(ann) -> set:
    """The leaf types of an annotation (``list`` for any list, models as themselves)."""
    if typing.get_origin(ann) is typing.Annotated:
        return _leaves(typing.get_args(ann)[0])
    origin = typing.get_origin(ann)
    if origin is list:
        return {list}
    if origin is typing.Literal:
        return {str}
    if origin is not None:  # unions, dicts (keys are names: only the values count for dicts)
        args = typing.get_args(ann)
        args = args[1:] if origin is dict else args
        return set().union(*(_leaves(a) for a in args))
    return {ann}


def _event_keys() -> list[str]:
    rows = ["| key path | operations | an event changes |", "|---|---|---|"]
    fields = {f"simulation.{k}": v for k, v in Simulation.model_fields.items()} | events.param_fields()
    for path, info in fields.items():
        kind, why = events.key_kind(path.replace("<name>", "X").split("."))
        ops, what = _KIND_TEXT.get(kind, ("refused", why.replace("|", "\\|")))
        if kind == events.PARAM and not _leaves(info.annotation) <= {float, int, type(None)}:
            ops = "set"
        rows.append(f"| `{path}` | {ops} | {what} |")
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
    for sub in ("prices", "demand", "finance", "exchange_rate", "development", "policy", "structure"):
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
    out += ["## [country.<name>.government]", "", *_table(Government, "country.<name>.government."), ""]
    out += ["## [[event]]", "", *_table(Event, "event."), ""]
    out += ["## [event.realign]", "", *_table(Realign, "event.realign."), ""]
    out += [EVENTS_TEXT, *_event_keys(), ""]
    assert Scenario  # the top level: simulation, world, country, event
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(render())
