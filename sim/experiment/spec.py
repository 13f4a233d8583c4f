"""Experiment files: a base scenario, arms that change it, seeds and metrics.

See ``scenarios/experiments/README.md`` for the format. :func:`load_experiment` reads a file,
:func:`build_experiment` takes the same pieces from Python; both check everything before a
single run starts and raise :class:`sim.errors.ScenarioError` naming the file, the key path
and the reason.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.batch.documents import (
    check_document,
    pydantic_problems,
    raw_document,
    with_overrides,
    without_seed,
)
from sim.batch.task import derive_seed, document_hash
from sim.errors import ScenarioError
from sim.metrics import Metric, MetricSpec, compile_metrics, default_metrics
from sim.scenario import load_toml
from sim.schema import Scenario, file_name_problem

ARM_NAME = r"^[A-Za-z0-9_\-]{1,64}$"
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
BASE_ARM = "base"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class BaseTable(_Strict):
    """``[base]``: the base scenario and overrides applied to it."""

    scenario: str
    """Path of the scenario file, relative to the experiment file."""
    set: dict[str, Any] = Field(default_factory=dict)
    """Key path -> value, applied to the base (and to arms built on it)."""


class ArmTable(_Strict):
    """One ``[[arm]]`` table."""

    name: Name
    """Arm name (letters, digits, _ and -), used in tables and file names."""
    label: str | None = None
    """Words for reports ("With <label>, ..."); generated from the overrides if not given."""
    scenario: str | None = None
    """A whole second scenario file instead of the base (relative to the experiment file)."""
    set: dict[str, Any] = Field(default_factory=dict)
    """Key path -> value, applied on top of the base (or of ``scenario``)."""
    event: list[dict[str, Any]] = Field(default_factory=list)
    """Scheduled ``[[arm.event]]`` tables added to the scenario's own events."""
    expect: dict[str, Literal["higher", "lower"]] = Field(default_factory=dict)
    """Claims: metric name -> ``higher`` or ``lower`` than the base. A claim holds when the whole
    paired-t 95% interval of the difference lies on that side of zero."""


class ExperimentFile(_Strict):
    """A whole experiment file."""

    name: Name | None = None
    """Output folder name under results/experiments/; default: the file's stem."""
    description: str = ""
    """What the experiment asks; copied into report.md."""
    base: str | BaseTable
    """The base scenario: a path, or a [base] table."""
    seeds: Annotated[int, Field(ge=1, le=100_000)] = 20
    """Number of seeds; every arm runs the same seeds (common random numbers)."""
    seed: Annotated[int, Field(ge=0)] = 0
    """Master seed from which the run seeds are derived."""
    ticks: Annotated[int, Field(ge=1)] | None = None
    """Override simulation.ticks of every arm."""
    bootstrap: Annotated[int, Field(ge=100, le=1_000_000)] = 10_000
    """Bootstrap resamples for the bootstrap confidence interval."""
    arm: list[ArmTable] = Field(min_length=1)
    """The arms compared with the base."""
    metric: list[dict[str, Any]] = Field(default_factory=list)
    """``[[metric]]`` tables (see sim.metrics); default: each country's current account (share
    of GDP) and the global imbalance index, averaged over the run."""


@dataclass
class Arm:
    """One arm ready to run: its raw document and what it changes."""

    name: str
    label: str
    document: dict[str, Any] = field(repr=False)
    doc_hash: str
    changes: list[str]
    expect: dict[str, str] = field(default_factory=dict)


@dataclass
class Experiment:
    """A checked experiment: the base and its arms, seeds and metrics.

    Attributes:
        name: output folder name.
        description: free text.
        arms: the base first (named ``base``), then each arm.
        seeds: the model seed of each seed index.
        master_seed: what ``seeds`` were derived from.
        metrics: the compiled metrics.
        bootstrap: bootstrap resamples.
        scenario: the base's resolved scenario.
        null_arms: arms that run exactly what the base runs.
        source: the experiment file (None if built in Python).
    """

    name: str
    description: str
    arms: list[Arm]
    seeds: list[int]
    master_seed: int
    metrics: list[Metric]
    bootstrap: int
    scenario: Scenario = field(repr=False)
    null_arms: list[str] = field(default_factory=list)
    source: Path | None = None


