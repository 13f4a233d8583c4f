"""Sweep files: a base scenario, parameters by key path, a sampler, replicates and metrics.

See ``docs/sweeps.md`` for the format. :func:`load_sweep` checks everything before a single run
starts — the file's structure, each parameter's key path and type (by validating the base with
each parameter at its extremes), the design's size and the metrics — and raises
:class:`sim.errors.ScenarioError` naming the file, the key path and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.batch.documents import base_document, check_document, pydantic_problems, with_overrides
from sim.batch.task import document_hash
from sim.errors import ScenarioError
from sim.metrics import RESERVED, Metric, compile_metrics
from sim.scenario import load_toml
from sim.schema import Scenario, file_name_problem

Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
SAMPLERS = ("grid", "random", "lhs", "sobol", "morris")
DESIGN_COLUMNS = ("run", "point", "replicate", "seed")
MAX_RUNS = 1_000_000
"""Largest design (points x replicates) a sweep file may ask for: beyond it the design table and
its tasks alone would take gigabytes, and the runs years on a workstation."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class BaseTable(_Strict):
    """``[base]``: the base scenario and overrides applied to it."""

    scenario: str
    """Path of the scenario file, relative to the sweep file."""
    set: dict[str, Any] = Field(default_factory=dict)
    """Key path -> value, applied to the base."""


class ParameterTable(_Strict):
    """One ``[[parameter]]`` table: a key path and its values or range."""

    path: str = Field(min_length=1)
    """Key path (``country.China.propensity_to_consume``; ``country.*.<key>`` sets every country)."""
    values: list[Any] | None = None
    """Explicit values (grid sampler: each one; random sampler: drawn uniformly)."""
    range: Annotated[list[float], Field(min_length=2, max_length=2)] | None = None
    """[low, high] for the samplers (and for the grid, with ``steps``)."""
    steps: Annotated[int, Field(ge=2, le=10_000)] | None = None
    """Grid sampler with a range: this many evenly spaced values, ends included."""
    integer: bool = False
    """Round sampled values to integers."""

    @model_validator(mode="after")
    def _values_or_range(self) -> ParameterTable:
        if (self.values is None) == (self.range is None):
            raise ValueError("give either values = [...] or range = [low, high]")
        if self.values is not None and not self.values:
            raise ValueError("values is an empty list")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range [{self.range[0]}, {self.range[1]}] is empty: low must be below high")
        if self.steps is not None and self.range is None:
            raise ValueError("steps goes with range = [low, high]")
        if self.integer:
            ends = self.range if self.range is not None else self.values
            if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in ends):
                raise ValueError("integer = true rounds numbers: its values must be numbers")
            if not all(abs(x) < 2.0**63 for x in ends):
                # rounded values are stored as 64-bit integers: beyond that they would wrap around
                raise ValueError(f"an integer parameter's values must lie within ±{2**63 - 1:.4g}")
        return self


class SweepFile(_Strict):
    """A whole sweep file."""

    name: Name | None = None
    """Output folder name under results/sweeps/; default: the file's stem."""
    description: str = ""
    """What the sweep asks."""
    base: str | BaseTable
    """The base scenario: a path, or a [base] table."""
    ticks: Annotated[int, Field(ge=1)] | None = None
    """Override simulation.ticks."""
    sampler: Literal["grid", "random", "lhs", "sobol", "morris"] = "grid"
    """Design: full grid, uniform random, Latin hypercube, Sobol (Saltelli) or Morris."""
    samples: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    """random / lhs: points; sobol: N (a power of 2; N*(D+2) points, N*(2D+2) with second-order
    indices); morris: trajectories (N*(D+1) points)."""
    second_order: bool = False
    """Sobol: also estimate second-order indices."""
    levels: Annotated[int, Field(ge=2, le=100)] = 4
    """Morris: grid levels."""
    replicates: Annotated[int, Field(ge=1, le=100_000)] = 1
    """Runs per design point; replicate r has the same model seed at every point."""
    seed: Annotated[int, Field(ge=0)] = 0
    """Sweep seed: the design's randomness and the replicates' model seeds derive from it."""
    record_series: bool = False
    """Also keep each run's per-tick series of the metrics (store/series/)."""
    parameter: list[ParameterTable] = Field(min_length=1)
    """The swept parameters."""
    metric: list[dict[str, Any]] = Field(min_length=1)
    """``[[metric]]`` tables (see docs/experiments.md)."""


@dataclass
class Sweep:
    """A checked sweep, ready to design and run.

    Attributes:
        name: output folder name.
        spec: the validated file.
        base: the raw base document.
        base_hash: its hash.
        scenario: the base's resolved scenario.
        metrics: the compiled metrics.
        source: the sweep file, if any.
    """

    name: str
    spec: SweepFile
    base: dict[str, Any] = field(repr=False)
    base_hash: str
    scenario: Scenario = field(repr=False)
    metrics: list[Metric]
    source: Path | None = None

    @property
    def parameters(self) -> list[ParameterTable]:
        """The swept parameters."""
        return self.spec.parameter

    @property
    def names(self) -> list[str]:
        """Parameter column names (their key paths)."""
        return [p.path for p in self.spec.parameter]


