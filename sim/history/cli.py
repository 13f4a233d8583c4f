"""``tradesim score``: a run or a scenario's seeds against a facts table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.errors import TradesimError
from sim.history.score import SPLIT_YEAR


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``score``."""
    p = sub.add_parser(
        "score",
        help="score a run (or the median over a scenario's seeds) against a facts table; writes score.md and figures",
    )
    p.add_argument("target", help="a finished run folder, or a scenario TOML file")
    p.add_argument("--facts", required=True, help="facts table (CSV, schema in docs/validation.md)")
    p.add_argument("--seeds", type=int, help="with a scenario: the number of seeds (default 1), from its seed on")
    p.add_argument("--seed", type=int, help="with a scenario: the first seed (default: the scenario's)")
    p.add_argument("--ticks", type=int, help="with a scenario: override simulation.ticks")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="ECONOMY=A+B",
        help="model countries standing for an economy of the facts table (repeatable)",
    )
    p.add_argument("--split", type=int, default=SPLIT_YEAR, help=f"last in-sample year (default {SPLIT_YEAR})")
    p.add_argument("--out", help="output folder (default: <run>/score, or results/<scenario>/score)")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.set_defaults(func=cmd_score)


def parse_map(items: list[str]) -> dict[str, list[str]]:
    """``["Dragons=South Korea+Taiwan"]`` -> ``{"Dragons": ["South Korea", "Taiwan"]}``."""
    out: dict[str, list[str]] = {}
    for item in items:
        econ, sep, rest = item.partition("=")
        members = [m.strip() for m in rest.split("+") if m.strip()]
        if not sep or not econ.strip() or not members:
            raise TradesimError(f"--map takes ECONOMY=COUNTRY[+COUNTRY...], not '{item}'")
        if econ.strip() in out:
            raise TradesimError(f"--map names {econ.strip()} twice")
        out[econ.strip()] = members
    return out


def cmd_score(args: argparse.Namespace) -> int:
    """``tradesim score``."""
    from sim.history import report
    from sim.history.facts import load_facts
    from sim.history.score import score
    from sim.runner import load_run, simulate

    target = Path(args.target)
    mapping = parse_map(args.map)
    facts = load_facts(args.facts)
    if target.is_dir():
        if args.seeds is not None or args.seed is not None or args.ticks is not None:
            raise TradesimError("--seeds, --seed and --ticks apply to a scenario file, not to a finished run")
        runs = [load_run(target)]
        out = Path(args.out) if args.out else target / "score"
        title = f"run {target}"
    elif target.is_file():
        from sim.scenario import load_scenario

        n = 1 if args.seeds is None else args.seeds
        if n < 1:
            raise TradesimError("--seeds must be at least 1")
        scn = load_scenario(target)
        first = scn.simulation.seed if args.seed is None else args.seed
        runs = []
        for k in range(n):
            if sys.stderr.isatty():
                print(f"seed {first + k} ({k + 1}/{n})", file=sys.stderr)
            runs.append(simulate(scn, seed=first + k, ticks=args.ticks))
        out = Path(args.out) if args.out else Path("results") / scn.simulation.name / "score"
        title = f"{target} (seeds {first}-{first + n - 1})" if n > 1 else f"{target} (seed {first})"
    else:
        raise TradesimError(f"{target}: no such run folder or scenario file")
    card = score(runs, facts, mapping=mapping, split=args.split)
    report.write(runs, card, out, title=title, facts_file=args.facts, figures_too=not args.no_figures)
    for label, key in (("in-sample", "in"), ("out-of-sample", "out")):
        s = card.summary(key)
        dist = "—" if s["covered"] == 0 else f"{s['distance']:.3g}"
        print(f"{label}: {s['passed']}/{s['covered']} facts pass ({s['facts']} in the table), distance {dist}")
    print(f"scorecard: {out / 'score.md'}")
    return 0
