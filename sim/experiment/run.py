"""Running an experiment and building its tables: :func:`compare` and :class:`Comparison`."""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.batch import BatchSummary, MemoryStore, ParquetStore, execute, make_task
from sim.batch.task import _version, code_fingerprint
from sim.errors import NotWrittenError, os_reason
from sim.experiment.spec import BASE_ARM, Experiment, build_experiment, load_experiment
from sim.experiment.stats import EFFECT_COLUMNS, paired_effect
from sim.metrics import Metric, MetricSpec
from sim.paths import check_folder, folder_in
from sim.schema import Scenario


@dataclass
class Comparison:
    """The outcome of a paired-seed experiment.

    Attributes:
        experiment: what was run.
        values: one row per (arm, seed, metric): arm, seed_index, seed, metric, value, status,
            error (value NaN where the run failed).
        effects: one row per (arm, metric) with the columns of
            :data:`sim.experiment.stats.EFFECT_COLUMNS` plus arm, metric, label, unit.
        series: the per-tick series the metrics aggregate: arm, seed_index, series, tick, value.
        summary: how the runs went (found in the store, run now, failed, seconds).
        warnings: e.g. a null arm.
        path: the output folder, or None if nothing was written.
    """

    experiment: Experiment
    values: pd.DataFrame
    effects: pd.DataFrame
    series: pd.DataFrame = field(repr=False)
    summary: BatchSummary | None = None
    warnings: list[str] = field(default_factory=list)
    path: Path | None = None

    @property
    def name(self) -> str:
        """The experiment's name."""
        return self.experiment.name

    @property
    def metrics(self) -> list[Metric]:
        """The metrics compared."""
        return self.experiment.metrics

    @property
    def arms(self) -> list[str]:
        """Arm names, the base excluded."""
        return [a.name for a in self.experiment.arms[1:]]

    def effect(self, arm: str, metric: str) -> dict[str, Any]:
        """The effect row of one arm on one metric, as a dict."""
        rows = self.effects[(self.effects["arm"] == arm) & (self.effects["metric"] == metric)]
        if rows.empty:
            raise KeyError(f"no effect of arm '{arm}' on metric '{metric}'")
        return rows.iloc[0].to_dict()

    def paired(self, metric: str, arm: str) -> pd.DataFrame:
        """Index seed_index; columns base, arm, diff: the paired values of one metric."""
        v = self.values[self.values["metric"] == metric].pivot(index="seed_index", columns="arm", values="value")
        out = pd.DataFrame({"base": v[BASE_ARM], "arm": v[arm]})
        out["diff"] = out["arm"] - out["base"]
        return out

    @property
    def claims(self) -> pd.DataFrame:
        """The effect rows that carry a claim (``expect`` in the arm), with ``holds``."""
        return self.effects[self.effects["expected"] != ""].reset_index(drop=True)

    @property
    def claims_hold(self) -> bool:
        """True when every claim of the experiment holds (vacuously true without claims)."""
        return bool(self.claims["holds"].astype(bool).all())

    def sentences(self) -> list[str]:
        """One sentence per (arm, metric) effect (see :func:`sim.experiment.report.sentence`)."""
        from sim.experiment.report import sentence

        return [sentence(self, row) for row in self.effects.to_dict("records")]

    def report(self) -> str:
        """The markdown report (what ``report.md`` holds)."""
        from sim.experiment.report import markdown

        return markdown(self)

    def figure(self, arm: str, metric: str, path: str | Path | None = None):
        """The figure of one metric for one arm: median and 10-90% band across seeds of base and
        arm, and of their paired difference (a matplotlib Figure; saved if ``path``).
        """
        from sim.experiment.figures import effect_figure

        return effect_figure(self, arm, metric, path)


