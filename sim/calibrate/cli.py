"""``tradesim calibrate``: parse arguments, call :mod:`sim.calibrate`, print what happened."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``calibrate``."""
    p = sub.add_parser(
        "calibrate",
        help="estimate parameters from targets by ABC-SMC (posteriors, predictive check, identifiability)",
        description="Runs a calibration file into results/calibrations/<name>/. Every model run is kept: "
        "rerunning the same command after an interruption continues and gives the same posterior.",
    )
    p.add_argument("file", metavar="CALIBRATION.toml")
    p.add_argument("--workers", type=int, help="local worker processes (default: every core; 1: in this process)")
    p.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    p.add_argument("--out", default="results/calibrations", help="results root (default: results/calibrations)")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--dry-run", action="store_true", help="check the file and print the budget; run nothing")
    p.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``tradesim calibrate``."""
    from sim.calibrate.run import run_calibration
    from sim.calibrate.spec import load_calibration

    cal = load_calibration(args.file)
    m = cal.spec.method
    if args.dry_run:
        sens = m.sensitivity * (len(cal.priors) + 2) if m.sensitivity else 0
        print(
            f"{cal.name}: {len(cal.priors)} parameters, {len(cal.metrics)} targets; ABC-SMC with {m.population} "
            f"particles x up to {m.generations} generations (at most {m.max_evaluations} proposals per generation), "
            f"{cal.spec.seeds} model runs per proposal; sensitivity {sens} and predictive {m.predictive} proposals more"
        )
        return 0
    res = run_calibration(
        cal,
        workers=args.workers,
        dask=args.dask,
        out=args.out,
        progress=sys.stderr.isatty(),
        figures=not args.no_figures,
    )
    print(f"{cal.name}: {len(res.smc.generations)} generations, {res.runs} model runs now; {res.smc.stopped}")
    for row in res.parameters.itertuples():
        flag = "" if row.identified else "  (not identified)"
        print(f"  {row.parameter}: {row.median:.4g} [90%: {row.lower:.4g} to {row.upper:.4g}]{flag}")
    print(f"report: {res.path / 'report.md'}")
    return 0
