"""The analysis folder of a run: tables (Parquet + CSV), ``summary.json``, figures and
``report.md`` with sentences generated from the numbers.

``analyze(results)`` writes ``<run>/analysis/``; ``analyze_run(path)`` loads a run folder first.
Everything is written into a hidden temporary folder beside the target and renamed into place
when complete, so an interrupted analysis leaves no half-written folder; a rerun replaces the
previous analysis in one rename.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import measures
from sim.analysis.cycles import SUMMARY_KEYS, Rule, smoothed_balances
from sim.analysis.filters import hp_lambda
from sim.analysis.phases import PhaseThresholds
from sim.analysis.run_analysis import Analysis, analyse
from sim.errors import TradesimError
from sim.results import Results

FOLDER = "analysis"
TABLES = ("world", "countries", "turning_points", "cycles", "bilateral", "value_added")


def _package_version() -> str:
    from sim.runner import package_version

    return package_version()


def run_info(results: Results) -> dict[str, Any]:
    """Provenance of the analysed run for summary.json."""
    sim = results.scenario.simulation
    m = results.manifest or {}
    return {
        "scenario": sim.name,
        "seed": sim.seed,
        "ticks": sim.ticks,
        "tick_length": sim.tick_length,
        # the folder name is the run id; the manifest's can differ for scenarios with events
        "run_id": results.path.name if results.path is not None else m.get("run_id"),
        "path": str(results.path) if results.path is not None else None,
        "countries": list(results.countries),
        "tradesim_version": m.get("version"),
    }


def _json_number(x: Any) -> Any:
    if isinstance(x, float | np.floating):
        return None if not math.isfinite(float(x)) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def summary_document(a: Analysis) -> dict[str, Any]:
    """summary.json: the keys of :data:`SUMMARY_KEYS` first (NaN written as null), then run
    info, the rule, the phase thresholds and the dated turning points.
    """
    doc: dict[str, Any] = {k: _json_number(a.metrics[k]) for k in SUMMARY_KEYS}
    doc["n_peaks"] = int(a.tp.peaks.size)
    doc["n_troughs"] = int(a.tp.troughs.size)
    doc["run"] = run_info(a.results)
    doc["rule"] = a.rule.as_dict()
    doc["phase_thresholds"] = a.thresholds.as_dict()
    doc["series"] = {
        "years_per_observation": a.dt,
        "observations": int(a.index.size),
        "noise": _json_number(a.tp.noise),
        "amplitude_floor": _json_number(a.tp.floor),
        "smoothing_window_observations": a.tp.window,
        "min_phase_observations": a.tp.min_phase,
        "min_cycle_observations": a.tp.min_cycle,
        "hp_lambda": hp_lambda(a.dt),
    }
    doc["turning_points"] = [
        {"tick": int(r.tick), "year": _json_number(r.year), "kind": r.kind, "index": _json_number(r.index)}
        for r in a.turning_points.itertuples()
    ]
    doc["analysis_version"] = _package_version()
    return doc


def _bilateral_table(a: Analysis) -> pd.DataFrame:
    """Bilateral balances at the turning points and the last tick with flows logged."""
    res = a.results
    if len(res.bilateral) == 0:
        return pd.DataFrame(columns=["tick", "country", "partner", "balance", "balance_share"])
    logged = np.unique(res.bilateral["tick"].to_numpy(dtype=np.int64))
    wanted = set(a.turning_points["tick"].tolist()) | {int(logged[-1]), a.largest_peak_tick()}
    ticks = sorted(t for t in wanted if t in set(logged.tolist()))
    return measures.bilateral_balances(res, ticks)


def _value_added_table(a: Analysis) -> tuple[pd.DataFrame, int | None]:
    """Gross and value-added bilateral balances at the largest peak, if its flows and the
    previous tick's outputs were logged; otherwise an empty table.
    """
    from sim.analysis.value_added import value_added_balances

    cols = ["tick", "country", "partner", "gross", "value_added"]
    t = a.largest_peak_tick()
    try:
        gross, va = value_added_balances(a.results, t)
    except TradesimError:
        return pd.DataFrame(columns=cols), None
    names = list(gross.index)
    i, j = np.indices(gross.shape).reshape(2, -1)
    off = i != j
    return (
        pd.DataFrame(
            {
                "tick": np.full(off.sum(), t, dtype=np.int64),
                "country": pd.Categorical.from_codes(i[off], categories=names),
                "partner": pd.Categorical.from_codes(j[off], categories=names),
                "gross": gross.to_numpy().reshape(-1)[off],
                "value_added": va.to_numpy().reshape(-1)[off],
            }
        ),
        t,
    )


def _pct(x: float, digits: int = 1) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.{digits}f}%"


def _pp(x: float, digits: int = 1) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.{digits}f} pp"


def _md_table(df: pd.DataFrame) -> str:
    if df.empty:
        return "(none)\n"
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "| " + " | ".join("---" for _ in df.columns) + " |"
    rows = ["| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, sep, *rows]) + "\n"


def report_text(a: Analysis, figures: Iterable[str], va: pd.DataFrame, va_tick: int | None) -> str:
    """The text of report.md, sentences generated from the numbers."""
    res, m, r = a.results, a.metrics, a.rule
    sim = res.scenario.simulation
    y0, y1 = float(a.years[0]), float(a.years[-1])
    i_max = int(np.argmax(a.index.to_numpy()))
    lines = [
        f"# Imbalance cycles: {sim.name} (seed {sim.seed})",
        "",
        f"Run: `{res.path}`" if res.path is not None else "Run: in memory",
        "",
        "## In brief",
        "",
        f"Over {a.index.size * a.dt:g} years ({y0:g}–{y1:g}), the global imbalance index — the sum of all countries' "
        f"absolute current accounts as a share of world GDP — averaged {_pct(m['imbalance_mean'], 2)} and "
        f"reached its highest value, {_pct(m['imbalance_max'], 2)}, in {a.years[i_max]:g}.",
    ]
    rule_text = (
        f"the `{r.name}` rule ({r.smoothing_years:g}-year smoothing, phases of at least {r.min_phase_years:g} "
        f"years, cycles of at least {r.min_cycle_years:g} years, amplitude at least {_pp(a.tp.floor, 2)} "
        f"= max({_pp(r.min_amplitude, 2)}, {r.noise_multiple:g} × the series' noise of {_pp(a.tp.noise, 2)}))"
    )
    n = m["n_cycles"]
    if n:
        lines.append(
            f"Under {rule_text}, {n} full cycle{'s' if n != 1 else ''} of imbalance and rebalancing "
            f"{'were' if n != 1 else 'was'} dated, lasting {m['mean_period_years']:.1f} years on average from "
            f"trough to trough, with a mean amplitude of {_pp(m['mean_amplitude'])} of world GDP."
        )
    else:
        lines.append(
            f"Under {rule_text}, no full cycle (trough, peak, trough) was dated: "
            f"{a.tp.peaks.size} peak(s) and {a.tp.troughs.size} trough(s) passed the rule."
        )
    lines.append(
        f"The world spent {_pct(m['time_in_balance'], 0)} of the time in balance, "
        f"{_pct(m['time_in_imbalance'], 0)} with imbalances standing or widening and "
        f"{_pct(m['time_in_rebalancing'], 0)} rebalancing."
    )
    if math.isfinite(m["largest_rise"]) or math.isfinite(m["largest_fall"]):
        lines.append(
            f"The largest dated rise was {_pp(m['largest_rise'])} of world GDP and the largest fall "
            f"{_pp(m['largest_fall'])}."
        )
    disp = a.world["development_dispersion"].to_numpy()
    if disp.size and np.isfinite(disp[[0, -1]]).all():
        lines.append(
            f"The dispersion of development levels (standard deviation of log GDP at PPP per worker) went from "
            f"{disp[0]:.2f} to {disp[-1]:.2f}."
        )
    lines += ["", *_peak_sentences(a), ""]
    if not a.cycles.empty:
        lines += ["## Cycles", "", *_cycle_sentences(a), "", _cycle_md(a), ""]
    if va_tick is not None and not va.empty:
        lines += ["## Value added versus gross trade", "", *_va_sentences(a, va, va_tick), ""]
    lines += ["## Figures", ""]
    captions = {
        "imbalance.png": "The imbalance index, its smoothed value, the phases and the dated turning points.",
        "balances.png": "Current accounts as a share of each country's GDP.",
        "bilateral.png": "Bilateral balances at the largest peak (share of world GDP).",
        "reserves.png": "Official reserves in months of imports.",
        "development.png": "Imbalances beside the dispersion of development levels.",
    }
    for f in figures:
        lines += [f"![{captions.get(f, f)}]({f})", "", f"*{captions.get(f, f)}*", ""]
    lines += [
        "## Files",
        "",
        "Tables in Parquet and CSV: `world` (per tick), `countries` (per tick and country), `turning_points`, "
        "`cycles`, `bilateral` (bilateral balances at the turning points and the last tick), `value_added` "
        "(gross and value-added bilateral balances at the largest peak, when logged). `summary.json` holds the "
        "headline numbers, the rule and the run. Definitions: `docs/analysis.md` in the tradesim repository.",
        "",
    ]
    return "\n".join(lines)


def _peak_sentences(a: Analysis) -> list[str]:
    res = a.results
    t = a.largest_peak_tick()
    share = smoothed_balances(res, a.index, a.tp.window).loc[t]
    year = measures.years(res).loc[t]
    what = "the largest dated peak" if a.tp.peaks.size else "the highest point of the index"
    if len(share) < 2 or not (share.max() > 0 > share.min()):
        return []
    span = f"averaged over {a.tp.window * a.dt:g} years around it" if a.tp.window > 1 else "that year"
    return [
        f"At {what} ({year:g}; current accounts {span}), the largest surplus was held by {share.idxmax()} "
        f"({_pct(float(share.max()), 2)} of world GDP) and the largest deficit by {share.idxmin()} "
        f"({_pct(float(share.min()), 2)})."
    ]


def _cycle_sentences(a: Analysis) -> list[str]:
    out = []
    for c in a.cycles.itertuples():
        s = (
            f"Cycle {c.cycle} ran from {c.start_year:g} to {c.end_year:g} ({c.duration_years:g} years), peaking in "
            f"{c.peak_year:g} at {_pct(c.peak_smoothed, 2)} of world GDP (smoothed); at the peak {c.largest_surplus} "
            f"held the largest surplus and {c.largest_deficit} the largest deficit."
        )
        if c.surplus_gainer and math.isfinite(c.surplus_gain) and c.surplus_gain > 0.5:
            s += (
                f" From the rise to the fall, {c.surplus_gainer}'s share of the world's surplus rose by "
                f"{c.surplus_gain:.0f} pp and {c.surplus_loser}'s fell by {-c.surplus_loss:.0f} pp."
            )
        out.append(s)
    return out


def _cycle_md(a: Analysis) -> str:
    c = a.cycles
    view = pd.DataFrame(
        {
            "cycle": c["cycle"],
            "start": c["start_year"].map("{:g}".format),
            "peak": c["peak_year"].map("{:g}".format),
            "end": c["end_year"].map("{:g}".format),
            "years": c["duration_years"].map("{:g}".format),
            "peak, % world GDP": (100 * c["peak_smoothed"]).map("{:.2f}".format),
            "amplitude, pp": (100 * c["amplitude"]).map("{:.2f}".format),
            "surpluses at peak": c["surpluses_at_peak"],
            "deficits at peak": c["deficits_at_peak"],
            "surplus share up": c["surplus_gainer"],
            "surplus share down": c["surplus_loser"],
        }
    )
    return (
        f"Surpluses and deficits at the peak: current accounts in % of world GDP, averaged over "
        f"{a.tp.window * a.dt:g} years around the peak.\n\n" + _md_table(view)
    )


def _va_sentences(a: Analysis, va: pd.DataFrame, tick: int) -> list[str]:
    year = measures.years(a.results).loc[tick]
    worst = va.loc[va["gross"].idxmin()]
    if not worst["gross"] < -1e-9 * float(a.results.series("gdp").loc[tick].sum()):
        return [f"In {year:g} (tick {tick}) no bilateral balance differed from zero."]
    ratio = worst["value_added"] / worst["gross"] if worst["gross"] != 0 else float("nan")
    return [
        f"In {year:g} (tick {tick}), the largest gross bilateral deficit was that of {worst['country']} with "
        f"{worst['partner']}: {-worst['gross']:.1f} bn USD a year. Counted in value added — whose value added "
        f"each country's final demand absorbs, through the world input-output table — it was "
        f"{-worst['value_added']:.1f} bn USD ({_pct(ratio, 0)} of the gross figure)."
    ]


def _write_table(df: pd.DataFrame, folder: Path, name: str) -> None:
    df.to_parquet(folder / f"{name}.parquet", index=False)
    df.to_csv(folder / f"{name}.csv", index=False, float_format="%.10g")


def write_analysis(a: Analysis, folder: str | Path, figures: bool = True) -> Path:
    """Write the analysis into ``folder`` atomically (temporary folder, then rename; a previous
    analysis there is replaced).

    Args:
        a: the analysis.
        folder: the target folder (usually ``<run>/analysis``).
        figures: also draw the PNG figures.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}-tmp-{os.getpid()}"
    old = folder.parent / f".{folder.name}-old-{os.getpid()}"
    for p in (tmp, old):
        if p.exists():
            shutil.rmtree(p)
    tmp.mkdir()
    try:
        va, va_tick = _value_added_table(a)
        tables = {
            "world": a.world,
            "countries": a.countries,
            "turning_points": a.turning_points,
            "cycles": a.cycles,
            "bilateral": _bilateral_table(a),
            "value_added": va,
        }
        for name, df in tables.items():
            _write_table(df, tmp, name)
        if figures:
            from sim.analysis.figures import all_figures

            drawn = list(all_figures(a, tmp))
        else:
            drawn = []
        (tmp / "report.md").write_text(report_text(a, drawn, va, va_tick), encoding="utf-8")
        doc = summary_document(a)
        doc["files"] = sorted([*(p.name for p in tmp.iterdir()), "summary.json"])
        (tmp / "summary.json").write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        if folder.exists():
            os.rename(folder, old)
        os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not folder.exists():
            os.rename(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return folder


def analyze(
    results: Results | str | Path,
    out: str | Path | None = None,
    rule: Rule = "standard",
    thresholds: PhaseThresholds | None = None,
    figures: bool = True,
) -> Path:
    """Analyse a run and write its analysis folder.

    Args:
        results: the run (``sim.Results``) or a finished run folder.
        out: the folder to write (default ``<run folder>/analysis``; required for a run held
            only in memory).
        rule: dating rule (preset name, CycleRule or mapping).
        thresholds: phase thresholds.
        figures: draw the figures.

    Returns:
        The analysis folder.
    """
    results = measures.as_results(results)
    if out is None:
        if results.path is None:
            raise TradesimError("this run was not written to a folder; give out= for the analysis")
        out = Path(results.path) / FOLDER
    return write_analysis(analyse(results, rule, thresholds), out, figures=figures)


def analyze_run(
    path: str | Path,
    rule: Rule = "standard",
    thresholds: PhaseThresholds | None = None,
    figures: bool = True,
    out: str | Path | None = None,
) -> Path:
    """Load a finished run folder and write ``<run>/analysis/`` (see :func:`analyze`).

    Returns:
        The analysis folder.
    """
    from sim.runner import load_run

    return analyze(load_run(path), out=out, rule=rule, thresholds=thresholds, figures=figures)
