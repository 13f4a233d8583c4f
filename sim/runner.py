"""Running a scenario and writing its results folder.

``run(scenario)`` simulates and, unless ``out=None``, writes
``<out>/<scenario name>/<run id>/`` with ``timeseries.parquet``, ``timeseries.csv``,
``bilateral.parquet``, the resolved ``scenario.toml``, ``manifest.json`` and ``overview.png``.

The run id is a hash of the resolved scenario (seed and length included), the package version
and the code fingerprint (:mod:`sim.fingerprint`, the one batches use), so the same inputs and
code find the finished run while an edited file or an edited model never reuses a stale one. A
reused run still gets the files this call asks for that it lacks (``timeseries.csv``,
``overview.png``). Files are written into a hidden temporary folder that is renamed into place only when
complete: an interrupted run leaves no half-written run folder, and nothing is overwritten.

A run that fails mid-way (a :class:`sim.errors.SimulationError`) keeps what it computed: its
folder is written with the ticks logged before the failure and a manifest whose ``status`` is
``"failed"`` and whose ``error`` names the tick, country, quantity and reason. A rerun never
reuses a failed folder: it runs again and replaces it. A finished run's status is ``"finished"``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import NotWrittenError, SimulationError, TradesimError, os_reason
from sim.fingerprint import code_fingerprint, package_version
from sim.model import MAX_RATE_NOTES, TradeModel
from sim.paths import check_folder, folder_in
from sim.process import pid_alive
from sim.results import Results
from sim.scenario import load_scenario, scenario_hash, scenario_to_toml
from sim.schema import Scenario

TABLES = ("timeseries", "bilateral")


def run_id(scn: Scenario) -> str:
    """Run identifier: 12 hex digits of the resolved scenario, package version and code fingerprint."""
    return scenario_hash(scn, package_version(), code_fingerprint())[:12]


def table_hash(df: pd.DataFrame) -> str:
    """A content hash of a table (values, column names and order), stable across file formats."""
    h = pd.util.hash_pandas_object(df, index=False).to_numpy()
    import hashlib

    d = hashlib.sha256(h.tobytes())
    d.update(json.dumps(list(map(str, df.columns))).encode())
    return d.hexdigest()


def simulate(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    seed: int | None = None,
    ticks: int | None = None,
    progress: bool = False,
) -> Results:
    """Run a scenario in memory (nothing written) and return its tables.

    Raises:
        SimulationError: if the run fails mid-way; its ``results`` attribute holds the tables
            of the ticks logged before the failure, with ``manifest["status"] == "failed"``.
    """
    t0 = time.perf_counter()
    given = {"seed": seed} if seed is not None else {}  # None: the scenario's seed
    model = TradeModel(
        scenario if not isinstance(scenario, Path) else str(scenario), ticks=ticks, datacollector=False, **given
    )
    t_setup = time.perf_counter() - t0
    failure = None
    try:
        model.run(progress=progress)
    except SimulationError as exc:
        failure = exc
    t_run = time.perf_counter() - t0 - t_setup
    ts, bil = model.recorder.tables(model)
    spec = model.initial_spec
    manifest = {
        "status": "finished" if failure is None else "failed",
        "package": "tradesim",
        "version": package_version(),
        "code": code_fingerprint(),
        "scenario": spec.simulation.name,
        "seed": spec.simulation.seed,
        "ticks": spec.simulation.ticks,
        "tick_length": spec.simulation.tick_length,
        "run_id": run_id(spec),
        "scenario_sha256": scenario_hash(spec),
        "command": " ".join(sys.argv) if sys.argv and sys.argv[0] else "",
        "python": platform.python_version(),
        "platform": platform.platform(),
        "dependencies": {p: _version(p) for p in ("mesa", "numpy", "pandas", "pyarrow", "pydantic")},
        "timings_seconds": {"setup": round(t_setup, 4), "run": round(t_run, 4)},
        "balanced_start_iterations": model.start_iterations,
        "notes": list(model.notes) + _fallback_note(model),
        "rate_fallbacks": model.rate_fallbacks,
        "tables": {"timeseries": table_hash(ts), "bilateral": table_hash(bil)},
    }
    res = Results(timeseries=ts, bilateral=bil, scenario=spec, manifest=manifest)
    if failure is not None:
        manifest["error"] = {
            "message": str(failure),
            "tick": failure.tick,
            "country": failure.country,
            "quantity": failure.quantity,
            "reason": failure.reason,
        }
        manifest["ticks_completed"] = model.tick
        failure.results = res
        raise failure
    return res


def _fallback_note(model: TradeModel) -> list[str]:
    """One note counting the ticks without a clearing world rate beyond those noted singly."""
    if model.rate_fallbacks <= MAX_RATE_NOTES:
        return []
    return [
        f"{model.rate_fallbacks} ticks in all had no world rate clearing lending "
        f"(the first {MAX_RATE_NOTES} are noted above; manifest: rate_fallbacks)"
    ]


def _version(pkg: str) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "unknown"


def run(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    seed: int | None = None,
    ticks: int | None = None,
    settings: Mapping[str, Any] | None = None,
    out: str | Path | None = "results",
    progress: bool = False,
    figure: bool = True,
    csv: str = "auto",
) -> Results:
    """Run a scenario and write its results folder (``out=None``: in memory only).

    If the run finishes but its folder cannot be written (a read-only or full disk), a
    :class:`sim.errors.NotWrittenError` is raised with the computed results attached
    (``exc.results``); a results root that is not a folder is refused before the run.

    Args:
        scenario: a path, a mapping or a Scenario.
        seed: overrides ``simulation.seed``.
        ticks: overrides ``simulation.ticks``.
        settings: key path -> value, set on the scenario before it is checked (``tradesim run
            --set``; ``seed`` and ``ticks`` win over the same keys here). A bad path or value
            raises ScenarioError naming the key path.
        out: the results root; the run goes to ``<out>/<scenario name>/<run id>/``.
        progress: show a tqdm bar.
        figure: write ``overview.png``.
        csv: ``timeseries.csv`` beside the Parquet table: ``always``, ``never``, or ``auto``
            (when the table has at most :data:`CSV_AUTO_CELLS` cells; a larger CSV takes most of
            a big run's writing time and holds nothing the Parquet file does not).

    Returns:
        The results; ``results.manifest["reused"]`` is True when an identical finished run
        was found and loaded instead of run again.

    Raises:
        SimulationError: if the run fails mid-way, after writing its folder with the ticks
            before the failure and ``status = "failed"`` in the manifest (the error's
            ``results`` holds them; a rerun runs again instead of reusing the folder).
    """
    if csv not in ("auto", "always", "never"):
        raise TradesimError(f"csv must be 'auto', 'always' or 'never', not {csv!r}")
    overrides = dict(settings or {})
    if seed is not None:
        overrides["simulation.seed"] = int(seed)
    if ticks is not None:
        overrides["simulation.ticks"] = int(ticks)
    scn = load_scenario(scenario if not isinstance(scenario, Path) else str(scenario), overrides or None)
    if out is None:
        return simulate(scn, progress=progress)
    root = folder_in(out, scn.simulation.name)
    check_folder(out)
    final = root / run_id(scn)
    if (final / "manifest.json").exists():
        res = load_run(final)
        if res.manifest.get("status", "finished") == "finished":
            res.manifest["reused"] = True
            res.manifest["written_on_reuse"] = _complete_reused(res, csv=csv, figure=figure)
            return res
    elif final.exists():
        raise TradesimError(f"{final} exists but holds no manifest.json; move it away and run again")
    failure = None
    try:
        res = simulate(scn, progress=progress)
    except SimulationError as exc:
        failure, res = exc, exc.results
    try:
        _write_run(res, root, final, figure=figure, csv=csv)
    except OSError as exc:
        what = f"the run of {scn.simulation.name} " + ("finished" if failure is None else f"stopped ({failure})")
        raise NotWrittenError(what, str(final), os_reason(exc), results=res) from None
    if failure is not None:
        failure.args = (f"{failure}; the ticks before it are kept in {final} (manifest status 'failed')",)
        raise failure
    return res


def _write_run(res: Results, root: Path, final: Path, *, figure: bool, csv: str) -> None:
    """Write a run's folder: files in a temporary folder renamed into place."""
    root.mkdir(parents=True, exist_ok=True)
    _clean_stale(root)
    tmp = root / f".tmp-{final.name}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        with_csv = _want_csv(res, csv)
        write_tables(res, tmp, csv=with_csv)
        (tmp / "scenario.toml").write_text(scenario_to_toml(res.scenario), encoding="utf-8")
        if figure and len(res.timeseries):
            from sim.overview import overview_figure

            overview_figure(res, tmp / "overview.png")
        res.manifest["files"] = sorted(p.name for p in tmp.iterdir())
        res.manifest["reused"] = False
        if not with_csv:
            res.manifest.setdefault("notes", []).append(_csv_note(res, csv))
        (tmp / "manifest.json").write_text(json.dumps(res.manifest, indent=2), encoding="utf-8")
        _drop_failed(final)
        try:
            os.rename(tmp, final)
        except OSError:
            if (final / "manifest.json").exists():  # another process finished the same run
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    res.path = final


def _drop_failed(folder: Path) -> None:
    """Remove an earlier failed run's folder, which a rerun replaces (never a finished one)."""
    manifest = folder / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text(encoding="utf-8")).get("status") == "failed":
        shutil.rmtree(folder)


