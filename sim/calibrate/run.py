"""Running a calibration file: inference, identifiability, predictive check, and its folder.

``results/calibrations/<name>/`` holds ``generations.parquet`` (every population), ``posterior.parquet``
(the last one: parameter values, weights, distances), ``parameters.csv`` (one row per parameter:
prior, posterior mean, sd, median, 90% interval, identified or not, Sobol indices of the
distance), ``predictive.csv`` (each target against the runs of particles drawn from the
posterior), ``calibrated.toml`` (the base scenario at the posterior medians, estimates and
intervals in comments), ``report.md``, figures and ``manifest.json``; ``store/`` keeps every run,
so an interrupted calibration continues where it stopped and gives the same posterior.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch.store import ParquetStore
from sim.calibrate.evaluate import ModelSimulator, overrides_of
from sim.calibrate.priors import Prior
from sim.calibrate.smc import SMCResult, SMCSettings, abc_smc, distance, summarise
from sim.calibrate.smm import SMMResult, SMMSettings, smm, summarise_smm
from sim.calibrate.spec import Calibration, SmmMethod, load_calibration
from sim.fingerprint import code_fingerprint, package_version
from sim.paths import check_folder, folder_in


@dataclass
class CalibrationResult:
    """What a calibration produced.

    Attributes:
        calibration: the checked file.
        smc: every generation (ABC-SMC), or None.
        parameters: one row per parameter (see :func:`sim.calibrate.smc.summarise` and
            :func:`sim.calibrate.smm.summarise_smm`), with Sobol indices of the distance when computed.
        predictive: one row per target.
        path: the output folder.
        runs: model runs made in this call.
    """

    calibration: Calibration
    smc: SMCResult | None
    parameters: pd.DataFrame
    predictive: pd.DataFrame
    path: Path
    runs: int
    smm: SMMResult | None = None


def run_calibration(
    source: str | Path | Calibration,
    *,
    workers: int | None = None,
    dask: str | None = None,
    out: str | Path = "results/calibrations",
    progress: bool = False,
    figures: bool = True,
) -> CalibrationResult:
    """Run a calibration file (what ``tradesim calibrate FILE`` does).

    Args:
        source: the file, or a checked :class:`Calibration`.
        workers: local worker processes (None: every core; 1: in this process).
        dask: a Dask scheduler address to run on instead.
        out: the results root; the calibration goes to ``<out>/<name>/``.
        progress: show progress bars and a line per generation (on stderr).
        figures: write the figures.

    Returns:
        A :class:`CalibrationResult`.
    """
    cal = source if isinstance(source, Calibration) else load_calibration(source)
    folder = folder_in(out, cal.name)
    check_folder(out)
    store = ParquetStore(folder / "store")
    m = cal.spec.method
    t0 = time.perf_counter()
    smc_res = smm_res = None
    if isinstance(m, SmmMethod):
        sim = ModelSimulator(cal, store, workers=workers, dask=dask, progress=progress, stream=3, common=True)
        settings = SMMSettings(m.starts, m.max_evaluations, m.weighting, m.step)
        smm_res = smm(cal.priors, sim.runs_of, cal.target, cal.scale, settings, cal.spec.seed)
        params = summarise_smm(smm_res)
        centre = np.repeat(smm_res.estimate[None, :], m.predictive, axis=0)
    else:
        settings = SMCSettings(
            population=m.population,
            generations=m.generations,
            quantile=m.quantile,
            min_epsilon=m.min_epsilon,
            max_evaluations=m.max_evaluations,
        )
        sim = ModelSimulator(cal, store, workers=workers, dask=dask, progress=progress)

        def report_generation(g) -> None:
            if progress:
                print(
                    f"{cal.name}: generation {g.t}: tolerance {g.epsilon:.4g}, {len(g.weights)} particles from "
                    f"{g.evaluations} proposals (acceptance {g.acceptance:.2f}, ESS {g.ess:.0f})",
                    file=sys.stderr,
                )

        smc_res = abc_smc(
            cal.priors, sim, cal.target, cal.scale, settings, cal.spec.seed, on_generation=report_generation
        )
        params = summarise(smc_res)
        post = smc_res.posterior
        rng = np.random.default_rng(np.random.SeedSequence([cal.spec.seed, 0x9D1C7]))
        centre = post.values[rng.choice(len(post.weights), size=m.predictive, p=post.weights)] if m.predictive else None
    runs = sim.runs
    if m.sensitivity:
        sens, extra = _sensitivity(cal, store, workers, dask, progress)
        params = params.merge(sens, on="parameter", how="left")
        runs += extra
    predictive, extra = _predictive(cal, centre, store, workers, dask, progress)
    runs += extra
    store.compact(kinds=("runs",))
    _write(cal, smc_res, smm_res, params, predictive, folder, figures=figures)
    manifest = {
        "calibration": cal.name,
        "source": str(cal.source) if cal.source else None,
        "version": package_version(),
        "code": code_fingerprint(),
        "method": m.model_dump(),
        "seed": cal.spec.seed,
        "seeds_per_evaluation": cal.spec.seeds,
        "runs_this_call": runs,
        "failed_proposals": sim.failed,
        "seconds": round(time.perf_counter() - t0, 2),
        "command": " ".join(sys.argv) if sys.argv and sys.argv[0] else "",
        "python": platform.python_version(),
    }
    if smc_res is not None:
        manifest |= {
            "generations": len(smc_res.generations),
            "stopped": smc_res.stopped,
            "evaluations": [g.evaluations for g in smc_res.generations],
            "epsilons": [None if not np.isfinite(g.epsilon) else g.epsilon for g in smc_res.generations],
        }
    else:
        manifest |= {"evaluations": len(smm_res.evaluations), "stopped": smm_res.stopped, "objective": smm_res.j}
    _atomic_text(folder / "manifest.json", json.dumps(manifest, indent=2))
    return CalibrationResult(cal, smc_res, params, predictive, folder, runs, smm_res)


# ----------------------------------------------------------------------------- checks


def _sensitivity(cal: Calibration, store, workers, dask, progress) -> tuple[pd.DataFrame, int]:
    """Sobol indices (S1, ST with 95% intervals) of the distance over the prior's box (Saltelli
    design in the working space: the logarithm for log-uniform parameters), every point run with
    the same model seeds so that the indices measure the parameters, not the seeds' noise.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    priors = cal.priors
    problem = {
        "num_vars": len(priors),
        "names": [p.path for p in priors],
        "bounds": [[p.w_low, p.w_high] for p in priors],
    }
    seed = (cal.spec.seed + 1) % 2**32  # SALib reads 0 as "no seed"
    x = sobol_sample.sample(problem, cal.spec.method.sensitivity, calc_second_order=False, seed=seed)
    values = np.column_stack([p.from_working(x[:, j]) for j, p in enumerate(priors)])
    values = np.column_stack([np.round(values[:, j]) if p.integer else values[:, j] for j, p in enumerate(priors)])
    sim = ModelSimulator(cal, store, workers=workers, dask=dask, progress=progress, stream=2, common=True)
    d = distance(sim(values, 0, 0), cal.target, cal.scale)
    finite = np.isfinite(d)
    if len(priors) < 2 or not finite.all():
        why = "needs at least 2 parameters" if len(priors) < 2 else f"{int((~finite).sum())} runs failed"
        return pd.DataFrame({"parameter": problem["names"], "sobol_note": why}), sim.runs
    si = sobol_analyze.analyze(problem, d, calc_second_order=False, seed=seed)
    return (
        pd.DataFrame(
            {
                "parameter": problem["names"],
                "S1": si["S1"],
                "S1_conf": si["S1_conf"],
                "ST": si["ST"],
                "ST_conf": si["ST_conf"],
            }
        ),
        sim.runs,
    )


