"""Errors a user can cause end in one line, and a finished run is never lost to a failed write
(issue 18, item 11): a results folder that cannot be written after the run, ``--out`` under a
file, ``--dask`` with something that is not an address, and ``validate`` of an endless device.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

import sim
from sim.batch import ParquetStore
from sim.errors import NotWrittenError, TradesimError
from sim.experiment.run import compare_file
from sim.runner import results_equal
from sim.sweep import run_sweep
from tests.conftest import two_country

CA = {"name": "poor_ca", "country": "Poor", "column": "current_account", "share_of_gdp": True}


def small_doc() -> dict:
    doc = two_country()
    doc["simulation"]["ticks"] = 5
    return doc


def tradesim(*args, cwd, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def one_line_error(p: subprocess.CompletedProcess) -> str:
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert "Traceback" not in p.stderr and p.stderr.startswith("error: "), p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    return p.stderr


def test_a_run_whose_folder_cannot_be_written_raises_with_the_computed_results(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "two").write_text("a file where the scenario's folder goes")
    with pytest.raises(NotWrittenError) as info:
        sim.run(small_doc(), out=out, figure=False)
    exc = info.value
    assert exc.where.startswith(str(out / "two")) and exc.reason
    assert results_equal(exc.results, sim.simulate(small_doc()))
    assert sorted(p.name for p in out.iterdir()) == ["two"]


def test_a_full_disk_while_writing_keeps_the_run_and_leaves_no_partial_folder(tmp_path, monkeypatch):
    import sim.runner

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sim.runner, "write_tables", full)
    with pytest.raises(NotWrittenError, match="No space left on device") as info:
        sim.run(small_doc(), out=tmp_path, figure=False)
    assert results_equal(info.value.results, sim.simulate(small_doc()))
    assert [p.name for p in (tmp_path / "two").iterdir()] == []  # the temporary folder is gone


def test_the_command_line_says_in_one_line_where_it_could_not_write(tmp_path):
    (tmp_path / "s.toml").write_text(tomli_w.dumps(small_doc()))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "two").write_text("a file")
    err = one_line_error(tradesim("run", "s.toml", "--out", "out", cwd=tmp_path))
    assert "finished but could not be written to" in err and str(Path("out") / "two") in err


def _files(folder: Path) -> None:
    (folder / "s.toml").write_text(tomli_w.dumps(small_doc()))
    (folder / "e.toml").write_text(
        tomli_w.dumps({"base": "s.toml", "seeds": 1, "arm": [{"name": "a", "set": {"world.trade_cost": 0.5}}]})
    )
    sweep = {"base": "s.toml", "parameter": [{"path": "world.trade_cost", "values": [0.5]}], "metric": [CA]}
    (folder / "w.toml").write_text(tomli_w.dumps(sweep))


def test_out_under_a_file_is_refused_before_anything_runs(tmp_path):
    _files(tmp_path)
    err = one_line_error(tradesim("run", "s.toml", "--out", "/dev/null/x", cwd=tmp_path))
    assert "/dev/null is not a folder" in err and "ran" not in err
    (tmp_path / "file").write_text("x")
    for call in (
        lambda: compare_file(tmp_path / "e.toml", out=tmp_path / "file", workers=1),
        lambda: run_sweep(tmp_path / "w.toml", out=tmp_path / "file" / "sub", workers=1),
    ):
        with pytest.raises(TradesimError, match="is not a folder"):
            call()


def test_dask_with_something_that_is_not_an_address_is_one_line(tmp_path):
    pytest.importorskip("distributed")
    _files(tmp_path)
    err = one_line_error(tradesim("sweep", "w.toml", "--dask", "not an address", "--out", "o", cwd=tmp_path))
    assert "is not a scheduler address" in err
    with pytest.raises(TradesimError, match="is not a scheduler address"):
        compare_file(tmp_path / "e.toml", dask="not an address", out=None)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_validate_of_an_endless_device_stops_with_a_size_error(tmp_path):
    err = one_line_error(tradesim("validate", "/dev/zero", cwd=tmp_path, timeout=60))
    assert "larger than 50 MB" in err


def test_a_store_that_cannot_write_keeps_its_rows_and_says_where(tmp_path, monkeypatch):
    from sim.batch import derive_seed, make_task, run_task
    from sim.metrics import compile_metrics
    from sim.scenario import load_scenario

    (tmp_path / "file").write_text("x")
    store = ParquetStore(tmp_path / "file" / "store", flush_every=1)
    metrics = tuple(compile_metrics([CA], load_scenario(small_doc())))
    task = make_task(small_doc(), derive_seed(0, 0), metrics)
    with pytest.raises(NotWrittenError) as info:
        store.add(run_task(task))
    assert isinstance(info.value, TradesimError) and str(tmp_path / "file" / "store") in str(info.value)
    assert store.done_ids() == {task.id}  # still buffered, not lost


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_results_folder_keeps_the_run(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        with pytest.raises(NotWrittenError, match="Permission denied") as info:
            sim.run(small_doc(), out=out, figure=False)
        assert results_equal(info.value.results, sim.simulate(small_doc()))
    finally:
        out.chmod(0o755)
