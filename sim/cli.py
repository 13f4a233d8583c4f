"""The ``tradesim`` command line: parses arguments and calls the Python API, nothing more.

Subcommands register themselves from the modules named in :data:`COMMANDS`; each such module
has ``add_parser(subparsers)`` (which sets ``func`` on its parser). Errors a user can cause are
printed in one line (``error: ...``) with exit status 2; an interrupted command exits with 130.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from sim.errors import TradesimError

COMMANDS = [
    "sim.cli",  # run, validate
    "sim.analysis.cli",  # analyze
    "sim.experiment.cli",  # compare
    "sim.sweep.cli",  # sweep
    "sim.calibrate.cli",  # calibrate
    "sim.viz.cli",  # demo
    "sim.history.cli",  # score
]


INTERRUPTED = "nothing more was done"
"""What Ctrl-C leaves, for commands that do not say (``set_defaults(on_interrupt=...)``)."""
RESUMABLE = "finished runs are kept; run the same command again to continue"
"""What Ctrl-C leaves for ``compare`` and ``sweep``, which store runs as they finish."""


def add_set_option(p: argparse.ArgumentParser, what: str) -> None:
    """``--set KEY=VALUE`` (repeatable, into ``args.settings``; read by
    :func:`sim.scenario.parse_settings`), its help starting with ``what``.
    """
    p.add_argument(
        "--set",
        action="append",
        default=[],
        dest="settings",
        metavar="KEY=VALUE",
        help=f"{what}, e.g. --set simulation.responses=within_tick "
        "(the value is read as TOML, else as a string; repeatable; checked like the file)",
    )


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``run`` and ``validate``."""
    p = sub.add_parser("run", help="run a scenario and write results/<scenario>/<run-id>/")
    p.add_argument("scenario", nargs="?", help="scenario TOML file")
    p.add_argument(
        "--synthetic", metavar="N,S", help="run a synthetic world of N countries and S traded sectors instead"
    )
    p.add_argument("--ticks", type=int, help="override simulation.ticks")
    p.add_argument("--seed", type=int, help="override simulation.seed")
    add_set_option(p, "set a key path of the scenario")
    p.add_argument("--out", default="results", help="results root (default: results)")
    p.add_argument("--analyze", action="store_true", help="also analyse the run (writes analysis/ in the run folder)")
    p.add_argument("--no-figure", action="store_true", help="skip overview.png")
    p.add_argument(
        "--csv",
        choices=("auto", "always", "never"),
        default="auto",
        help="timeseries.csv beside the Parquet table (auto: up to 2 million cells, about 40 MB)",
    )
    p.set_defaults(
        func=cmd_run,
        on_interrupt="nothing was written (a run's folder appears only when it is complete); "
        "run the same command again to start over",
    )

    v = sub.add_parser(
        "validate",
        help="check scenario, experiment, sweep and calibration files without running them (the kind is recognised)",
    )
    v.add_argument("files", nargs="+")
    v.set_defaults(func=cmd_validate)