_CSV_NOTE = "timeseries.csv not written"


def _csv_note(res: Results, csv: str) -> str:
    """The manifest note saying why a run folder has no timeseries.csv."""
    if csv == "never":
        why = "csv='never' was given"
    else:
        cells = res.timeseries.shape[0] * res.timeseries.shape[1]
        why = f"the table has {cells:,} cells, more than the {CSV_AUTO_CELLS:,} csv='auto' writes"
    return (
        f"{_CSV_NOTE} ({why}); timeseries.parquet holds the same numbers, "
        "and tradesim run --csv always (run(..., csv='always')) writes it"
    )


def _complete_reused(res: Results, *, csv: str, figure: bool) -> list[str]:
    """Write into a reused run folder the files this call asks for that it lacks.

    Each file is written beside its place and renamed into it, and manifest.json is rewritten
    the same way with the folder's files and a csv note that says why the CSV is missing now.
    A file that cannot be written is named in the returned manifest's notes (the tables are
    loaded either way).

    Returns:
        The names of the files written.
    """
    folder = res.path
    assert folder is not None
    tag = f".{os.getpid()}.tmp"
    jobs = []
    if _want_csv(res, csv) and not (folder / "timeseries.csv").exists():
        jobs.append(("timeseries.csv", lambda p: _write_csv(res.timeseries, p)))
    if figure and not (folder / "overview.png").exists():
        from sim.overview import overview_figure

        jobs.append(("overview.png", lambda p: overview_figure(res, p)))
    written, failed = [], []
    for name, write in jobs:
        # the temporary name keeps the suffix: the figure's format is read from it
        tmp = folder / f".{name}{tag}{Path(name).suffix}"
        try:
            write(tmp)
            os.replace(tmp, folder / name)
            written.append(name)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            failed.append(f"{name} could not be written into the finished run {folder}: {exc}")
    notes = [n for n in res.manifest.get("notes", []) if not n.startswith(_CSV_NOTE)]
    if not (folder / "timeseries.csv").exists():
        notes.append(_csv_note(res, csv))
    if written:
        on_disk = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        on_disk["files"] = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        on_disk["notes"] = notes
        tmp = folder / f".manifest.json{tag}"
        try:
            tmp.write_text(json.dumps(on_disk, indent=2), encoding="utf-8")
            os.replace(tmp, folder / "manifest.json")
            res.manifest["files"] = on_disk["files"]
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            failed.append(f"manifest.json of {folder} could not be updated: {exc}")
    res.manifest["notes"] = notes + failed
    return written


