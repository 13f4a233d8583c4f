"""tradesim benchmarks: one command, a table on the terminal and ``benchmarks/results.json``.

    python benchmarks/run.py                 # the full grid (about 10 minutes on 2 cores)
    python benchmarks/run.py --quick         # small sizes, one repeat (about a minute)
    python benchmarks/run.py --sizes 200x10,1000x20 --repeats 5
    python benchmarks/run.py --update-readme # also rewrite the README's performance table

What is measured (issue 7), each size in a fresh subprocess so that timings and memory do not
mix (BLAS pinned to one thread unless ``--blas-threads`` says otherwise; see
``docs/performance.md``):

1. ``step_ms``: milliseconds per tick of the full model step (every stage and the recorder
   logging country series every tick; synthetic worlds log bilateral flows every tick up to
   30 countries), median over ticks after a warm-up, median over ``--repeats`` worlds; also
   the fastest tick (``step_ms_min``), which a busy machine disturbs least;
2. ``floor_ms``: the floor kernel (``benchmarks/floor.py``) on the same world and state, and the
   ratio step / floor (of medians, and of minima); ``passes_ms`` the kernel's two contractions
   alone;
3. ``mesa_ms``: the per-agent Mesa reference of the trade step (``benchmarks/mesa_reference.py``)
   for N <= 200, checked equal to the model's trade step (largest relative difference), and the
   ratios reference / model trade stage and reference / full step;
4. ``peak_mb``: peak traced memory (tracemalloc) of building the model, running the ticks and
   building the tables, and the process's peak RSS; the growth exponents of time and memory in
   N (least squares of log value on log N, per S);
5. whole-run wall time of ``tradesim run`` (a subprocess: interpreter start, imports, balanced
   start, ticks, tables, files and figure) on ``scenarios/baseline.toml`` and on a synthetic
   200 x 10 world for 1,000 ticks, and, in another process, where that time goes (import,
   set-up, ticks, tables, files, figure).

The targets of the issue are checked at the end (``targets`` in the JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FULL_N = (10, 50, 200, 1000)
FULL_S = (3, 10, 20)
QUICK = ((10, 3), (50, 10), (200, 10))
MESA_MAX_N = 200
README_START = "<!-- performance-table:start -->"
README_END = "<!-- performance-table:end -->"


# --------------------------------------------------------------------------- workers (subprocesses)


def _median(xs):
    import numpy as np

    return float(np.median(xs))


def _timed_ticks(model, budget_s: float, lo: int, hi: int) -> list[float]:
    out = []
    t_end = time.perf_counter() + budget_s
    while len(out) < hi and (len(out) < lo or time.perf_counter() < t_end):
        t = time.perf_counter()
        model.step()
        out.append(time.perf_counter() - t)
    return out


def _time_call(fn, budget_s: float, lo: int, hi: int) -> tuple[float, float]:
    """(median, min) seconds of ``fn()`` over at least ``lo`` and at most ``hi`` calls."""
    fn()
    out = []
    t_end = time.perf_counter() + budget_s
    while len(out) < hi and (len(out) < lo or time.perf_counter() < t_end):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return _median(out), min(out)


def worker_time(n: int, s: int, repeats: int, budget_s: float, mesa: bool) -> dict:
    """Step, stages, floor and Mesa reference timings for one size (runs in a subprocess)."""
    import sim
    from benchmarks import floor, mesa_reference
    from sim.scenario import synthetic

    res: dict = {"n": n, "s": s}
    steps, step_min, floors, floor_min, setups = [], [], [], [], []
    model = None
    for r in range(repeats):
        t = time.perf_counter()
        world = sim.TradeModel(synthetic(n, s, seed=r, ticks=1000), datacollector=False)
        setups.append(time.perf_counter() - t)
        _timed_ticks(world, 0.0, 3, 3)  # warm-up
        # ticks and floor-kernel calls alternate, so that both see the same load on the machine
        inp = floor.floor_inputs(world)
        floor.floor_kernel(**inp)
        ticks, kernel = [], []
        t_end = time.perf_counter() + budget_s
        while len(ticks) < 300 and (len(ticks) < 10 or time.perf_counter() < t_end):
            t = time.perf_counter()
            world.step()
            ticks.append(time.perf_counter() - t)
            for _ in range(3):
                t = time.perf_counter()
                floor.floor_kernel(**inp)
                kernel.append(time.perf_counter() - t)
        steps.append(_median(ticks))
        step_min.append(min(ticks))
        floors.append(_median(kernel))
        floor_min.append(min(kernel))
        model = model or world
        del world, inp
    res["setup_s"] = _median(setups)
    res["start_evaluations"] = model.start_iterations
    res["step_ms"] = 1e3 * _median(steps)
    res["step_ms_runs"] = [1e3 * x for x in steps]
    res["step_ms_min"] = 1e3 * min(step_min)
    res["floor_ms"] = 1e3 * _median(floors)
    res["floor_ms_min"] = 1e3 * min(floor_min)
    res["ratio_floor"] = res["step_ms"] / res["floor_ms"]
    res["ratio_floor_min"] = res["step_ms_min"] / res["floor_ms_min"]

    # where a tick's time goes: the stages, timed one by one
    stages = [
        "_apply_events",
        "_update_pull",
        "_produce",
        "_plan_demand",
        "_trade",
        "_settle",
        "_set_policy",
        "_develop",
    ]
    acc: dict[str, list[float]] = {k: [] for k in [*stages, "record"]}
    for k in stages:
        f = getattr(model, k)

        def wrapped(f=f, k=k):
            t = time.perf_counter()
            f()
            acc[k].append(time.perf_counter() - t)

        setattr(model, k, wrapped)
    rec = model.recorder.record

    def wrapped_record(m):
        t = time.perf_counter()
        rec(m)
        acc["record"].append(time.perf_counter() - t)

    model.recorder.record = wrapped_record
    _timed_ticks(model, budget_s / 2, 10, 200)
    res["stages_ms"] = {k.lstrip("_"): 1e3 * _median(v) for k, v in acc.items()}
    for k in stages:
        delattr(model, k)
    model.recorder.record = rec

    # the floor kernel's two contractions alone (its memory-bandwidth part)
    inp = floor.floor_inputs(model)
    v, y = inp["weight"], inp["spend"]
    res["passes_ms"] = 1e3 * _time_call(lambda: floor.two_passes(inp["F"], inp["G"], v, y), budget_s / 2, 20, 1000)[0]
    res["factor_mb"] = (model.factors.F.nbytes + (0 if model.factors.G is None else model.factors.G.nbytes)) / 1e6

    if mesa and n <= MESA_MAX_N:
        pre = mesa_reference.prepare(model)
        snapshot = model.state.copy()
        ref_model = mesa_reference.MesaTradeReference(model)
        t = time.perf_counter()
        ref = ref_model.trade(pre)
        res["mesa_ms"] = 1e3 * (time.perf_counter() - t)
        got = mesa_reference.model_trade(model)
        res["mesa_max_rel_diff"] = max(mesa_reference.max_relative_difference(ref, got).values())

        def trade_again():
            model.state = snapshot.copy()
            model._trade()

        copy_ms = 1e3 * _time_call(lambda: snapshot.copy(), budget_s / 4, 20, 1000)[0]
        res["trade_ms"] = 1e3 * _time_call(trade_again, budget_s / 2, 20, 1000)[0] - copy_ms
        res["ratio_mesa_trade"] = res["mesa_ms"] / res["trade_ms"]
        res["ratio_mesa_step"] = res["mesa_ms"] / res["step_ms"]
    return res


def worker_memory(n: int, s: int, ticks: int) -> dict:
    """Peak memory of building a model, running ``ticks`` ticks and building the tables."""
    import resource
    import tracemalloc

    import sim
    from sim.scenario import synthetic

    scn = synthetic(n, s, seed=0, ticks=ticks)
    tracemalloc.start()
    model = sim.TradeModel(scn, datacollector=False)
    model.run()
    model.recorder.tables(model)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    return {"n": n, "s": s, "ticks": ticks, "peak_mb": peak / 1e6, "rss_mb": rss}


def worker_simulate(which: str) -> dict:
    """Where a whole run's time goes, in process: importing tradesim, building the model (with
    its balanced start), the ticks, the tables, writing the files and drawing the figure."""
    t = time.perf_counter()
    import sim
    from sim.overview import overview_figure
    from sim.runner import write_tables
    from sim.scenario import synthetic

    out = {"import_s": time.perf_counter() - t}
    scn = ROOT / "scenarios" / "baseline.toml" if which == "baseline" else synthetic(200, 10, seed=0, ticks=1000)
    t = time.perf_counter()
    res = sim.simulate(scn)
    out["simulate_s"] = time.perf_counter() - t
    timings = res.manifest["timings_seconds"]
    out["setup_s"], out["ticks_s"] = timings["setup"], timings["run"]
    out["tables_s"] = out["simulate_s"] - out["setup_s"] - out["ticks_s"]
    out["ticks"] = int(res.timeseries.tick.max()) + 1
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        write_tables(res, Path(tmp))
        out["write_s"] = time.perf_counter() - t
        out["files_mb"] = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        t = time.perf_counter()
        overview_figure(res, Path(tmp) / "overview.png")
        out["figure_s"] = time.perf_counter() - t
    return out


# --------------------------------------------------------------------------- driver


def _spawn(args: list[str], env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True, env=env, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"benchmark worker {args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _cli_run(cmd: list[str], env: dict) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        out = subprocess.run([*cmd, "--out", tmp], capture_output=True, text=True, env=env, cwd=ROOT, check=False)
        wall = time.perf_counter() - t
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr[-2000:]}")
    return wall


def machine() -> dict:
    """The machine the benchmark ran on: CPU, cores, memory, Python, NumPy and its BLAS."""
    import numpy as np

    info = {"python": platform.python_version(), "numpy": np.__version__, "platform": platform.platform()}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        fields = dict(line.split(":", 1) for line in lscpu.splitlines() if ":" in line)
        info["cpu"] = fields.get("Model name", "").strip()
        info["cpus"] = fields.get("CPU(s)", "").strip()
        info["l3_cache"] = fields.get("L3 cache", "").strip()
    except OSError:
        info["cpu"] = platform.processor()
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["memory_gb"] = round(int(mem) / 1024**2, 1)
    except (OSError, IndexError, ValueError):
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["blas"] = f"{blas.get('name', '')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - only informative
        info["blas"] = "unknown"
    return info


def fit_exponent(ns: list[float], values: list[float]) -> float | None:
    """Least-squares slope of log(value) on log(N) (None with fewer than two sizes)."""
    import numpy as np

    if len(ns) < 2:
        return None
    return float(np.polyfit(np.log(ns), np.log(values), 1)[0])


def _fmt(x, spec=".3g"):
    return "-" if x is None else format(x, spec)


def table(results: dict) -> str:
    """The printed table (plain text)."""
    rows = [
        (
            "N",
            "S",
            "step ms",
            "(min)",
            "floor ms",
            "step/floor",
            "(min)",
            "2 passes ms",
            "trade ms",
            "Mesa ms",
            "Mesa/trade",
            "Mesa/step",
            "max rel diff",
            "peak MB",
            "set-up s",
        )
    ]
    mem = {(m["n"], m["s"]): m for m in results["memory"]}
    for r in results["sizes"]:
        m = mem.get((r["n"], r["s"]), {})
        rows.append(
            (
                str(r["n"]),
                str(r["s"]),
                _fmt(r["step_ms"]),
                _fmt(r.get("step_ms_min")),
                _fmt(r["floor_ms"]),
                _fmt(r["ratio_floor"], ".2f"),
                _fmt(r.get("ratio_floor_min"), ".2f"),
                _fmt(r["passes_ms"]),
                _fmt(r.get("trade_ms")),
                _fmt(r.get("mesa_ms"), ".4g"),
                _fmt(r.get("ratio_mesa_trade"), ".0f"),
                _fmt(r.get("ratio_mesa_step"), ".0f"),
                _fmt(r.get("mesa_max_rel_diff"), ".1e"),
                _fmt(m.get("peak_mb"), ".4g"),
                _fmt(r["setup_s"], ".2f"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    for s, e in sorted(results["exponents"].items(), key=lambda kv: int(kv[0])):
        lines.append(
            f"growth in N at S={s}: time ~ N^{_fmt(e.get('time'), '.2f')}, memory ~ N^{_fmt(e.get('memory'), '.2f')}"
            f" (N^{_fmt(e.get('memory_largest'), '.2f')} between the two largest N)"
        )
    for k, v in results["runs"].items():
        lines.append(
            f"{k}: tradesim run {v['cli_s']:.2f} s wall (subprocess); in process: import {v['import_s']:.2f} s, "
            f"set-up {v['setup_s']:.2f} s, {v['ticks']} ticks {v['ticks_s']:.2f} s, tables {v['tables_s']:.2f} s, "
            f"files {v['write_s']:.2f} s ({v['files_mb']:.0f} MB), figure {v['figure_s']:.2f} s"
        )
    if results.get("targets"):
        lines.append("")
        lines.append("targets (issue 7):")
        for t in results["targets"]:
            mark = "met" if t["met"] else ("NOT MET" if t["met"] is False else "not measured")
            lines.append(f"  {mark:12s} {t['target']}: {t['value']}")
    return "\n".join(lines)


def _size(results: dict, n: int, s: int) -> dict | None:
    return next((r for r in results["sizes"] if r["n"] == n and r["s"] == s), None)


def targets(results: dict) -> list[dict]:
    """The issue's targets, each with the measured value and whether it is met (None: not measured)."""
    out = []

    def add(target, value, met):
        out.append({"target": target, "value": value, "met": met})

    for n, s, limit in ((1000, 20, 2.0), (200, 10, 3.0)):
        r = _size(results, n, s)
        if r is None:
            add(f"full step within {limit:g}x of the floor kernel at N={n}, S={s}", "-", None)
        else:
            add(
                f"full step within {limit:g}x of the floor kernel at N={n}, S={s}",
                f"{r['ratio_floor']:.2f}x (medians; {r['ratio_floor_min']:.2f}x on the fastest tick and call)",
                bool(r["ratio_floor"] <= limit),
            )
    r = _size(results, 200, 10)
    if r is None or "ratio_mesa_trade" not in r:
        add("at least 300x faster than the Mesa-style reference at N=200, S=10", "-", None)
    else:
        add(
            "at least 300x faster than the Mesa-style reference at N=200, S=10",
            f"{r['ratio_mesa_trade']:.0f}x (trade step vs the same step as a per-agent loop; "
            f"{r['ratio_mesa_step']:.0f}x vs the whole model tick)",
            bool(r["ratio_mesa_trade"] >= 300),
        )
    runs = results["runs"]
    for key, limit, what in (
        ("synthetic_200x10x1000", 10.0, "a 200 x 10 x 1,000-tick run under 10 s wall"),
        ("baseline", 1.0, "the 5-country baseline, 200 ticks, under 1 s"),
    ):
        v = runs.get(key)
        if v is None:
            add(what, "-", None)
        else:
            inproc = v["setup_s"] + v["ticks_s"] + v["tables_s"] + v["write_s"] + v["figure_s"]
            add(
                what,
                f"{v['cli_s']:.2f} s for `tradesim run` (a new Python process: {v['import_s']:.2f} s of it importing); "
                f"{inproc:.2f} s in process with files and figure, {v['simulate_s']:.2f} s simulating",
                bool(v["cli_s"] < limit),
            )
    ex = [(s, e["memory"], e["memory_largest"]) for s, e in results["exponents"].items() if e.get("memory") is not None]
    add(
        "memory grows no faster than N^2 S",
        "; ".join(f"S={s}: N^{a:.2f} over all N, N^{b:.2f} between the two largest" for s, a, b in ex) or "-",
        None if not ex else bool(max(max(a, b) for _, a, b in ex) <= 2.1),
    )
    m = next((m for m in results["memory"] if m["n"] == 1000 and m["s"] == 20), None)
    add(
        "a 1000 x 20 run fits in 4 GB",
        "-" if m is None else f"peak traced {m['peak_mb']:.0f} MB, peak RSS {m['rss_mb']:.0f} MB ({m['ticks']} ticks)",
        None if m is None else bool(max(m["peak_mb"], m["rss_mb"]) < 4000),
    )
    return out