def compare(
    base: str | Path | Mapping[str, Any] | Scenario,
    arms: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    seeds: int = 20,
    metrics: Sequence[Mapping[str, Any] | MetricSpec] | None = None,
    name: str | None = None,
    seed: int = 0,
    ticks: int | None = None,
    workers: int | None = 1,
    dask: str | None = None,
    out: str | Path | None = None,
    progress: bool = False,
    figures: bool = True,
    retry_failed: bool = False,
    flush_every: int = 32,
    block: int | None = None,
) -> Comparison:
    """Run a paired-seed experiment from Python and return its tables.

    Every arm runs the same ``seeds`` seeds as the base (common random numbers); the effect of an
    arm on a metric is estimated from the per-seed differences (see :mod:`sim.experiment.stats`).

    Args:
        base: the base scenario (a path, a mapping or a Scenario).
        arms: ``{"name": {"country.China.propensity_to_consume": 0.84}}``, ``{"name":
            "other.toml"}`` for a whole second scenario, or arm tables (``name``, ``set``,
            ``event``, ``scenario``, ``label``) as in experiment files.
        seeds: number of seeds.
        metrics: ``[[metric]]`` tables as mappings (see :mod:`sim.metrics`); default: each
            country's current account as a share of GDP and the global imbalance index,
            averaged over the run.
        name: experiment name (output folder); default: the base scenario's name.
        seed: master seed the run seeds are derived from.
        ticks: override ``simulation.ticks``.
        workers: local worker processes (1: in this process; None: every core). With more than
            one, a script calling this must guard its entry point with
            ``if __name__ == "__main__":`` (worker processes import it).
        dask: a Dask scheduler address to run on instead.
        out: write ``<out>/<name>/`` (tables, figures, report.md) and keep finished runs there
            so an interrupted call resumes; None keeps everything in memory.
        progress: show a progress bar.
        figures: draw figures (only with ``out``).
        retry_failed: run again runs that failed before.
        flush_every: write finished runs to disk every this many runs (with ``out``).
        block: runs stepped together as one ensemble (None: as many as fit in memory, see
            :func:`sim.batch.executor.default_block`; 1: every run alone).

    Returns:
        A :class:`Comparison`.
    """
    exp = build_experiment(
        base, arms, seeds=seeds, metrics=metrics, name=name, seed=seed, ticks=ticks, file="<compare>"
    )
    return run_experiment(
        exp,
        workers=workers,
        dask=dask,
        out=out,
        progress=progress,
        figures=figures,
        retry_failed=retry_failed,
        flush_every=flush_every,
        block=block,
    )


def compare_file(
    path: str | Path,
    *,
    seeds: int | None = None,
    ticks: int | None = None,
    settings: Mapping[str, Any] | None = None,
    workers: int | None = None,
    dask: str | None = None,
    out: str | Path | None = "results/experiments",
    progress: bool = False,
    figures: bool = True,
    retry_failed: bool = False,
    flush_every: int = 32,
    block: int | None = None,
) -> Comparison:
    """Run an experiment file (what ``tradesim compare EXPERIMENT.toml`` does; ``settings``:
    key path -> value set on every arm, ``tradesim compare --set``).
    """
    exp = load_experiment(path, seeds=seeds, ticks=ticks, settings=settings)
    return run_experiment(
        exp,
        workers=workers,
        dask=dask,
        out=out,
        progress=progress,
        figures=figures,
        retry_failed=retry_failed,
        flush_every=flush_every,
        block=block,
    )


def run_experiment(
    exp: Experiment,
    *,
    workers: int | None = 1,
    dask: str | None = None,
    out: str | Path | None = None,
    progress: bool = False,
    figures: bool = True,
    retry_failed: bool = False,
    flush_every: int = 32,
    block: int | None = None,
) -> Comparison:
    """Run a checked :class:`Experiment` (see :func:`compare` for the arguments)."""
    folder = folder_in(out, exp.name) if out is not None else None
    if out is not None:
        check_folder(out)
    store = ParquetStore(folder / "store", flush_every=flush_every) if folder else MemoryStore()
    design = []
    tasks = []
    for arm in exp.arms:
        for k, s in enumerate(exp.seeds):
            task = make_task(arm.document, s, exp.metrics, series=True, doc_hash=arm.doc_hash)
            tasks.append(task)
            design.append((arm.name, k, s, task.id))
    summary = execute(
        tasks,
        store,
        workers=workers,
        dask=dask,
        progress=progress,
        retry_failed=retry_failed,
        desc=exp.name,
        block=block,
    )
    design_df = pd.DataFrame(design, columns=["arm", "seed_index", "seed", "task_id"])
    values = _values(design_df, store.runs(), exp.metrics)
    effects = _effects(values, exp)
    series = _series(design_df, store.series())
    warn = [
        f"arm '{n}' is identical to the base: this is the null experiment (every effect is exactly zero)"
        for n in exp.null_arms
    ]
    failed = values.loc[values["status"] != "ok", ["arm", "seed_index"]].drop_duplicates()
    if len(failed):
        warn.append(f"{len(failed)} of {len(design_df)} runs failed; effects use the seeds where both arms ran")
    comp = Comparison(exp, values, effects, series, summary, warn)
    if folder is not None:
        try:
            store.compact()
            _write(comp, folder, figures=figures)
        except OSError as exc:
            raise NotWrittenError(
                f"experiment {exp.name} finished", str(folder), os_reason(exc), results=comp
            ) from None
    return comp


