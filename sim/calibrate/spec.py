"""Calibration files: a base scenario, parameters with priors, targets, seeds and a method.

See ``docs/calibration.md`` for the format. :func:`load_calibration` checks everything before a
single run starts — the file's structure, each parameter's key path and type (by validating the
base with the parameter at both ends of its prior), the priors, the targets' metrics — and raises
:class:`sim.errors.ScenarioError` naming the file, the key path and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from sim.batch.documents import base_document, check_document, pydantic_problems, with_overrides
from sim.batch.task import document_hash
from sim.calibrate.priors import Prior
from sim.errors import ScenarioError
from sim.metrics import Metric, compile_metrics
from sim.scenario import load_toml
from sim.schema import Scenario
from sim.sweep.spec import BaseTable

Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class ParameterTable(_Strict):
    """One ``[[parameter]]`` table: a key path and its prior."""

    path: str = Field(min_length=1)
    """Key path (``country.China.propensity_to_consume``; ``country.*.<key>`` sets every country)."""
    prior: Literal["uniform", "loguniform", "normal"] = "uniform"
    """Prior shape on [low, high]: uniform, log-uniform (uniform in the logarithm) or a normal
    (mean, sd) truncated to the bounds."""
    low: float
    """Lower bound."""
    high: float
    """Upper bound."""
    mean: float | None = None
    """Normal prior: its mean (inside the bounds)."""
    sd: Annotated[float, Field(gt=0.0)] | None = None
    """Normal prior: its standard deviation."""
    integer: bool = False
    """Round values to integers before a run."""

    @model_validator(mode="after")
    def _prior(self) -> ParameterTable:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.prior == "loguniform" and self.low <= 0:
            raise ValueError("a log-uniform prior needs low > 0")
        if self.prior == "normal":
            if self.mean is None or self.sd is None:
                raise ValueError("a normal prior needs mean and sd")
            if not self.low <= self.mean <= self.high:
                raise ValueError(
                    f"the prior's mean {self.mean:g} lies outside [low, high] = [{self.low:g}, {self.high:g}]"
                )
        elif self.mean is not None or self.sd is not None:
            raise ValueError(f"mean and sd belong to a normal prior, not a {self.prior} one")
        return self


class FactRef(_Strict):
    """A row of a facts table (``docs/validation.md``), named by its key."""

    table: str
    """The facts table (CSV), relative to the calibration file."""
    economy: str
    """The row's economy."""
    year: str | int
    """The row's year (``2007``) or period (``"1984-1987"``)."""
    quantity: str
    """The row's quantity (``ca_gdp``, ``bilateral_balance``, ...)."""
    partner: str = ""
    """The row's partner (bilateral quantities)."""


class TargetTable(_Strict):
    """One ``[[target]]`` table: a metric (as in experiment and sweep files) with its value and
    standard error, or a row of a facts table (value and band from the row).
    """

    metric: dict[str, Any] | None = None
    """The metric, as a ``[[metric]]`` table of an experiment file (``country``/``column``,
    ``pair``, ``cycle``, window, stat, share_of_gdp)."""
    fact: FactRef | None = None
    """A facts-table row: the model value is computed as ``tradesim score`` computes it."""
    value: float | None = None
    """The target value, in the metric's units (fractions for shares of GDP); a fact's value by default."""
    sd: Annotated[float, Field(gt=0.0)] | None = None
    """Standard error or tolerance: deviations are measured in units of it. A fact's default: half
    its band's width."""
    label: str = ""
    """Words for reports (default: the metric's label)."""

    @model_validator(mode="after")
    def _one_kind(self) -> TargetTable:
        if (self.metric is None) == (self.fact is None):
            raise ValueError("give either metric = {...} or fact = {...}")
        if self.metric is not None and (self.value is None or self.sd is None):
            raise ValueError("a metric target needs value and sd")
        return self


class AbcMethod(_Strict):
    """``[method]`` with ``kind = "abc-smc"`` (the default): approximate Bayesian computation by
    sequential Monte Carlo, a posterior sample.
    """

    kind: Literal["abc-smc"] = "abc-smc"
    """abc-smc: approximate Bayesian computation by sequential Monte Carlo."""
    population: Annotated[int, Field(ge=10, le=100_000)] = 200
    """Accepted particles per generation."""
    generations: Annotated[int, Field(ge=1, le=100)] = 6
    """Largest number of generations (the prior sample included)."""
    quantile: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.5
    """Each generation's tolerance is this quantile of the previous generation's distances."""
    min_epsilon: Annotated[float, Field(ge=0.0)] = 0.0
    """Stop when the tolerance (a distance in units of the targets' sd) falls to this."""
    max_evaluations: Annotated[int, Field(ge=1, le=10_000_000)] = 50_000
    """Most proposals evaluated in one generation."""
    predictive: Annotated[int, Field(ge=0, le=10_000)] = 20
    """Posterior predictive check: particles drawn by weight and run again with new seeds."""
    sensitivity: Annotated[int, Field(ge=0, le=65_536)] = 32
    """Sobol indices of the distance over the prior (Saltelli N, a power of 2; 0 = none)."""