def load_experiment(
    path: str | Path,
    *,
    seeds: int | None = None,
    ticks: int | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Experiment:
    """Read and check an experiment file (``seeds`` / ``ticks`` override the file's; ``settings``,
    key path -> value, are set on every arm before the arm's own ``set``).
    """
    path = Path(path)
    doc = load_toml(path)
    file = str(path)
    try:
        spec = ExperimentFile.model_validate(doc)
    except ValidationError as exc:
        raise ScenarioError(file, pydantic_problems(exc)) from None
    base = spec.base if isinstance(spec.base, BaseTable) else BaseTable(scenario=spec.base)
    exp = build_experiment(
        base=base.scenario,
        base_set=base.set,
        arms=[a.model_dump() for a in spec.arm],
        seeds=seeds if seeds is not None else spec.seeds,
        metrics=spec.metric or None,
        name=spec.name or _stem(path),
        description=spec.description,
        seed=spec.seed,
        ticks=ticks if ticks is not None else spec.ticks,
        settings=settings,
        bootstrap=spec.bootstrap,
        file=file,
        relative_to=path.parent,
    )
    exp.source = path
    return exp


def _stem(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_\-]+", "_", path.stem).strip("_") or "experiment"


def build_experiment(
    base: str | Path | Mapping[str, Any] | Scenario,
    arms: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    seeds: int = 20,
    metrics: Sequence[Mapping[str, Any] | MetricSpec] | None = None,
    name: str | None = None,
    description: str = "",
    seed: int = 0,
    ticks: int | None = None,
    settings: Mapping[str, Any] | None = None,
    bootstrap: int = 10_000,
    base_set: Mapping[str, Any] | None = None,
    file: str = "<experiment>",
    relative_to: Path | None = None,
) -> Experiment:
    """Check the pieces of an experiment and return it ready to run.

    Args:
        base: the base scenario (path, mapping or Scenario).
        arms: ``{name: overrides}`` (overrides a mapping of key path -> value, or a scenario
            path or Scenario for a whole second scenario), or a list of arm tables
            (``{"name", "set", "event", "scenario", "label"}``).
        seeds: number of seeds (every arm runs the same ones).
        metrics: metric tables; default: see :func:`sim.metrics.default_metrics`.
        name: output folder name.
        description: free text for the report.
        seed: master seed the run seeds are derived from.
        ticks: override ``simulation.ticks`` everywhere.
        settings: key path -> value set on every arm's scenario (the base's and whole-scenario
            arms'), after the base's ``set`` and before each arm's own ``set`` (``tradesim
            compare --set``).
        bootstrap: bootstrap resamples.
        base_set: overrides applied to the base.
        file: name used in error messages.
        relative_to: folder that relative scenario paths start from.

    Raises:
        ScenarioError: naming the key path and reason of each problem.
    """
    problems: list[tuple[str, str]] = []
    if not isinstance(seeds, int) or isinstance(seeds, bool) or seeds < 1:
        raise ScenarioError(file, [("seeds", f"need at least 1 seed, not {seeds!r}")])
    tables = _arm_tables(arms, file)
    top = {**dict(settings or {}), **({"simulation.ticks": int(ticks)} if ticks is not None else {})}
    try:
        base_doc = raw_document(base, relative_to=relative_to)
    except ScenarioError as exc:
        raise ScenarioError(file, [("base", str(exc))]) from None
    base_doc = with_overrides(base_doc, {**dict(base_set or {}), **top}, file=file, where="base.set")
    base_scn = check_document(base_doc, file=file, where="base")
    built = [Arm(BASE_ARM, "the base", base_doc, document_hash(base_doc), [])]
    resolved = {BASE_ARM: without_seed(base_scn)}
    scenarios = {BASE_ARM: base_scn}
    seen = {BASE_ARM}
    for i, t in enumerate(tables):
        where = f"arm.{t['name']}"
        if t["name"] in seen:
            problems.append((f"arm[{i}].name", f"'{t['name']}' is used twice (or is the reserved name 'base')"))
            continue
        seen.add(t["name"])
        if t.get("scenario") is not None:
            try:
                doc = raw_document(t["scenario"], relative_to=relative_to)
            except ScenarioError as exc:
                problems.append((f"{where}.scenario", str(exc)))
                continue
            doc = with_overrides(doc, top, file=file, where=where) if top else doc
        else:
            doc = base_doc
        doc = with_overrides(doc, t.get("set") or {}, file=file, where=f"{where}.set")
        if t.get("event"):
            doc["event"] = [*(doc.get("event") or []), *t["event"]]
        scn = check_document(doc, file=file, where=where)
        resolved[t["name"]] = without_seed(scn)
        scenarios[t["name"]] = scn
        changes = _changes(t)
        label = t.get("label") or _label(t)
        expect = dict(t.get("expect") or {})
        for k, v in expect.items():
            if v not in ("higher", "lower"):
                problems.append((f"{where}.expect.{k}", f"a claim is 'higher' or 'lower', not {v!r}"))
        built.append(Arm(t["name"], label, doc, document_hash(doc), changes, expect))
    if problems:
        raise ScenarioError(file, problems)
    specs = list(metrics) if metrics else default_metrics(base_scn.names)
    metric_list = compile_metrics(specs, base_scn, file=file)
    names = {m.name for m in metric_list}
    bad = [
        (f"arm.{a.name}.expect.{k}", f"no metric named '{k}' (metrics: {', '.join(sorted(names))})")
        for a in built[1:]
        for k in a.expect
        if k not in names
    ]
    if bad:
        raise ScenarioError(file, bad)
    for arm in built[1:]:
        try:
            compile_metrics(specs, scenarios[arm.name], file=file)
        except ScenarioError as exc:
            raise ScenarioError(file, [(f"arm.{arm.name}: {p}", why) for p, why in exc.problems]) from None
    exp_name = name or base_scn.simulation.name or "experiment"
    why = file_name_problem(exp_name)
    if why:
        raise ScenarioError(file, [("name", why)])
    null = [a.name for a in built[1:] if resolved[a.name] == resolved[BASE_ARM]]
    for n in null:
        warnings.warn(
            f"{file}: arm '{n}' is identical to the base: this is the null experiment, every effect will be exactly zero",
            stacklevel=2,
        )
    return Experiment(
        name=exp_name,
        description=description,
        arms=built,
        seeds=[derive_seed(seed, k) for k in range(seeds)],
        master_seed=seed,
        metrics=metric_list,
        bootstrap=bootstrap,
        scenario=base_scn,
        null_arms=null,
    )


def _arm_tables(arms: Mapping[str, Any] | Sequence[Mapping[str, Any]], file: str) -> list[dict[str, Any]]:
    """Normalise the ways Python callers give arms into arm tables."""
    if isinstance(arms, Mapping):
        out = []
        for name, value in arms.items():
            if isinstance(value, (str, Path, Scenario)):
                out.append({"name": name, "scenario": value})
            elif isinstance(value, Mapping) and set(value) & {"set", "event", "scenario", "label", "expect"}:
                out.append({"name": name, **value})
            elif isinstance(value, Mapping):
                out.append({"name": name, "set": dict(value)})
            else:
                raise ScenarioError(file, [(f"arm.{name}", "an arm is a mapping of key path -> value, or a scenario")])
        arms = out
    tables = [dict(a) for a in arms]
    if not tables:
        raise ScenarioError(file, [("arm", "give at least one arm")])
    for i, t in enumerate(tables):
        if not isinstance(t.get("name"), str) or not t["name"]:
            raise ScenarioError(file, [(f"arm[{i}].name", "every arm needs a name")])
        if not re.fullmatch(ARM_NAME, t["name"]):
            raise ScenarioError(
                file, [(f"arm[{i}].name", f"{t['name']!r}: an arm name (it names files) is letters, digits, _ and -")]
            )
        bad = set(t) - {"name", "set", "event", "scenario", "label", "expect"}
        if bad:
            raise ScenarioError(file, [(f"arm.{t['name']}.{sorted(bad)[0]}", "unknown key")])
    return tables


def _changes(t: Mapping[str, Any]) -> list[str]:
    out = []
    if t.get("scenario") is not None:
        out.append(f"scenario {t['scenario'] if not isinstance(t['scenario'], Scenario) else '<Scenario>'}")
    out += [f"{k} = {v!r}" for k, v in (t.get("set") or {}).items()]
    out += [f"event at {_when(e)}: {_ops(e)}" for e in t.get("event") or []]
    return out


def _when(e: Any) -> str:
    if not isinstance(e, Mapping):
        return "?"
    for key in ("tick", "year", "quarter"):
        if e.get(key) is not None:
            return f"{key} {e[key]}"
    return "?"


def _ops(e: Any) -> str:
    if not isinstance(e, Mapping):
        return repr(e)
    return ", ".join(f"{op} {e[op]}" for op in ("set", "scale", "add", "realign") if e.get(op)) or "nothing"


def _label(t: Mapping[str, Any]) -> str:
    """Words for an arm from its overrides: "China's propensity to consume at 0.84"."""
    parts = []
    if t.get("scenario") is not None and not isinstance(t["scenario"], Scenario):
        parts.append(f"the scenario {Path(str(t['scenario'])).stem}")
    for k, v in (t.get("set") or {}).items():
        bits = str(k).split(".")
        if bits[0] == "country" and len(bits) >= 3:
            who = "every country" if bits[1] == "*" else bits[1]
            what = f"{who}'s {' '.join(bits[2:]).replace('_', ' ')}"
        else:
            what = " ".join(bits[-2:] if len(bits) > 2 else bits[-1:]).replace("_", " ")
        parts.append(f"{what} at {v!r}" if not isinstance(v, (dict, list)) else f"{what} set to {v}")
    n_ev = len(t.get("event") or [])
    if n_ev:
        parts.append(f"{n_ev} scheduled change{'s' if n_ev > 1 else ''}")
    return " and ".join(parts) if parts else f"arm {t['name']}"