def _clean_stale(root: Path) -> None:
    """Remove temporary folders left by runs whose process no longer exists."""
    for p in root.glob(".tmp-*"):
        pid = p.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


CSV_AUTO_CELLS = 2_000_000
"""``csv="auto"`` writes timeseries.csv up to this many cells (rows x columns), about 40 MB."""


def _want_csv(res: Results, csv: str) -> bool:
    if csv != "auto":
        return csv == "always"
    ts = res.timeseries
    return ts.shape[0] * ts.shape[1] <= CSV_AUTO_CELLS


def write_tables(res: Results, folder: Path, *, csv: bool = True) -> None:
    """Write timeseries (Parquet, and CSV if ``csv``) and bilateral (Parquet) into a folder.

    The three files are written at the same time from threads (Arrow's writers release the
    GIL). The CSV is written by Arrow, numbers at full precision (they read back bit-identical);
    at 200 countries x 1,000 ticks it is about 0.5 GB, and pandas' writer took over a minute.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        jobs = [
            pool.submit(_write_parquet, res.timeseries, folder / "timeseries.parquet"),
            pool.submit(_write_parquet, res.bilateral, folder / "bilateral.parquet"),
        ]
        if csv:
            jobs.append(pool.submit(_write_csv, res.timeseries, folder / "timeseries.csv"))
        for job in jobs:
            job.result()


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    # dictionary encoding only for the label columns: tried on every float column it costs
    # three quarters of the writing time and makes the file larger
    labels = [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)]
    df.to_parquet(path, index=False, use_dictionary=labels)


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = pa.Table.from_pandas(df, preserve_index=False)
    for i, f in enumerate(table.schema):
        if pa.types.is_dictionary(f.type):  # categorical columns as their labels
            table = table.set_column(i, f.name, table.column(i).cast(f.type.value_type))
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def load_run(folder: str | Path) -> Results:
    """Load a run folder (a finished run, or a failed one: ``manifest["status"]`` says which)."""
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise TradesimError(f"{folder} is not a finished run (no manifest.json)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    scn = load_scenario(folder / "scenario.toml")
    ts = pd.read_parquet(folder / "timeseries.parquet")
    bil = pd.read_parquet(folder / "bilateral.parquet")
    return Results(timeseries=ts, bilateral=bil, scenario=scn, manifest=manifest, path=folder)


def results_equal(a: Results, b: Results) -> bool:
    """Whether two runs produced bit-identical tables."""
    return (
        a.timeseries.equals(b.timeseries)
        and a.bilateral.equals(b.bilateral)
        and bool(np.array_equal(a.timeseries.columns, b.timeseries.columns))
    )
