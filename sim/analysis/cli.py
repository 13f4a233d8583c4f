"""``tradesim analyze RUN_DIR [RUN_DIR ...]``: write ``analysis/`` inside each run folder."""

from __future__ import annotations

import argparse
import json
import math
import sys

RULES = ("loose", "standard", "strict")
"""The cycle-dating presets (``sim.analysis.dating.PRESETS``), named here so that ``--help``
does not import the analysis."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``analyze``."""
    p = sub.add_parser(
        "analyze",
        help="analyse finished runs: imbalance index, turning points, phases, cycles, figures, report",
        description="Write analysis/ inside each run folder. A folder that is not a run is searched for runs "
        "(e.g. results/baseline/ or results/).",
    )
    p.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run folder(s), or folders holding runs")
    p.add_argument("--rule", default="standard", choices=RULES, help="cycle-dating rule (default: standard)")
    p.add_argument("--balance-level", type=float, help="index at or below this is 'balance' (share of world GDP)")
    p.add_argument("--balance-fraction", type=float, help="lowest fraction of a stretch's range counted as 'balance'")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.set_defaults(func=cmd_analyze)


def cmd_analyze(args: argparse.Namespace) -> int:
    """``tradesim analyze``."""
    from sim.analysis.phases import PhaseThresholds
    from sim.analysis.report import analyze
    from sim.analysis.runs import find_runs
    from sim.runner import load_run

    defaults = PhaseThresholds()
    thresholds = PhaseThresholds(
        balance_level=defaults.balance_level if args.balance_level is None else args.balance_level,
        balance_fraction=defaults.balance_fraction if args.balance_fraction is None else args.balance_fraction,
    )
    runs = find_runs(args.runs)
    items = runs
    if len(runs) > 1 and sys.stderr.isatty():
        from tqdm import tqdm

        items = tqdm(runs, desc="analysing", unit="run", leave=False)
    for path in items:
        folder = analyze(load_run(path), rule=args.rule, thresholds=thresholds, figures=not args.no_figures)
        m = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        period = m["mean_period_years"]
        print(
            f"{folder}: {m['n_cycles']} cycle(s)"
            + (f", mean period {period:.1f} years" if period is not None and math.isfinite(period) else "")
            + f", index mean {100 * m['imbalance_mean']:.2f}% max {100 * m['imbalance_max']:.2f}% of world GDP"
        )
    return 0