class SmmMethod(_Strict):
    """``[method]`` with ``kind = "smm"``: a simulated-method-of-moments point estimate with
    standard errors, every evaluation on the same model seeds (common random numbers).
    """

    kind: Literal["smm"]
    """smm: simulated method of moments."""
    starts: Annotated[int, Field(ge=1, le=100_000)] = 32
    """Latin-hypercube starting points over the prior's box (one batch); the search starts at the best."""
    max_evaluations: Annotated[int, Field(ge=1, le=100_000)] = 200
    """Most evaluations of the Nelder-Mead search (per weighting step)."""
    weighting: Literal["diagonal", "two-step"] = "diagonal"
    """diagonal: W = 1 / sd**2; two-step: then again with the inverse of the estimated covariance of the
    moments (efficient; gives the test of the overidentifying restrictions)."""
    step: Annotated[float, Field(gt=0.0, le=0.2)] = 0.01
    """Central-difference step of the Jacobian, as a share of each parameter's (working-space) range."""
    predictive: Annotated[int, Field(ge=0, le=10_000)] = 20
    """Predictive check: runs at the estimate with new seeds."""
    sensitivity: Annotated[int, Field(ge=0, le=65_536)] = 32
    """Sobol indices of the distance over the prior (Saltelli N, a power of 2; 0 = none)."""


def _method_kind(v: Any) -> str:
    return v.get("kind", "abc-smc") if isinstance(v, dict) else getattr(v, "kind", "abc-smc")


Method = Annotated[
    Annotated[AbcMethod, Tag("abc-smc")] | Annotated[SmmMethod, Tag("smm")],
    Discriminator(_method_kind),
]


class CalibrationFile(_Strict):
    """A whole calibration file."""

    name: Name | None = None
    """Output folder name under results/calibrations/; default: the file's stem."""
    description: str = ""
    """What the calibration asks."""
    base: str | BaseTable
    """The base scenario: a path (relative to this file), or a [base] table."""
    ticks: Annotated[int, Field(ge=1)] | None = None
    """Override simulation.ticks."""
    seed: Annotated[int, Field(ge=0)] = 0
    """Calibration seed: proposals, model seeds and the predictive draws derive from it."""
    seeds: Annotated[int, Field(ge=1, le=1000)] = 2
    """Model runs per evaluation, each with its own seed; the metrics are averaged over them."""
    common_seeds: bool = False
    """Use the same model seeds for every proposal (common random numbers): a smoother distance,
    but a posterior conditional on those seeds. Off by default."""
    map: dict[str, list[str]] = Field(default_factory=dict)
    """Facts targets: model countries standing for an economy (``map = { Dragons = ["NIC"] }``);
    otherwise economies are found by name as ``tradesim score`` finds them."""
    parameter: list[ParameterTable] = Field(min_length=1, max_length=20)
    """The calibrated parameters."""
    target: list[TargetTable] = Field(min_length=1)
    """The targets."""
    method: Method = Field(default_factory=AbcMethod)
    """Inference method and budget (``kind`` abc-smc, the default, or smm)."""


@dataclass
class Calibration:
    """A checked calibration, ready to run.

    Attributes:
        name: output folder name.
        spec: the validated file.
        base: the raw base document.
        base_hash: its hash.
        scenario: the base's resolved scenario.
        priors: one per parameter.
        metrics: one per target, compiled.
        target: (m,) target values.
        scale: (m,) their sd.
        source: the file, if any.
    """

    name: str
    spec: CalibrationFile
    base: dict[str, Any] = field(repr=False)
    base_hash: str
    scenario: Scenario = field(repr=False)
    priors: list[Prior]
    metrics: list[Metric]
    target: np.ndarray
    scale: np.ndarray
    source: Path | None = None

    @property
    def labels(self) -> list[str]:
        """Words for each target."""
        return [t.label or m.label for t, m in zip(self.spec.target, self.metrics, strict=True)]


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    """The file's problems as pydantic finds them, without the method's union tag in key paths."""
    out = []
    for path, why in pydantic_problems(exc):
        path = re.sub(r"^method\.(abc-smc|smm)(\.|$)", r"method\2", path).rstrip(".")
        if why.startswith("Input tag"):
            path, why = "method.kind", "must be 'abc-smc' or 'smm'"
        out.append((path, why))
    return out


def load_calibration(path: str | Path) -> Calibration:
    """Read and check a calibration file."""
    path = Path(path)
    doc = load_toml(path)
    return build_calibration(doc, file=str(path), relative_to=path.parent, source=path, stem=path.stem)