def _predictive(
    cal: Calibration, values: np.ndarray | None, store, workers, dask, progress
) -> tuple[pd.DataFrame, int]:
    """Each target against runs at ``values`` (particles drawn from the posterior by weight, or
    the SMM estimate repeated), each with new seeds.
    """
    cols = ["target", "value", "sd", "median", "lower", "upper", "inside", "z"]
    if values is None or not len(values):
        return pd.DataFrame(columns=cols), 0
    sim = ModelSimulator(cal, store, workers=workers, dask=dask, progress=progress, stream=1)
    draws = sim(values, 0, 0)
    rows = []
    for j, label in enumerate(cal.labels):
        x = draws[:, j]
        x = x[np.isfinite(x)]
        lo, med, hi = np.quantile(x, [0.05, 0.5, 0.95]) if len(x) else (np.nan,) * 3
        value, sd = cal.target[j], cal.scale[j]
        rows.append(
            {
                "target": label,
                "value": value,
                "sd": sd,
                "median": med,
                "lower": lo,
                "upper": hi,
                "inside": bool(lo - sd <= value <= hi + sd),
                "z": (med - value) / sd,
            }
        )
    return pd.DataFrame(rows, columns=cols), sim.runs


# ----------------------------------------------------------------------------- writing


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{os.getpid()}-{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{os.getpid()}-{path.name}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _write(
    cal: Calibration,
    smc: SMCResult | None,
    est: SMMResult | None,
    params: pd.DataFrame,
    predictive: pd.DataFrame,
    folder: Path,
    *,
    figures: bool,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if smc is not None:
        table = smc.table()
        _atomic_parquet(table, folder / "generations.parquet")
        last = table[table["generation"] == smc.posterior.t].reset_index(drop=True)
        _atomic_parquet(last, folder / "posterior.parquet")
    else:
        _atomic_parquet(est.evaluations, folder / "evaluations.parquet")
    _atomic_text(folder / "parameters.csv", params.to_csv(index=False))
    _atomic_text(folder / "predictive.csv", predictive.to_csv(index=False))
    _atomic_text(folder / "calibrated.toml", calibrated_toml(cal, params))
    text = (
        report_text(cal, smc, params, predictive) if smc is not None else smm_report_text(cal, est, params, predictive)
    )
    _atomic_text(folder / "report.md", text)
    if figures:
        from sim.calibrate.figures import marginals_figure, pairs_figure, predictive_figure

        if smc is not None:
            marginals_figure(cal.priors, smc, folder / "marginals.png")
            if len(cal.priors) >= 2:
                pairs_figure(cal.priors, smc, folder / "pairs.png")
        if len(predictive):
            predictive_figure(predictive, folder / "predictive.png")


def calibrated_toml(cal: Calibration, params: pd.DataFrame) -> str:
    """The base scenario with every calibrated parameter at its posterior median, as TOML, with
    the estimates and 90% intervals in comments at the top.
    """
    import tomli_w

    from sim.scenario import apply_overrides

    abc = "median" in params.columns
    point = params["median" if abc else "estimate"].to_numpy(dtype=float)
    doc = apply_overrides(cal.base, overrides_of(cal, point), file="<calibrated>")
    what = "posterior median" if abc else "SMM estimate"
    lines = [
        f"# Calibrated by tradesim calibrate ({cal.name}): each parameter below is set to its {what}.",
        "# parameter: median (posterior mean +- sd; 90% interval) [prior]"
        if abc
        else "# parameter: estimate (standard error; 90% interval) [search box]",
    ]
    for row in params.itertuples():
        note = "" if row.identified else " NOT IDENTIFIED by the targets"
        spread = f"{row.mean:.6g} +- {row.sd:.3g}" if abc else f"se {row.se:.3g}"
        lines.append(
            f"#   {row.parameter}: {point[row.Index]:.6g} ({spread}; {row.lower:.6g} to {row.upper:.6g}) "
            f"[{row.prior} on {row.low:g} to {row.high:g}]{note}"
        )
    return "\n".join(lines) + "\n\n" + tomli_w.dumps(doc)


def _prior_text(p: Prior) -> str:
    if p.kind == "normal":
        return f"a normal prior (mean {p.mean:g}, sd {p.sd:g}) truncated to [{p.low:g}, {p.high:g}]"
    return f"a {p.kind.replace('loguniform', 'log-uniform')} prior on [{p.low:g}, {p.high:g}]"


def _sobol_text(params: pd.DataFrame, row) -> str:
    if "ST" in params.columns and np.isfinite(getattr(row, "ST", np.nan)):
        return (
            f"; Sobol indices of the distance over the prior: S1 {row.S1:.2f} +- {row.S1_conf:.2f}, "
            f"ST {row.ST:.2f} +- {row.ST_conf:.2f}"
        )
    return ""


def _predictive_lines(cal: Calibration, predictive: pd.DataFrame, what: str) -> list[str]:
    out = ["", "## Predictive check", ""]
    if not len(predictive):
        return [*out, "Not run (method.predictive = 0)."]
    out.append(
        f"{what}, each run {cal.spec.seeds} times with new seeds: each target's value against the runs' median and "
        "5-95% range (a target passes when its value lies within that range widened by its sd)."
    )
    out += ["", "| target | value | sd | model median | model 5-95% | pass |", "|---|---|---|---|---|---|"]
    for r in predictive.itertuples():
        out.append(
            f"| {r.target} | {r.value:.4g} | {r.sd:.3g} | {r.median:.4g} | {r.lower:.4g} to {r.upper:.4g} | "
            f"{'yes' if r.inside else 'NO'} |"
        )
    return out


def smm_report_text(cal: Calibration, est: SMMResult, params: pd.DataFrame, predictive: pd.DataFrame) -> str:
    """``report.md`` of an SMM estimate."""
    m = cal.spec.method
    out = [
        f"# Calibration: {cal.name}",
        "",
        cal.spec.description or "",
        "",
        f"Simulated method of moments ({m.weighting} weighting), {cal.spec.seeds} model runs per evaluation on the same "
        f"seeds everywhere; {len(est.evaluations)} evaluations ({m.starts} Latin-hypercube starts, then Nelder-Mead: "
        f"{est.stopped}). Objective at the estimate J = {est.j:.4g}.",
    ]
    if est.j_test is not None:
        stat, df, p = est.j_test
        out.append(
            f"Test of the overidentifying restrictions: J = {stat:.3g}, chi-squared with {df} degrees of freedom, "
            f"p = {p:.3g}{' (the model cannot match all targets at once)' if p < 0.05 else ''}."
        )
    out += ["", "## Parameters", ""]
    for row in params.itertuples():
        verdict = (
            f"the targets identify it (standard error {row.se:.3g} is {row.sd_ratio:.2f} of the prior's sd)"
            if row.identified
            else f"it is NOT identified by these targets (standard error {row.se:.3g} is {row.sd_ratio:.2f} of the "
            "prior's sd, at least 0.8)"
        )
        out.append(
            f"- `{row.parameter}`: estimate {row.estimate:.4g}, 90% interval {row.lower:.4g} to {row.upper:.4g} "
            f"(searched on [{row.low:g}, {row.high:g}]); {verdict}{_sobol_text(params, row)}."
        )
    out += _predictive_lines(cal, predictive, f"{m.predictive} runs at the estimate")
    out += [
        "",
        "## How to read this",
        "",
        "The standard errors are asymptotic (a sandwich of the moments' Jacobian at the estimate) and count the "
        "targets' own uncertainty and the simulation noise of the averaged runs. They mean little when the objective "
        'is flat or has several minima: compare with an ABC-SMC posterior (kind = "abc-smc") before trusting them.',
        "",
    ]
    return "\n".join(out)


def report_text(cal: Calibration, smc: SMCResult, params: pd.DataFrame, predictive: pd.DataFrame) -> str:
    """``report.md``: the run, one sentence per parameter, the predictive check."""
    post = smc.posterior
    out = [
        f"# Calibration: {cal.name}",
        "",
        cal.spec.description or "",
        "",
        f"ABC-SMC: {len(smc.generations)} generations of {cal.spec.method.population} particles "
        f"({sum(g.evaluations for g in smc.generations)} proposals, {cal.spec.seeds} model runs each); "
        f"final tolerance {post.epsilon:.4g} (root mean square of the targets' deviations in units of their sd); "
        f"effective sample size {post.ess:.0f}. Stopped: {smc.stopped}.",
        "",
        "## Parameters",
        "",
    ]
    by_path = {p.path: p for p in cal.priors}
    for row in params.itertuples():
        p = by_path[row.parameter]
        verdict = (
            f"the targets identify it (posterior sd {row.sd:.3g} is {row.sd_ratio:.2f} of the prior's)"
            if row.identified
            else f"it is NOT identified by these targets (posterior sd {row.sd:.3g} is {row.sd_ratio:.2f} of the "
            "prior's, at least 0.8)"
        )
        out.append(
            f"- `{row.parameter}`: posterior median {row.median:.4g}, 90% interval {row.lower:.4g} to {row.upper:.4g} "
            f"(mean {row.mean:.4g}), from {_prior_text(p)}; {verdict}{_sobol_text(params, row)}."
        )
    out += _predictive_lines(
        cal, predictive, f"{cal.spec.method.predictive} particles drawn from the posterior by weight"
    )
    out += [
        "",
        "## How to read this",
        "",
        "The posterior is approximate: it conditions on the targets being matched within the final tolerance, not "
        "exactly. A parameter is reported as not identified when its posterior spread is at least 0.8 of its prior's: "
        "the targets do not pin it down, and its estimate reflects the prior. Check the predictive table before "
        "trusting the estimates: a target the posterior's runs cannot reach means the model (or the targets' sd) "
        "cannot fit it, whatever the parameters.",
        "",
    ]
    return "\n".join(out)
