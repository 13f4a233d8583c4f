"""The history calibrated to 1980-2000, scored in and out of sample, by one command (issue 25, "Use it").

    python scripts/history_calibration.py            # full budget; rewrites the marked blocks of
                                                     # docs/validation.md and docs/calibration.md
    python scripts/history_calibration.py --print    # the same, but prints the blocks instead
    python scripts/history_calibration.py --quick    # a tiny budget (pipeline check); prints only
    python scripts/history_calibration.py --population 100 --generations 3
                                                     # a smaller budget than the file's (said so in the blocks)

Runs ``tradesim calibrate scenarios/calibrations/history_1980.toml`` (ABC-SMC on the batch layer,
in ``results/calibrations/history_1980/``; finished runs are kept, so a rerun after an interrupt
continues), then runs the history at the posterior medians and as it is (prior-only), seeds 1-10
as ``scripts/history_scorecard.py`` does, and scores both against ``data/facts_history.csv``
in sample (facts ending in or before 2000: the calibration saw them) and out of sample
(2001-2024: it did not). Deterministic: the calibration's seed and the scoring seeds are fixed,
and it reads whatever ``scenarios/history_1980.toml`` holds when it runs.

The blocks sit between ``<!-- history-calibration:start -->`` and ``<!-- history-calibration:end -->``
(docs/validation.md) and ``<!-- history-calibration-summary:start -->`` / ``...:end -->``
(docs/calibration.md); the report's in/out-of-sample section is appended to the calibration's
``report.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.calibrate.run import CalibrationResult, run_calibration  # noqa: E402
from sim.calibrate.spec import Calibration, build_calibration  # noqa: E402
from sim.scenario import load_toml  # noqa: E402

FILE = ROOT / "scenarios" / "calibrations" / "history_1980.toml"
TABLE = "facts_history.csv"
QUICK = {"population": 10, "generations": 2, "sensitivity": 0, "predictive": 4}
"""The --quick budget: checks the whole pipeline in well under a minute, says nothing."""
VALIDATION = ROOT / "docs" / "validation.md"
GUIDE = ROOT / "docs" / "calibration.md"
BLOCK = ("<!-- history-calibration:start -->", "<!-- history-calibration:end -->")
SUMMARY = ("<!-- history-calibration-summary:start -->", "<!-- history-calibration-summary:end -->")
INSERT_BEFORE = "\n## Worlds from data"
"""Where the validation block goes if its markers are missing: the end of the history section."""


def _scorecard_module():
    """scripts/history_scorecard.py, imported (its seeds, tables and scoring are reused as they are)."""
    spec = importlib.util.spec_from_file_location("history_scorecard", ROOT / "scripts" / "history_scorecard.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load(quick: bool = False, population: int | None = None, generations: int | None = None) -> Calibration:
    """The history calibration, with the --quick budget if asked (its own results folder), or the
    file's with a smaller population or fewer generations.
    """
    doc = load_toml(FILE)
    budget = {k: v for k, v in (("population", population), ("generations", generations)) if v is not None}
    if budget:
        doc["method"] = {**doc.get("method", {}), **budget}
    if quick:
        doc["method"] = {**doc.get("method", {}), **QUICK}
        doc["seeds"] = 1
        doc["name"] = f"{doc.get('name', FILE.stem)}_quick"
    return build_calibration(
        doc, file=str(FILE.relative_to(ROOT)), relative_to=FILE.parent, source=FILE, stem=FILE.stem
    )


def fmt(x: float, digits: int = 2) -> str:
    """A number for the tables ("—" if missing)."""
    return "—" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def _target_keys(cal: Calibration) -> set[tuple[str, str, str, str]]:
    return {
        (t.fact.economy, t.fact.partner, str(t.fact.year), t.fact.quantity)
        for t in cal.spec.target
        if t.fact is not None
    }


def _is_target(table: pd.DataFrame, keys: set) -> np.ndarray:
    return np.array(
        [(r.economy, r.partner or "", str(r.year), r.quantity) in keys for r in table.itertuples(index=False)]
    )


def summaries(prior, calibrated, targets: set) -> list[str]:
    """Prior-only against calibrated: facts, covered, passed and distance per sample."""
    out = [
        "| sample | facts | covered | passed: prior-only → calibrated | distance: prior-only → calibrated |",
        "|---|---|---|---|---|",
    ]
    for label, pick in (
        ("in sample: the calibration's targets", lambda t: (t["sample"] == "in") & _is_target(t, targets)),
        ("in sample: all facts ≤ 2000", lambda t: t["sample"] == "in"),
        ("**out of sample (2001-2024)**", lambda t: t["sample"] == "out"),
    ):
        rows = []
        for card in (prior, calibrated):
            t = card.table[pick(card.table)]
            cov = t[t["model"].notna()]
            rows.append((len(t), len(cov), int(cov["passed"].astype(bool).sum()), cov["error"].mean()))
        (n, c, p0, d0), (_, _, p1, d1) = rows
        out.append(f"| {label} | {n} | {c} | {p0} → {p1} | {fmt(d0)} → {fmt(d1)} |")
    return out


def fact_rows(prior, calibrated, sample: str, targets: set) -> list[str]:
    """Per covered fact of one sample: band, prior-only and calibrated model (median of the seeds)."""
    a = prior.table
    b = calibrated.table
    pick = (a["sample"] == sample) & a["model"].notna()
    tgt = _is_target(a, targets)
    head = (
        "| economy | partner | year | quantity | value [band] | prior-only | calibrated | error: prior → calibrated |"
    )
    out = [
        head + (" target |" if sample == "in" else ""),
        "|---|---|---|---|---|---|---|---|" + ("---|" if sample == "in" else ""),
    ]
    for i in np.flatnonzero(pick.to_numpy()):
        f, g = a.iloc[i], b.iloc[i]
        mark = lambda ok: "pass" if bool(ok) else "fail"  # noqa: E731
        line = (
            f"| {f.economy} | {f.partner or ''} | {f.year} | {f.quantity} | {f.value:g} [{f.low:g}, {f.high:g}] "
            f"| {fmt(f.model)} ({mark(f.passed)}) | {fmt(g.model)} ({mark(g.passed)}) | {fmt(f.error)} → {fmt(g.error)} |"
        )
        out.append(line + (f" {'yes' if tgt[i] else ''} |" if sample == "in" else ""))
    return out


def moves(prior, calibrated, targets: set) -> str:
    """The targets whose normalised error the calibration changed most (the distance is a root
    mean square, so one target missed by far can drive the posterior).
    """
    a, b = prior.table, calibrated.table
    pick = (a["sample"] == "in") & _is_target(a, targets) & a["model"].notna()
    change = (b["error"] - a["error"])[pick].sort_values(key=np.abs, ascending=False)
    parts = []
    for i in change.index[:3]:
        f = a.loc[i]
        who = f"{f.economy}{' with ' + f.partner if f.partner else ''}"
        parts.append(f"{who} {f.quantity} {f.year} ({fmt(a.loc[i, 'error'])} → {fmt(b.loc[i, 'error'])})")
    worst = a[pick]["error"].max()
    return (
        f"The targets whose error (in half-bands) moved most: {'; '.join(parts)}. The calibration's distance is a root mean "
        f"square of the targets' deviations in half-bands, so the targets the prior-only history misses by most (up to {fmt(worst)}) weigh "
        "most in the posterior."
    )


def posterior_table(res: CalibrationResult) -> list[str]:
    """One row per parameter: prior, the file's value, median, 90% interval, sd ratio, identified, Sobol ST."""
    base = base_values(res.calibration)
    out = [
        "| parameter | prior | history file | posterior median | 90% interval | sd / prior sd | identified | Sobol ST of the distance |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in res.parameters.itertuples():
        st = (
            f"{r.ST:.2f} ± {r.ST_conf:.2f}"
            if "ST" in res.parameters.columns and np.isfinite(getattr(r, "ST", np.nan))
            else "—"
        )
        out.append(
            f"| `{r.parameter}` | {r.prior} on [{r.low:g}, {r.high:g}] | {base.get(r.parameter, float('nan')):.3g} "
            f"| {r.median:.3g} | {r.lower:.3g} to {r.upper:.3g} | {r.sd_ratio:.2f} | {'yes' if r.identified else '**no**'} | {st} |"
        )
    return out


def base_values(cal: Calibration) -> dict[str, float]:
    """Each calibrated parameter's value in the history file (at its start)."""
    scn = cal.scenario
    out = {}
    for p in cal.priors:
        parts = p.path.split(".")
        try:
            if parts[0] == "country":
                obj = next(c for c in scn.country if c.name == parts[1])
                rest = parts[2:]
            else:
                obj, rest = scn, parts
            for k in rest:
                obj = getattr(obj, k)
            out[p.path] = float(obj)
        except (StopIteration, AttributeError, TypeError, ValueError):
            out[p.path] = float("nan")
    return out


def sentences(res: CalibrationResult) -> list[str]:
    """One sentence per parameter (as report.md says it)."""
    out = []
    for r in res.parameters.itertuples():
        verdict = (
            f"the in-sample facts identify it (posterior sd {r.sd_ratio:.2f} of the prior's)"
            if r.identified
            else f"the in-sample facts do NOT identify it (posterior sd {r.sd_ratio:.2f} of the prior's, at least 0.8)"
        )
        out.append(f"- `{r.parameter}`: median {r.median:.3g}, 90% interval {r.lower:.3g} to {r.upper:.3g}; {verdict}.")
    return out


def run_line(res: CalibrationResult, seconds: float) -> str:
    """The calibration's budget and what it took."""
    smc = res.smc
    m = res.calibration.spec.method
    post = smc.posterior
    proposals = sum(g.evaluations for g in smc.generations)
    return (
        f"ABC-SMC, {len(smc.generations)} generations of {m.population} particles, {res.calibration.spec.seeds} runs per "
        f"proposal ({proposals} proposals; final tolerance {post.epsilon:.3g} sd, effective sample size {post.ess:.0f}; "
        f"{smc.stopped}), {len(res.calibration.metrics)} targets, prior-and-posterior Sobol design N = {m.sensitivity}, "
        f"{m.predictive} predictive draws; this call ran {res.runs} model runs in {seconds / 60:.1f} minutes."
    )


def _git_head() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def blocks(res: CalibrationResult, seconds: float) -> tuple[str, str, str]:
    """(validation.md block, calibration.md block, report.md section)."""
    hs = _scorecard_module()
    cal = res.calibration
    medians = dict(zip(res.parameters["parameter"], res.parameters["median"].astype(float), strict=True))
    _, prior_cards = hs.scorecards()
    _, cal_cards = hs.scorecards(medians)
    prior, calibrated = prior_cards[TABLE], cal_cards[TABLE]
    targets = _target_keys(cal)
    k = len(cal.priors)
    filed = load_toml(FILE).get("method", {})
    m = cal.spec.method
    reduced = (filed.get("population", m.population), filed.get("generations", m.generations)) != (
        m.population,
        m.generations,
    )
    budget_note = (
        f" **A smaller budget than the file's** ({m.population} particles × {m.generations} generations against "
        f"{filed.get('population')} × {filed.get('generations')}): `python scripts/history_calibration.py` without "
        "--population/--generations runs the file's."
        if reduced
        else ""
    )
    seeds = f"seeds {hs.SEEDS[0]}-{hs.SEEDS[-1]}"
    po, co = prior.summary("out"), calibrated.summary("out")
    better = "better" if co["distance"] < po["distance"] else "no better"
    summ = summaries(prior, calibrated, targets)
    moved = moves(prior, calibrated, targets)
    verdict = (
        f"Out of sample the calibrated history scores {better} than the prior-only one: distance "
        f"{fmt(po['distance'])} → {fmt(co['distance'])}, {po['passed']} → {co['passed']} of {co['covered']} facts passed."
    )
    cmd = "python scripts/history_calibration.py"
    head = [
        f"Generated by `{cmd}` (commit {_git_head()}; `scenarios/calibrations/history_1980.toml` on "
        f"`{hs.SCENARIO}`; do not edit by hand). {run_line(res, seconds)}{budget_note}",
        "",
    ]
    val = [
        BLOCK[0],
        "",
        f"### Calibrated to 1980-2000 ({k} knobs)",
        "",
        *head,
        f"The {k} parameters the history's rules fix least well (the calibration file says why each, with its "
        f"prior's sources) are estimated from {len(cal.metrics)} in-sample facts ({TABLE}, rows ending 1981-2000; each "
        "sd half its band); the facts of 2001-2024 are not used. The calibrated history is the history file with each "
        f"parameter at its posterior median, run for {seeds} and scored as the prior-only scorecard above (median "
        "of the seeds).",
        "",
        "**Posterior.**",
        "",
        *posterior_table(res),
        "",
        *sentences(res),
        "",
        "**Prior-only against calibrated** (`facts_history.csv`; distance = mean normalised error of the covered facts).",
        "",
        *summ,
        "",
        verdict,
        "",
        moved,
        "",
        "**Out of sample, fact by fact (2001-2024).**",
        "",
        *fact_rows(prior, calibrated, "out", targets),
        "",
        "**In sample, fact by fact (≤ 2000; `target` marks the calibration's targets).**",
        "",
        *fact_rows(prior, calibrated, "in", targets),
        "",
        BLOCK[1],
    ]
    guide = [
        SUMMARY[0],
        "",
        *head,
        *posterior_table(res),
        "",
        *summ,
        "",
        verdict + ' Every fact, and the prior-only scorecard beside it: docs/validation.md, "Calibrated to '
        f'1980-2000 ({k} knobs)".',
        "",
        SUMMARY[1],
    ]
    report = [
        "",
        "## In and out of sample",
        "",
        f"The history at the posterior medians against the history file as it is (prior-only), {seeds}, "
        f"`{TABLE}` (`{cmd}`):",
        "",
        *summ,
        "",
        verdict,
        "",
    ]
    return "\n".join(val), "\n".join(guide), "\n".join(report)


def replace_block(path: Path, markers: tuple[str, str], text: str, before: str | None = None) -> None:
    """Put ``text`` between the markers of ``path`` (inserting it before ``before``, or at the end, if absent)."""
    doc = path.read_text(encoding="utf-8")
    start, end = markers
    if start in doc and end in doc:
        head, rest = doc.split(start, 1)
        doc = head + text + rest.split(end, 1)[1]
    elif before and before in doc:
        i = doc.index(before)
        doc = doc[:i] + "\n" + text + "\n" + doc[i:]
    else:
        doc = doc.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(doc, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Calibrate, score, rewrite (or print) the blocks."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a tiny budget to check the pipeline (prints only)")
    p.add_argument("--print", action="store_true", help="print the blocks instead of rewriting the docs")
    p.add_argument("--population", type=int, help="particles per generation (default: the file's)")
    p.add_argument("--generations", type=int, help="generations (default: the file's)")
    p.add_argument("--workers", type=int, help="local worker processes (default: every core)")
    p.add_argument("--out", default=str(ROOT / "results" / "calibrations"), help="results root")
    args = p.parse_args(argv)
    cal = load(args.quick, args.population, args.generations)
    t0 = time.perf_counter()
    res = run_calibration(cal, workers=args.workers, out=args.out, progress=sys.stderr.isatty(), figures=True)
    seconds = time.perf_counter() - t0
    val, guide, report = blocks(res, seconds)
    with open(res.path / "report.md", "a", encoding="utf-8") as fh:
        fh.write(report)
    if args.quick or args.print:
        print(val)
        print()
        print(guide)
        print(f"\n(report: {res.path / 'report.md'})")
        return 0
    replace_block(VALIDATION, BLOCK, val, before=INSERT_BEFORE)
    replace_block(GUIDE, SUMMARY, guide, before="\n## Sizing `scenarios/china_2024.toml` by hand")
    print(
        f"rewrote the history calibration blocks in docs/validation.md and docs/calibration.md; report: {res.path / 'report.md'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
