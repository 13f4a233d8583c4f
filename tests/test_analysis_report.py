"""The analysis folder, summary.json, report.md and ``tradesim analyze`` end to end."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.analysis import SUMMARY_KEYS, analyze, analyze_run, summaries, summary
from sim.analysis import report as report_module
from sim.errors import TradesimError
from tests.conftest import ROOT, SCENARIOS, identical_world
from tests.test_analysis_measures import migrating_world

TABLES = ("world", "countries", "turning_points", "cycles", "bilateral", "value_added")


def check_folder(folder: Path, figures: bool = True) -> dict:
    assert folder.name == "analysis" and folder.is_dir()
    doc = json.loads((folder / "summary.json").read_text())
    assert list(doc)[: len(SUMMARY_KEYS)] == list(SUMMARY_KEYS)
    for k in SUMMARY_KEYS:
        v = doc[k]
        assert v is None or (isinstance(v, int | float) and math.isfinite(v)), (k, v)
    assert doc["n_cycles"] == len(pd.read_parquet(folder / "cycles.parquet"))
    for name in TABLES:
        pq = pd.read_parquet(folder / f"{name}.parquet")
        csv = pd.read_csv(folder / f"{name}.csv")
        assert len(pq) == len(csv) and list(pq.columns) == list(csv.columns), name
    text = (folder / "report.md").read_text()
    pngs = sorted(p.name for p in folder.glob("*.png"))
    if figures:
        assert {"imbalance.png", "balances.png", "reserves.png", "development.png"} <= set(pngs)
        for p in pngs:
            assert f"]({p})" in text and (folder / p).stat().st_size > 10_000
    assert sorted(doc["files"]) == sorted(p.name for p in folder.iterdir())
    assert not list(folder.parent.glob(".analysis-*"))
    return doc


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_analysis_runs_on_every_shipped_scenario(scenario, tmp_path):
    res = sim.run(scenario, out=tmp_path, figure=False)
    doc = check_folder(analyze_run(res.path))
    world = pd.read_parquet(res.path / "analysis" / "world.parquet")
    assert len(world) == res.scenario.simulation.ticks
    assert doc["run"]["scenario"] == res.scenario.simulation.name and doc["run"]["run_id"] == res.path.name
    assert doc["rule"]["name"] == "standard"


def test_report_sentences_come_from_the_numbers(tmp_path):
    res = migrating_world()
    folder = analyze(res, out=tmp_path / "analysis")
    doc = check_folder(folder)
    text = (folder / "report.md").read_text()
    assert doc["n_cycles"] == 4 and doc["mean_period_years"] == pytest.approx(40.0)
    assert "4 full cycles of imbalance and rebalancing were dated, lasting 40.0 years on average" in text
    assert f"reached its highest value, {100 * doc['imbalance_max']:.2f}%" in text
    assert "largest deficit by B" in text
    assert "C's share of the world's surplus rose by" in text
    assert text.count("| 1 | ") == 1 and "| 4 | " in text  # the cycle table, one row per cycle
    assert doc["turning_points"][0] == {"tick": 20, "year": 2020.0, "kind": "peak", "index": pytest.approx(0.065)}


def test_analysis_is_reproducible_and_replaces_the_previous_one(tmp_path):
    res = sim.run(identical_world(3, ticks=30), out=tmp_path, figure=False)
    first = analyze(res, figures=False)
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    (first / "stale.txt").write_text("left by an older analysis")
    again = analyze(res, figures=False)
    assert again == first and not (again / "stale.txt").exists()
    assert {p.name: p.read_bytes() for p in again.iterdir()} == before
    strict = json.loads((analyze(res, rule="strict", figures=False) / "summary.json").read_text())
    assert strict["rule"]["name"] == "strict"


def test_an_interrupted_analysis_leaves_the_previous_one_untouched(tmp_path, monkeypatch):
    res = sim.run(identical_world(3, ticks=30), out=tmp_path, figure=False)
    folder = analyze(res, figures=False)
    before = (folder / "summary.json").read_bytes()

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report_module, "report_text", broken)
    with pytest.raises(KeyboardInterrupt):
        analyze(res, figures=False)
    assert (folder / "summary.json").read_bytes() == before
    assert sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(".")) == []
    # and with no previous analysis, nothing is left at all
    fresh = sim.run(identical_world(3, ticks=31), out=tmp_path, figure=False)
    with pytest.raises(KeyboardInterrupt):
        analyze(fresh, figures=False)
    assert not (fresh.path / "analysis").exists()
    assert not [p for p in fresh.path.iterdir() if p.name.startswith(".")]


def test_in_memory_run_needs_an_output_folder():
    res = sim.simulate(identical_world(2, ticks=10))
    with pytest.raises(TradesimError, match="give out="):
        analyze(res)


def test_summaries_of_many_runs(tmp_path):
    a = sim.run(identical_world(2, ticks=20), out=tmp_path, figure=False)
    b = sim.run(identical_world(2, ticks=20), seed=4, out=tmp_path, figure=False)
    table = summaries([a.path, b])
    assert list(table.columns[-len(SUMMARY_KEYS) :]) == list(SUMMARY_KEYS)
    assert table["seed"].tolist() == [3, 4] and (table["n_cycles"] == 0).all()
    assert pd.Series(summary(a.path)).equals(pd.Series(summary(a)))  # a folder or a Results


def test_each_figure_function_works_on_its_own(tmp_path):
    from sim.analysis import figures

    res = sim.simulate(ROOT / "scenarios" / "baseline.toml", ticks=30)
    for name, fn in figures.FIGURES.items():
        kwargs = {"tick": 12} if fn is figures.bilateral_heatmap else {}
        out = fn(res, tmp_path / name, **kwargs)
        assert out == tmp_path / name and out.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(TradesimError, match="no bilateral flows logged at tick"):
        figures.bilateral_heatmap(res, tmp_path / "x.png", tick=99)


def test_cli_run_analyze_and_analyze_a_folder_of_runs(tmp_path, capsys):
    from sim.cli import main

    # in-process: the same parser and commands as the console script, without ~2 s of imports
    out = tmp_path / "res"
    assert main(["run", str(ROOT / "scenarios" / "baseline.toml"), "--ticks", "40", "--out", str(out), "--analyze",
                 "--no-figure"]) == 0  # fmt: skip
    run_dir = next((out / "baseline").iterdir())
    assert f"analysis: {run_dir / 'analysis'}" in capsys.readouterr().out
    check_folder(run_dir / "analysis")
    assert main(["analyze", str(out), "--rule", "loose", "--no-figures"]) == 0
    printed = capsys.readouterr().out
    assert "cycle(s)" in printed and str(run_dir / "analysis") in printed
    assert json.loads((run_dir / "analysis" / "summary.json").read_text())["rule"]["name"] == "loose"
    empty = tmp_path / "empty"
    empty.mkdir()
    for args, message in [
        ([str(tmp_path / "nowhere")], "does not exist"),
        ([str(empty)], "holds none"),
        ([str(run_dir), "--balance-fraction", "2"], "balance_fraction"),
    ]:
        assert main(["analyze", *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and err.count("\n") == 1 and message in err


def test_docs_define_every_summary_key():
    text = (ROOT / "docs" / "analysis.md").read_text()
    for k in SUMMARY_KEYS:
        assert f"`{k}`" in text, k