def cmd_run(args: argparse.Namespace) -> int:
    """``tradesim run``."""
    from sim.runner import run
    from sim.scenario import parse_settings, synthetic

    if bool(args.scenario) == bool(args.synthetic):
        raise TradesimError("give either a scenario file or --synthetic N,S")
    if args.synthetic:
        try:
            n, s = (int(x) for x in args.synthetic.split(","))
        except ValueError:
            raise TradesimError(f"--synthetic takes N,S (two integers), not '{args.synthetic}'") from None
        if n < 1 or s < 1:
            raise TradesimError("--synthetic needs N >= 1 and S >= 1")
        source = synthetic(n, s, seed=args.seed or 0, ticks=args.ticks or 100)
    else:
        source = args.scenario
    res = run(
        source,
        seed=args.seed,
        ticks=args.ticks,
        settings=parse_settings(args.settings),
        out=args.out,
        progress=sys.stderr.isatty(),
        figure=not args.no_figure,
        csv=args.csv,
    )
    where = res.path
    args.on_interrupt = f"the run is kept in {where}"
    if res.manifest.get("reused"):
        added = res.manifest.get("written_on_reuse") or []
        print(f"found a finished run with the same inputs and code: {where}")
        if added:
            print(f"wrote what it lacked: {', '.join(added)}")
    else:
        secs = res.manifest["timings_seconds"]
        print(
            f"ran {res.scenario.simulation.name} ({res.scenario.simulation.ticks} ticks, seed {res.scenario.simulation.seed}) "
            f"in {secs['setup'] + secs['run']:.2f} s: {where}"
        )
    notes = res.manifest.get("notes", [])
    for note in notes[:10]:
        print(f"note: {note}")
    if len(notes) > 10:
        print(f"note: ... and {len(notes) - 10} more in {where / 'manifest.json' if where else 'the manifest'}")
    if not args.no_figure and where is not None and (where / "overview.png").exists():
        print(f"figure: {where / 'overview.png'}")
    if args.analyze:
        try:
            analysis = importlib.import_module("sim.analysis")
        except ImportError:
            raise TradesimError("the analysis module is not installed in this version") from None
        out = analysis.analyze_run(where)
        print(f"analysis: {out}")
    return 0


def file_kind(doc: dict) -> str:
    """``experiment`` (it has ``[[arm]]``), ``calibration`` (``[[target]]``), ``sweep``
    (``[[parameter]]`` or ``sampler``) or ``scenario``.
    """
    if "arm" in doc:
        return "experiment"
    if "target" in doc:
        return "calibration"
    if "parameter" in doc or "sampler" in doc:
        return "sweep"
    return "scenario"


def cmd_validate(args: argparse.Namespace) -> int:
    """``tradesim validate``: exit 0 if every file is valid, 2 otherwise (each problem printed).

    Each file is checked as what it is — a scenario, an experiment or a sweep — in full: an
    experiment's base and arms, a sweep's base, parameters (at their extremes) and metrics.
    """
    from sim.scenario import load_scenario, load_toml

    bad = 0
    for f in args.files:
        try:
            kind = file_kind(load_toml(f))
            if kind == "experiment":
                from sim.experiment.spec import load_experiment

                exp = load_experiment(f)
                what = f"experiment: {len(exp.arms) - 1} arm(s), {len(exp.seeds)} seeds, {len(exp.metrics)} metrics"
            elif kind == "calibration":
                from sim.calibrate.spec import load_calibration

                cal = load_calibration(f)
                what = f"calibration: {len(cal.spec.parameter)} parameters, {len(cal.spec.target)} targets"
            elif kind == "sweep":
                from sim.sweep.design import design
                from sim.sweep.spec import load_sweep

                sweep = load_sweep(f)
                what = (
                    f"sweep: {len(sweep.parameters)} parameters, {sweep.spec.sampler} design of "
                    f"{len(design(sweep))} runs, {len(sweep.metrics)} metrics"
                )
            else:
                scn = load_scenario(f)
                what = (
                    f"scenario: {len(scn.country)} countries, {len(scn.traded)} traded sectors, "
                    f"{scn.simulation.ticks} ticks"
                )
        except TradesimError as exc:
            print(f"error: {exc}", file=sys.stderr)
            bad += 1
        else:
            print(f"ok: {f} ({what})")
    return 2 if bad else 0


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every registered subcommand."""
    from sim import __version__

    parser = argparse.ArgumentParser(prog="tradesim", description="Agent-based simulation of global trade imbalances.")
    parser.add_argument("--version", action="version", version=f"tradesim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for mod in COMMANDS:
        try:
            module = importlib.import_module(mod)
        except ImportError:  # an optional part whose dependencies are missing
            continue
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``tradesim`` console script."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except TradesimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"interrupted: {getattr(args, 'on_interrupt', INTERRUPTED)}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file that cannot be read or written: the system's reason, in one line
        from sim.errors import os_reason

        print(f"error: {os_reason(exc)}", file=sys.stderr)
        return 2


def _relative(p: Path) -> str:
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        return str(p)


if __name__ == "__main__":
    sys.exit(main())
