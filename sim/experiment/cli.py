"""``tradesim compare``: parse arguments, call :mod:`sim.experiment`, print the effects."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from sim.cli import RESUMABLE, add_set_option
from sim.errors import TradesimError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``compare``."""
    p = sub.add_parser(
        "compare",
        help="paired-seed experiment: effects of arms on metrics, with confidence intervals",
        description="tradesim compare EXPERIMENT.toml, or tradesim compare BASE.toml VARIANT.toml --seeds 20. "
        "Writes results/experiments/<name>/; finished runs are kept, so an interrupted command resumes.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="an experiment file, or a base and a variant scenario")
    p.add_argument("--seeds", type=int, help="number of seeds (overrides the file's)")
    p.add_argument("--ticks", type=int, help="override simulation.ticks of every arm")
    add_set_option(p, "set a key path on every arm, before the arm's own set")
    p.add_argument("--workers", type=int, help="local worker processes (default: every core; 1: in this process)")
    p.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    p.add_argument(
        "--block",
        type=int,
        help="runs stepped together as one ensemble per task (default: up to 1024, as many as fit in 1 GiB)",
    )
    p.add_argument("--out", default="results/experiments", help="results root (default: results/experiments)")
    p.add_argument("--retry-failed", action="store_true", help="run again the runs that failed before")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument(
        "--flush-every", type=int, default=32, metavar="N", help="write finished runs to disk every N runs (default 32)"
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="check the files and print the design (arms, seeds, runs, estimated time); run nothing",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="exit with status 1 if a claim of the file (expect = ...) does not hold",
    )
    p.set_defaults(func=cmd_compare, on_interrupt=RESUMABLE)


def cmd_compare(args: argparse.Namespace) -> int:
    """``tradesim compare``."""
    from sim.experiment.report import effect_table
    from sim.experiment.run import run_experiment
    from sim.experiment.spec import build_experiment, load_experiment
    from sim.scenario import load_toml, parse_settings

    settings = parse_settings(args.settings)
    if args.seeds is not None and args.seeds < 1:
        raise TradesimError(f"--seeds must be at least 1, not {args.seeds}")
    common = dict(
        workers=args.workers,
        dask=args.dask,
        out=args.out,
        progress=sys.stderr.isatty(),
        figures=not args.no_figures,
        retry_failed=args.retry_failed,
        flush_every=args.flush_every,
        block=args.block,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if len(args.files) == 1:
            doc = load_toml(args.files[0])
            if "country" in doc and "arm" not in doc:
                raise TradesimError(
                    f"{args.files[0]} is a scenario, not an experiment: give an experiment file, "
                    "or a base and a variant scenario (tradesim compare BASE.toml VARIANT.toml)"
                )
            exp = load_experiment(args.files[0], seeds=args.seeds, ticks=args.ticks, settings=settings)
        elif len(args.files) == 2:
            base, variant = (Path(f) for f in args.files)
            name = f"{base.stem}_vs_{variant.stem}"
            exp = build_experiment(
                str(base),
                {variant.stem: str(variant)},
                seeds=args.seeds or 20,
                ticks=args.ticks,
                settings=settings,
                name=name,
                file="<compare>",
            )
        else:
            raise TradesimError("give one experiment file, or a base and a variant scenario")
        if args.dry_run:
            print(describe_design(exp, workers=args.workers, out=args.out))
            return 0
        comp = run_experiment(exp, **common)
    for w in caught:
        if issubclass(w.category, UserWarning):
            print(f"warning: {w.message}", file=sys.stderr)
    s = comp.summary
    print(
        f"{comp.name}: {s.total} runs ({s.found} found finished, {s.ran} run now, {s.failed} failed) "
        f"in {s.seconds:.1f} s on {s.where}"
    )
    print()
    print(effect_table(comp))
    print()
    for line in comp.sentences():
        print(f"- {line}")
    print()
    print(f"results: {comp.path}  (report.md, effects.csv, values.parquet, figures/)")
    claims = comp.claims
    if len(claims):
        held = int(claims["holds"].astype(bool).sum())
        print(f"claims: {held} of {len(claims)} hold")
        if args.check and held < len(claims):
            return 1
    return 0


def describe_design(exp, *, workers: int | None, out: str) -> str:
    """What ``compare --dry-run`` prints: arms, seeds, runs, metrics and the estimated time."""
    from sim.batch.task import make_task
    from sim.estimate import describe_time, estimate_seconds
    from sim.scenario import load_scenario

    ticks = [load_scenario(arm.document, file=f"<arm {arm.name}>").simulation.ticks for arm in exp.arms]
    tasks = [
        make_task(arm.document, s, exp.metrics, series=True, doc_hash=arm.doc_hash)
        for arm in exp.arms
        for s in exp.seeds
    ]
    runs = len(tasks)
    seconds, used = estimate_seconds(tasks, workers)
    lines = [
        f"{exp.name}: {len(exp.arms) - 1} arm(s) and the base x {len(exp.seeds)} seeds = {runs} runs "
        f"of {max(ticks)} ticks; {describe_time(seconds, used)} (the runs alone, from one timed run; starting workers adds to it)",
        f"results would go to {Path(out) / exp.name}/",
    ]
    for arm in exp.arms:
        lines.append(f"  {arm.name}: {'; '.join(arm.changes) or 'the base scenario'}")
    lines.append(f"  metrics: {', '.join(m.name for m in exp.metrics)}")
    return "\n".join(lines)
