"""Stores of finished tasks: in memory, or Parquet part-files on disk that survive a kill.

:class:`ParquetStore` keeps, under its folder::

    runs/part-<time>-<pid>-<n>.parquet     one row per finished task (task_id, status, error,
                                            seconds, one column per metric)
    series/part-<time>-<pid>-<n>.parquet   long rows (task_id, series, tick, value), if asked
    runs.parquet, series.parquet           the parts compacted into one file each

Rows are buffered and written every ``flush_every`` results or ``flush_seconds`` seconds,
each part under a temporary name renamed into place, so a killed process loses at most its
unwritten buffer and never leaves a half-written file. A task found twice (a retried failure,
or two processes racing) counts once: the last written row wins.

Every file has the same pinned schema (:data:`RUNS_SCHEMA` plus a float64 column per metric,
:data:`SERIES_SCHEMA`), whoever wrote it: pandas 3 writes text as ``large_string`` and Arrow
builds ``string``, and a store holding both could not be read back (every later run of the same
sweep or experiment failed). Files are read cast to it, so stores written before are read too.
Compacting and reading take a lock file (``.lock``), so two processes writing into one store
at once never read a part the other has just merged and removed.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock

from sim.errors import NotWrittenError, os_reason
from sim.process import pid_alive

RUNS_SCHEMA = pa.schema(
    [("task_id", pa.string()), ("status", pa.string()), ("error", pa.string()), ("seconds", pa.float64())]
)
"""The first columns of every runs file; each metric follows as a float64 column."""
SERIES_SCHEMA = pa.schema(
    [("task_id", pa.string()), ("series", pa.string()), ("tick", pa.int64()), ("value", pa.float64())]
)
"""The columns of every series file."""
BASE_COLUMNS = tuple(RUNS_SCHEMA.names)
_counter = itertools.count()


def pinned(table: pa.Table, kind: str) -> pa.Table:
    """``table`` cast to the store's schema for ``kind`` (``runs`` or ``series``); a table read
    with some columns only keeps those.
    """
    base = SERIES_SCHEMA if kind == "series" else RUNS_SCHEMA
    fields = [f for f in base if f.name in table.column_names]
    if kind == "runs":
        fields += [pa.field(n, pa.float64()) for n in table.column_names if n not in BASE_COLUMNS]
    schema = pa.schema(fields)
    return table.select(schema.names).cast(schema)


def _rows_table(rows: list[dict[str, Any]]) -> pa.Table:
    names: list[str] = []
    for r in rows:
        for k in r["metrics"]:
            if k not in names:
                names.append(k)
    cols: dict[str, pa.Array] = {
        "task_id": pa.array([r["task_id"] for r in rows], pa.string()),
        "status": pa.array([r["status"] for r in rows], pa.string()),
        "error": pa.array([r["error"] for r in rows], pa.string()),
        "seconds": pa.array([float(r["seconds"]) for r in rows], pa.float64()),
    }
    for k in names:
        cols[k] = pa.array([float(r["metrics"].get(k, np.nan)) for r in rows], pa.float64())
    return pinned(pa.table(cols), "runs")


def _series_table(rows: list[dict[str, Any]]) -> pa.Table | None:
    parts = []
    for r in rows:
        for key, (ticks, values) in r.get("series", {}).items():
            n = len(values)
            parts.append((r["task_id"], key, np.asarray(ticks, dtype=np.int64), np.asarray(values, dtype=float), n))
    if not parts:
        return None
    return pa.table(
        {
            "task_id": pa.array(np.concatenate([np.repeat(p[0], p[4]) for p in parts]).astype(object), pa.string()),
            "series": pa.array(np.concatenate([np.repeat(p[1], p[4]) for p in parts]).astype(object), pa.string()),
            "tick": pa.array(np.concatenate([p[2] for p in parts]), pa.int64()),
            "value": pa.array(np.concatenate([p[3] for p in parts]), pa.float64()),
        },
        schema=SERIES_SCHEMA,
    )


def _dedupe_last(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop_duplicates("task_id", keep="last").reset_index(drop=True)


class MemoryStore:
    """Keeps results in memory (nothing written): for in-memory experiments and tests."""

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []

    def done_ids(self, *, retry_failed: bool = False) -> set[str]:
        """Ids of finished tasks (failed ones excluded if ``retry_failed``)."""
        return {r["task_id"] for r in self._rows if not (retry_failed and r["status"] != "ok")}

    def add(self, result: dict[str, Any]) -> None:
        """Record one result of :func:`sim.batch.worker.run_task`."""
        self._rows.append(result)

    def flush(self) -> None:
        """Nothing to write."""

    def compact(self, kinds: tuple[str, ...] = ("runs", "series")) -> None:
        """Nothing to compact."""

    def runs(self) -> pd.DataFrame:
        """One row per task: task_id, status, error, seconds and one column per metric."""
        if not self._rows:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in BASE_COLUMNS})
        return _dedupe_last(_rows_table(self._rows).to_pandas())

    def series(self) -> pd.DataFrame:
        """Long table: task_id, series, tick, value."""
        rows = {r["task_id"]: r for r in self._rows}
        table = _series_table(list(rows.values()))
        if table is None:
            return pd.DataFrame({"task_id": [], "series": [], "tick": [], "value": []})
        return table.to_pandas()


class ParquetStore:
    """Results as Parquet part-files under ``folder`` (see the module docstring).

    Args:
        folder: the store's folder (created when first written).
        flush_every: write a part after this many results.
        flush_seconds: or when this many seconds have passed since the last write.
    """

    def __init__(self, folder: str | Path, *, flush_every: int = 64, flush_seconds: float = 10.0):
        self.folder = Path(folder)
        self.flush_every = max(1, int(flush_every))
        self.flush_seconds = float(flush_seconds)
        self._buffer: list[dict[str, Any]] = []
        self._last_flush = time.monotonic()
        self._lock = FileLock(self.folder / ".lock")
        self._clean_temporary()

    # --------------------------------------------------------------- files

    def _files(self, kind: str) -> list[Path]:
        """The compacted file first, then parts in the order they were written."""
        out = []
        whole = self.folder / f"{kind}.parquet"
        if whole.exists():
            out.append(whole)
        out += sorted((self.folder / kind).glob("part-*.parquet"))
        return out

    def _clean_temporary(self) -> None:
        """Remove temporary files left by processes that no longer exist."""
        for folder in (self.folder, self.folder / "runs", self.folder / "series"):
            for p in folder.glob(".*.tmp"):
                pid = p.name[1:].split("-")[0]
                if not (pid.isdigit() and int(pid) != os.getpid() and pid_alive(int(pid))):
                    p.unlink(missing_ok=True)

    def _write(self, kind: str, table: pa.Table) -> None:
        folder = self.folder / kind
        folder.mkdir(parents=True, exist_ok=True)
        name = f"part-{time.time_ns():020d}-{os.getpid()}-{next(_counter):06d}.parquet"
        tmp = folder / f".{os.getpid()}-{name}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, folder / name)

    # --------------------------------------------------------------- API

    def _locked(self) -> Any:
        """The store's lock (created with the folder), held while files are read or merged."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self._lock

    def done_ids(self, *, retry_failed: bool = False) -> set[str]:
        """Ids of finished tasks (failed ones excluded if ``retry_failed``)."""
        frames = [pd.DataFrame({"task_id": [], "status": []})]
        if self.folder.exists():
            with self._locked():
                frames += [
                    pinned(pq.read_table(p, columns=["task_id", "status"]), "runs").to_pandas()
                    for p in self._files("runs")
                ]
        frames += [
            pd.DataFrame(
                {"task_id": [r["task_id"] for r in self._buffer], "status": [r["status"] for r in self._buffer]}
            )
        ]
        df = _dedupe_last(pd.concat(frames, ignore_index=True))
        if retry_failed:
            df = df[df["status"] == "ok"]
        return set(df["task_id"])

    def add(self, result: dict[str, Any]) -> None:
        """Buffer one result; write a part when the buffer is full or old enough."""
        self._buffer.append(result)
        if len(self._buffer) >= self.flush_every or time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the buffered results as one part (series first, so a run row implies its series)."""
        self._last_flush = time.monotonic()
        if not self._buffer:
            return
        rows, self._buffer = self._buffer, []
        try:
            series = _series_table(rows)
            if series is not None:
                self._write("series", series)
            self._write("runs", _rows_table(rows))
        except OSError as exc:  # a read-only or full disk: the rows stay buffered
            self._buffer = rows + self._buffer
            raise NotWrittenError(f"{len(rows)} runs finished", str(self.folder), os_reason(exc)) from None

    def _read(self, kind: str) -> tuple[pd.DataFrame | None, list[int]]:
        """The files of ``kind`` as one table (or None), and the rows of each file (call with
        the lock held).
        """
        files = self._files(kind)
        if not files:
            return None, []
        tables = [pinned(pq.read_table(p), kind) for p in files]
        whole = pa.concat_tables(tables, promote_options="default")
        return whole.to_pandas(), [t.num_rows for t in tables]

    def runs(self) -> pd.DataFrame:
        """One row per finished task: task_id, status, error, seconds, one column per metric."""
        self.flush()
        if not self.folder.exists():
            return _empty_runs()
        with self._locked():
            return self._runs()

    def _runs(self) -> pd.DataFrame:
        df, _ = self._read("runs")
        return _empty_runs() if df is None else _dedupe_last(df)

    def series(self) -> pd.DataFrame:
        """Long table of returned series: task_id, series, tick, value (one copy per task)."""
        self.flush()
        if not self.folder.exists():
            return _empty_series()
        with self._locked():
            return self._series()

    def _series(self) -> pd.DataFrame:
        df, rows = self._read("series")
        if df is None:
            return _empty_series()
        # a task written twice has two copies of its series: keep those of the last file
        df["_file"] = np.repeat(np.arange(len(rows)), rows)
        last = df.groupby("task_id", sort=False)["_file"].transform("max")
        return df[df["_file"] == last].drop(columns="_file").reset_index(drop=True)

    def compact(self, kinds: tuple[str, ...] = ("runs", "series")) -> None:
        """Merge the parts of each kind into ``<kind>.parquet`` (written under a temporary name
        and renamed; parts are removed only after the rename), holding the store's lock.
        """
        self.flush()
        if not self.folder.exists():
            return
        with self._locked():
            for kind in kinds:
                parts = sorted((self.folder / kind).glob("part-*.parquet"))
                if not parts:
                    continue
                df = self._runs() if kind == "runs" else self._series()
                table = pinned(pa.Table.from_pandas(df, preserve_index=False), kind)
                final = self.folder / f"{kind}.parquet"
                tmp = self.folder / f".{os.getpid()}-{kind}.parquet.tmp"
                pq.write_table(table, tmp)
                os.replace(tmp, final)
                for p in parts:
                    p.unlink(missing_ok=True)


def _empty_runs() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in BASE_COLUMNS})


def _empty_series() -> pd.DataFrame:
    return pd.DataFrame({"task_id": [], "series": [], "tick": [], "value": []})