def build_calibration(
    spec: CalibrationFile | dict[str, Any],
    *,
    file: str = "<calibration>",
    relative_to: Path | None = None,
    source: Path | None = None,
    stem: str = "calibration",
) -> Calibration:
    """Check a calibration given as a :class:`CalibrationFile` or a mapping with the file's structure."""
    if not isinstance(spec, CalibrationFile):
        try:
            spec = CalibrationFile.model_validate(dict(spec))
        except ValidationError as exc:
            raise ScenarioError(file, _problems(exc)) from None
    doc, scn = base_document(spec.base, spec.ticks, file=file, relative_to=relative_to)
    paths = [p.path for p in spec.parameter]
    problems = [
        (f"parameter[{i}].path", f"'{p.path}' is calibrated twice")
        for i, p in enumerate(spec.parameter)
        if paths.index(p.path) != i
    ]
    if problems:
        raise ScenarioError(file, problems)
    for i, p in enumerate(spec.parameter):
        for v in (p.low, p.high):
            v = int(round(v)) if p.integer else float(v)
            where = f"parameter[{i}] ({p.path} = {v!r})"
            check_document(with_overrides(doc, {p.path: v}, file=file, where=where), file=file, where=where)
    metric_docs = []
    for i, t in enumerate(spec.target):
        if t.metric is not None:
            m = dict(t.metric)
            m.setdefault("name", f"target_{i}")
            metric_docs.append(m)
    try:
        compiled = compile_metrics(metric_docs, scn, file=file, prefix="target") if metric_docs else []
    except ScenarioError as exc:
        index = [i for i, t in enumerate(spec.target) if t.metric is not None]

        def where(path: str) -> str:
            m = re.match(r"^target\[(\d+)\](.*)$", path)
            return f"target[{index[int(m.group(1))]}].metric{m.group(2)}" if m else path

        raise ScenarioError(file, [(where(path), why) for path, why in exc.problems]) from None
    metrics, values, sds = [], [], []
    it = iter(compiled)
    for i, t in enumerate(spec.target):
        if t.metric is not None:
            metrics.append(next(it))
            values.append(t.value)
            sds.append(t.sd)
            continue
        metric, value, sd = _fact_target(t, i, spec, scn, file, relative_to)
        metrics.append(metric)
        values.append(t.value if t.value is not None else value)
        sds.append(t.sd if t.sd is not None else sd)
    if spec.method.sensitivity & (spec.method.sensitivity - 1):
        raise ScenarioError(file, [("method.sensitivity", "must be 0 or a power of 2 (Saltelli's N)")])
    priors = [Prior(p.path, p.prior, p.low, p.high, p.mean or 0.0, p.sd or 1.0, p.integer) for p in spec.parameter]
    name = spec.name or re.sub(r"[^A-Za-z0-9_\-]+", "_", stem).strip("_") or "calibration"
    return Calibration(
        name=name,
        spec=spec,
        base=doc,
        base_hash=document_hash(doc),
        scenario=scn,
        priors=priors,
        metrics=metrics,
        target=np.array(values, dtype=float),
        scale=np.array(sds, dtype=float),
        source=source,
    )


def _fact_target(
    t: TargetTable, i: int, spec: CalibrationFile, scn: Scenario, file: str, relative_to: Path | None
) -> tuple[Metric, float, float]:
    """A facts-table row as a ``fact`` metric, with the row's value and half its band."""
    from sim.history.facts import QUANTITIES, load_facts
    from sim.history.score import resolve_mapping

    ref = t.fact
    where = f"target[{i}].fact"
    path = Path(ref.table)
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    try:
        facts = load_facts(path)
    except ScenarioError as exc:
        raise ScenarioError(file, [(f"{where}.table", str(exc))]) from None
    year = str(ref.year)
    row = facts[
        (facts["economy"] == ref.economy)
        & (facts["partner"] == ref.partner)
        & (facts["year"] == year)
        & (facts["quantity"] == ref.quantity)
    ]
    if len(row) != 1:
        key = f"{ref.economy}, {ref.partner + ', ' if ref.partner else ''}{year}, {ref.quantity}"
        raise ScenarioError(file, [(where, f"{path} has no fact ({key})")])
    f = row.iloc[0]
    try:
        mapping = resolve_mapping([ref.economy, *([ref.partner] if ref.partner else [])], scn.names, spec.map)
    except Exception as exc:  # a map entry naming a country the model does not have
        raise ScenarioError(file, [("map", str(exc))]) from None
    for econ in (ref.economy, ref.partner):
        if econ and not mapping.get(econ):
            raise ScenarioError(
                file, [(where, f"no model country stands for '{econ}' (name one in map = {{ {econ} = [...] }})")]
            )
    first = scn.simulation.start_year
    last = first + (scn.simulation.ticks - 1) * scn.dt
    if f["start"] < first or f["end"] > last:
        raise ScenarioError(file, [(where, f"the fact's years {year} are outside the run ({first} to {last:g})")])
    q = QUANTITIES[ref.quantity]
    metric = Metric(
        name=f"target_{i}",
        kind="fact",
        column=ref.quantity,
        where=f"{ref.economy}|{ref.partner}",
        sector="",
        window=(int(f["start"]), int(f["end"])),
        stat="mean",
        at=-1,
        share_of_gdp=False,
        label=t.label
        or f"{ref.economy}{' with ' + ref.partner if ref.partner else ''}: {q.meaning}, {year} ({q.unit})",
        members=tuple((e, tuple(m)) for e, m in mapping.items()),
    )
    return metric, float(f["value"]), 0.5 * float(f["high"] - f["low"])