def load_sweep(path: str | Path, *, check: bool = True) -> Sweep:
    """Read and check a sweep file (``check=False`` skips validating parameter extremes)."""
    path = Path(path)
    doc = load_toml(path)
    try:
        spec = SweepFile.model_validate(doc)
    except ValidationError as exc:
        raise ScenarioError(str(path), pydantic_problems(exc)) from None
    name = spec.name or re.sub(r"[^A-Za-z0-9_\-]+", "_", path.stem).strip("_") or "sweep"
    return build_sweep(spec, name=name, file=str(path), relative_to=path.parent, check=check, source=path)


def build_sweep(
    spec: SweepFile | dict[str, Any],
    *,
    name: str | None = None,
    file: str = "<sweep>",
    relative_to: Path | None = None,
    check: bool = True,
    source: Path | None = None,
) -> Sweep:
    """Check a sweep given as a :class:`SweepFile` or a mapping with the file's structure."""
    if not isinstance(spec, SweepFile):
        try:
            spec = SweepFile.model_validate(dict(spec))
        except ValidationError as exc:
            raise ScenarioError(file, pydantic_problems(exc)) from None
    doc, scn = base_document(spec.base, spec.ticks, file=file, relative_to=relative_to)
    problems = _check_design(spec)
    if problems:
        raise ScenarioError(file, problems)
    metrics = compile_metrics(spec.metric, scn, file=file)
    clash = {m.name for m in metrics} & ({p.path for p in spec.parameter} | set(DESIGN_COLUMNS) | set(RESERVED))
    if clash:
        raise ScenarioError(file, [("metric", f"metric name '{sorted(clash)[0]}' clashes with another column")])
    sweep_name = name or scn.simulation.name or "sweep"
    why = file_name_problem(sweep_name)
    if why:
        raise ScenarioError(file, [("name", why)])
    sweep = Sweep(sweep_name, spec, doc, document_hash(doc), scn, metrics, source)
    if check:
        _check_extremes(sweep, file)
    return sweep


def _check_design(spec: SweepFile) -> list[tuple[str, str]]:
    p: list[tuple[str, str]] = []
    paths = [x.path for x in spec.parameter]
    for i, par in enumerate(spec.parameter):
        if paths.count(par.path) > 1 and paths.index(par.path) != i:
            p.append((f"parameter[{i}].path", f"'{par.path}' is swept twice"))
        if spec.sampler == "grid" and par.range is not None and par.steps is None:
            p.append((f"parameter[{i}].steps", "the grid sampler needs steps = N with a range (or give values)"))
        if spec.sampler in ("lhs", "sobol", "morris") and par.range is None:
            p.append((f"parameter[{i}].range", f"the {spec.sampler} sampler needs range = [low, high]"))
        if spec.sampler != "grid" and par.steps is not None:
            p.append((f"parameter[{i}].steps", "steps is for the grid sampler"))
    if spec.sampler == "grid":
        if spec.samples is not None:
            p.append(("samples", "the grid sampler takes no samples (its size is the product of the values)"))
    elif spec.samples is None:
        p.append(("samples", f"the {spec.sampler} sampler needs samples = N"))
    elif spec.sampler == "sobol" and spec.samples & (spec.samples - 1):
        p.append(("samples", f"the Sobol sampler needs a power of 2 (e.g. {1 << spec.samples.bit_length()})"))
    if "simulation.seed" in paths and spec.replicates > 1:
        p.append(("replicates", "with simulation.seed swept, replicates must be 1 (the seed is a parameter)"))
    if spec.sampler in ("sobol", "morris") and len(spec.parameter) < 2:
        p.append(("parameter", f"the {spec.sampler} sampler needs at least 2 parameters"))
    if not p:
        runs = design_size(spec) * spec.replicates
        if runs > MAX_RUNS:
            p.append(
                (
                    "parameter" if spec.sampler == "grid" else "samples",
                    f"the design has {runs:.4g} runs (points x replicates); the most a sweep may have is {MAX_RUNS:,}",
                )
            )
    return p


def design_size(spec: SweepFile) -> int:
    """Number of design points the sweep file asks for (before replicates), computed without
    building the design.
    """
    d = len(spec.parameter)
    if spec.sampler == "grid":
        size = 1
        for par in spec.parameter:
            size *= len(par.values) if par.values is not None else (par.steps or 1)
        return size
    n = spec.samples or 0
    if spec.sampler == "sobol":
        return n * (2 * d + 2 if spec.second_order else d + 2)
    if spec.sampler == "morris":
        return n * (d + 1)
    return n


def _check_extremes(sweep: Sweep, file: str) -> None:
    """Validate the base with every parameter at each end of its range (or each of its values)."""
    for i, par in enumerate(sweep.parameters):
        if par.values is not None:
            candidates = par.values if len(par.values) <= 20 else [par.values[0], par.values[-1]]
        else:
            lo, hi = par.range
            candidates = [int(round(lo)), int(round(hi))] if par.integer else [float(lo), float(hi)]
        for v in candidates:
            where = f"parameter[{i}] ({par.path} = {v!r})"
            doc = with_overrides(sweep.base, {par.path: v}, file=file, where=where)
            check_document(doc, file=file, where=where)


def design_columns(sweep: Sweep) -> list[str]:
    """Columns of a design table: run, point, replicate, seed and one per parameter."""
    return [*DESIGN_COLUMNS, *sweep.names]


def python_value(v: Any) -> Any:
    """NumPy scalars to plain Python (TOML, JSON and strict validation want them)."""
    if isinstance(v, np.generic):
        return v.item()
    return v


def empty_design(sweep: Sweep) -> pd.DataFrame:
    """A design table with no rows."""
    return pd.DataFrame({c: [] for c in design_columns(sweep)})