def _values(design: pd.DataFrame, runs: pd.DataFrame, metrics: list[Metric]) -> pd.DataFrame:
    names = [m.name for m in metrics]
    runs = runs.copy()
    for n in names:
        if n not in runs.columns:
            runs[n] = np.nan
    wide = design.merge(runs[["task_id", "status", "error", *names]], on="task_id", how="left")
    wide["status"] = wide["status"].fillna("missing")
    long = wide.melt(
        id_vars=["arm", "seed_index", "seed", "status", "error"],
        value_vars=names,
        var_name="metric",
        value_name="value",
    )
    long["metric"] = pd.Categorical(long["metric"], categories=names)
    long["arm"] = pd.Categorical(long["arm"], categories=list(dict.fromkeys(design["arm"])))
    long = long.sort_values(["arm", "metric", "seed_index"], kind="stable").reset_index(drop=True)
    long["value"] = long["value"].astype(float)
    return long[["arm", "seed_index", "seed", "metric", "value", "status", "error"]]


def claim_holds(expected: str, low: float, high: float) -> bool | None:
    """Whether a claim (``higher`` / ``lower`` than the base) holds: the whole 95% interval of the
    mean paired difference lies on the claimed side of zero. None where nothing is claimed.
    """
    if not expected:
        return None
    if expected == "higher":
        return bool(low > 0)
    return bool(high < 0)


def _effects(values: pd.DataFrame, exp: Experiment) -> pd.DataFrame:
    rows = []
    for a_i, arm in enumerate(exp.arms[1:], start=1):
        for m_i, m in enumerate(exp.metrics):
            sel = values[values["metric"] == m.name]
            wide = sel.pivot(index="seed_index", columns="arm", values="value")
            rng = np.random.default_rng([exp.master_seed, a_i, m_i])
            eff = paired_effect(wide[BASE_ARM].to_numpy(), wide[arm.name].to_numpy(), resamples=exp.bootstrap, rng=rng)
            expected = arm.expect.get(m.name, "")
            rows.append(
                {
                    "arm": arm.name,
                    "metric": m.name,
                    **eff,
                    "label": m.label,
                    "unit": m.unit,
                    "expected": expected,
                    "holds": claim_holds(expected, eff["t_low"], eff["t_high"]),
                }
            )
    cols = ["arm", "metric", *EFFECT_COLUMNS, "label", "unit", "expected", "holds"]
    return pd.DataFrame(rows, columns=cols)


def _series(design: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    if series.empty:
        return pd.DataFrame({"arm": [], "seed_index": [], "series": [], "tick": [], "value": []})
    out = design[["arm", "seed_index", "task_id"]].merge(series, on="task_id", how="inner")
    out = out.sort_values(["arm", "series", "seed_index", "tick"], kind="stable").reset_index(drop=True)
    return out[["arm", "seed_index", "series", "tick", "value"]]


def _write(comp: Comparison, folder: Path, *, figures: bool) -> None:
    """Write tables, figures, report and manifest; each file under a temporary name, renamed."""
    folder.mkdir(parents=True, exist_ok=True)
    exp = comp.experiment

    def atomic(name: str, write) -> None:
        tmp = folder / f".{os.getpid()}-{name}.tmp"
        write(tmp)
        os.replace(tmp, folder / name)

    atomic("values.parquet", lambda p: comp.values.to_parquet(p, index=False))
    atomic("values.csv", lambda p: comp.values.to_csv(p, index=False, float_format="%.10g"))
    atomic("effects.parquet", lambda p: comp.effects.to_parquet(p, index=False))
    atomic("effects.csv", lambda p: comp.effects.to_csv(p, index=False, float_format="%.6g"))
    atomic("series.parquet", lambda p: comp.series.to_parquet(p, index=False))
    if exp.source is not None:
        atomic("experiment.toml", lambda p: shutil.copyfile(exp.source, p))
    if figures:
        fig_dir = folder / "figures"
        fig_dir.mkdir(exist_ok=True)
        from sim.experiment.figures import write_figures

        write_figures(comp, fig_dir)
    comp.path = folder
    atomic("report.md", lambda p: p.write_text(comp.report(), encoding="utf-8"))
    manifest = {
        "experiment": exp.name,
        "source": str(exp.source) if exp.source else None,
        "version": _version(),
        "code": code_fingerprint(),
        "master_seed": exp.master_seed,
        "seeds": exp.seeds,
        "arms": {a.name: {"label": a.label, "changes": a.changes, "document_sha256": a.doc_hash} for a in exp.arms},
        "metrics": [m.as_dict() for m in exp.metrics],
        "runs": {
            "total": comp.summary.total,
            "found": comp.summary.found,
            "ran": comp.summary.ran,
            "failed": comp.summary.failed,
            "seconds": round(comp.summary.seconds, 3),
            "where": comp.summary.where,
        }
        if comp.summary
        else None,
        "warnings": comp.warnings,
        "command": " ".join(sys.argv) if sys.argv and sys.argv[0] else "",
        "python": platform.python_version(),
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    atomic("manifest.json", lambda p: p.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8"))