def _load(results: dict) -> str:
    load = results.get("load_average") or []
    return " to ".join(f"{x:.1f}" for x in load) or "unknown"


def readme_table(results: dict) -> str:
    """The README's performance table (Markdown) from results.json."""
    mach = results["machine"]
    mem = {(m["n"], m["s"]): m for m in results["memory"]}
    lines = [
        "| N × S | ms / tick | floor kernel ms | tick / floor | Mesa-style trade step | peak memory |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results["sizes"]:
        mesa = f"{r['ratio_mesa_trade']:.0f}× slower" if r.get("ratio_mesa_trade") else "–"
        m = mem.get((r["n"], r["s"]), {})
        peak = f"{m['peak_mb']:.0f} MB" if m else "–"
        lines.append(
            f"| {r['n']} × {r['s']} | {r['step_ms']:.3g} | {r['floor_ms']:.3g} | {r['ratio_floor']:.1f} | {mesa} | {peak} |"
        )
    runs = results["runs"]
    lines.append("")
    notes = []
    if "baseline" in runs:
        b = runs["baseline"]
        notes.append(
            f"the 5-country baseline (200 ticks) simulates in {b['simulate_s']:.2f} s "
            f"({b['cli_s']:.1f} s for `tradesim run`, of which {b['import_s']:.1f} s importing)"
        )
    if "synthetic_200x10x1000" in runs:
        b = runs["synthetic_200x10x1000"]
        notes.append(
            f"a 200 × 10 world for 1,000 ticks in {b['simulate_s']:.1f} s ({b['cli_s']:.1f} s for `tradesim run`, "
            f"{b['write_s']:.1f} s of it writing {b['files_mb']:.0f} MB of tables)"
        )
    if notes:
        lines.append("Whole runs: " + "; ".join(notes) + ".")
    lines.append("")
    lines.append(
        f"Measured {results['date']} on {mach.get('cpu', '?')} ({mach.get('cpus', '?')} CPUs, "
        f"{mach.get('memory_gb', '?')} GB), Python {mach['python']}, NumPy {mach['numpy']} ({mach.get('blas', '')}, "
        f"{results['blas_threads']} BLAS thread; load average {_load(results)} from other work), with "
        "`python benchmarks/run.py`: medians over ticks and "
        f"{results['repeats']} synthetic worlds per size, memory for {results['memory'][0]['ticks'] if results['memory'] else '?'} "
        "ticks (tracemalloc peak). The floor kernel is the least NumPy work that computes a tick's CES trade "
        "aggregates; the Mesa-style column compares the same trade step written as agents looping over partners "
        "and sectors (results equal to 1e-9)."
    )
    return "\n".join(lines)


def update_readme(results: dict, readme: Path = ROOT / "README.md") -> bool:
    """Replace the text between the README's performance-table markers. Returns whether it did."""
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        return False
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    readme.write_text(f"{head}{README_START}\n{readme_table(results)}\n{README_END}{tail}", encoding="utf-8")
    return True


def parse_sizes(text: str) -> list[tuple[int, int]]:
    """``"10x3,200x10"`` -> [(10, 3), (200, 10)]."""
    out = []
    for part in text.split(","):
        try:
            n, s = (int(x) for x in part.lower().split("x"))
        except ValueError:
            raise argparse.ArgumentTypeError(f"sizes are NxS separated by commas (10x3,200x10), not '{part}'") from None
        if n < 1 or s < 1:
            raise argparse.ArgumentTypeError(f"a size needs N >= 1 and S >= 1, not '{part}'")
        out.append((n, s))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="sizes 10x3, 50x10, 200x10; one repeat; shorter timings")
    p.add_argument(
        "--sizes", type=parse_sizes, help="comma-separated NxS sizes (default: N in 10,50,200,1000 x S in 3,10,20)"
    )
    p.add_argument("--repeats", type=int, help="independent runs per size (default 3, --quick 1)")
    p.add_argument("--seconds", type=float, help="timing budget per measurement, seconds (default 2, --quick 0.5)")
    p.add_argument("--no-mesa", action="store_true", help="skip the Mesa-style reference")
    p.add_argument("--no-runs", action="store_true", help="skip the whole-run timings of tradesim run")
    p.add_argument("--memory-ticks", type=int, default=50, help="ticks of the memory runs (default 50)")
    p.add_argument("--blas-threads", type=int, default=1, help="BLAS threads in the workers (default 1)")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"), help="where to write the results")
    p.add_argument("--update-readme", action="store_true", help="rewrite the README's performance table")
    p.add_argument(
        "--readme-only", action="store_true", help="only rewrite the README's table from the existing --out file"
    )
    p.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.worker:
        kind, *rest = args.worker
        if kind == "time":
            n, s, reps, budget, mesa = int(rest[0]), int(rest[1]), int(rest[2]), float(rest[3]), rest[4] == "1"
            out = worker_time(n, s, reps, budget, mesa)
        elif kind == "memory":
            out = worker_memory(int(rest[0]), int(rest[1]), int(rest[2]))
        else:
            out = worker_simulate(rest[0])
        print(json.dumps(out))
        return 0

    if args.readme_only:
        results = json.loads(Path(args.out).read_text(encoding="utf-8"))
        print(table(results))
        print("README updated" if update_readme(results) else "README has no performance-table markers; not updated")
        return 0

    sizes = args.sizes or (list(QUICK) if args.quick else [(n, s) for n in FULL_N for s in FULL_S])
    repeats = args.repeats or (1 if args.quick else 3)
    budget = args.seconds or (0.5 if args.quick else 2.0)
    env = dict(os.environ)
    threads = str(args.blas_threads)
    env.update(OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)

    results: dict = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        # other work on the machine slows the timings: the 1-minute load average before and after
        "load_average": [round(os.getloadavg()[0], 2)],
        "blas_threads": args.blas_threads,
        "repeats": repeats,
        "sizes": [],
        "memory": [],
        "runs": {},
    }
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover
        tqdm = None
    jobs = [("time", n, s) for n, s in sizes] + [("memory", n, s) for n, s in sizes]
    bar = tqdm(jobs, desc="benchmarks", unit="job") if tqdm and sys.stderr.isatty() else jobs
    for kind, n, s in bar:
        if kind == "time":
            r = _spawn(
                ["--worker", "time", str(n), str(s), str(repeats), str(budget), "0" if args.no_mesa else "1"], env
            )
            results["sizes"].append(r)
        else:
            results["memory"].append(_spawn(["--worker", "memory", str(n), str(s), str(args.memory_ticks)], env))
    exps: dict = {}
    for s in sorted({s for _, s in sizes}):
        rs = [r for r in results["sizes"] if r["s"] == s]
        ms = [m for m in results["memory"] if m["s"] == s]
        top = sorted(ms, key=lambda m: m["n"])[-2:]
        exps[str(s)] = {
            "time": fit_exponent([r["n"] for r in rs], [r["step_ms"] for r in rs]),
            "memory": fit_exponent([m["n"] for m in ms], [m["peak_mb"] for m in ms]),
            # between the two largest worlds, where the (S, N, N) factors dominate
            "memory_largest": fit_exponent([m["n"] for m in top], [m["peak_mb"] for m in top]),
        }
    results["exponents"] = exps
    if not args.no_runs:
        py = [sys.executable, "-m", "sim", "run"]
        results["runs"]["baseline"] = {
            "cli_s": _cli_run([*py, "scenarios/baseline.toml"], env),
            **_spawn(["--worker", "simulate", "baseline"], env),
        }
        results["runs"]["synthetic_200x10x1000"] = {
            "cli_s": _cli_run([*py, "--synthetic", "200,10", "--ticks", "1000"], env),
            **_spawn(["--worker", "simulate", "synthetic"], env),
        }
    results["load_average"].append(round(os.getloadavg()[0], 2))
    results["targets"] = targets(results)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2), encoding="utf-8")
    os.replace(tmp, out)
    print(table(results))
    print(f"\nwrote {out}")
    if args.update_readme:
        print("README updated" if update_readme(results) else "README has no performance-table markers; not updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
