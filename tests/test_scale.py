"""Long runs and shrinking worlds (issue 19, part 2): a length the model cannot honour is refused
at load, a run that fails mid-way keeps what it computed, and the stock identities hold in a
world that shrinks by orders of magnitude."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import sim
from sim.cli import main
from sim.errors import ScenarioError, SimulationError
from sim.scenario import HORIZON, apply_overrides, load_scenario, load_toml
from tests.conftest import ROOT, two_country
from tests.test_extremes import BREAKDOWNS

BASELINE = load_toml(ROOT / "scenarios" / "baseline.toml")
# the baseline's levels grow at most with the frontier (1.5%/yr) plus India's labor force (0.8%/yr)
BASELINE_LONGEST = math.floor(HORIZON / (0.015 + 0.008))


def refusal(doc: dict) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc)
    (path, why), *_ = info.value.problems
    assert path == "simulation.ticks"
    return why


def test_a_million_ticks_are_refused_at_load_with_the_longest_length_that_works(tmp_path, capsys):
    why = refusal(apply_overrides(BASELINE, {"simulation.ticks": 1_000_000}))
    assert f"the longest length that works is {BASELINE_LONGEST} ticks" in why, why
    assert "world.development.frontier_growth" in why and "labor_growth" in why
    load_scenario(apply_overrides(BASELINE, {"simulation.ticks": BASELINE_LONGEST}))
    refusal(apply_overrides(BASELINE, {"simulation.ticks": BASELINE_LONGEST + 1}))
    # quarterly ticks: four times as many
    quarterly = {"simulation.tick_length": "quarter"}
    load_scenario(apply_overrides(BASELINE, {**quarterly, "simulation.ticks": 4 * BASELINE_LONGEST}))
    refusal(apply_overrides(BASELINE, {**quarterly, "simulation.ticks": 4 * BASELINE_LONGEST + 4}))
    # tradesim validate says so too (exit status 2)
    path = tmp_path / "long.toml"
    path.write_text((ROOT / "scenarios" / "baseline.toml").read_text().replace("ticks = 200", "ticks = 1000000"))
    assert main(["validate", str(path)]) == 2
    assert "simulation.ticks" in capsys.readouterr().err


def test_growth_raised_by_an_event_counts_from_the_event_on():
    doc = apply_overrides(two_country(), {"simulation.ticks": 2000})
    load_scenario(doc)  # 2,000 years at 1.5%/yr: e^30
    ev = {"tick": 500, "set": {"world.development.frontier_growth": 0.2}}
    why = refusal({**doc, "event": [ev]})  # 500 years at 1.5%/yr, then 1,500 at 20%/yr: e^307.5
    longest = 500 + math.floor((HORIZON - 500 * 0.015) / 0.2)
    assert f"the longest length that works is {longest} ticks" in why, why
    load_scenario(apply_overrides({**doc, "event": [ev]}, {"simulation.ticks": longest}))


def test_an_innovation_storm_that_would_overflow_is_refused_at_load():
    storm = {"world.development.innovation_rate": 10.0, "world.development.innovation_size": 3.0}
    why = refusal(apply_overrides(two_country(), {"simulation.ticks": 20, **storm}))
    assert "innovation_rate x innovation_size" in why


def test_the_longest_length_at_the_fastest_legal_growth_runs_finite():
    longest = math.floor(HORIZON / 0.2)  # two_country: no labor growth
    doc = apply_overrides(
        two_country(),
        {"simulation.ticks": longest, "simulation.log_every": 500, "world.development.frontier_growth": 0.2},
    )
    ts = sim.simulate(doc).timeseries
    assert ts["tick"].max() == longest - 1
    assert np.isfinite(ts.select_dtypes("number").to_numpy()).all()
    refusal(apply_overrides(doc, {"simulation.ticks": longest + 1}))


@pytest.mark.parametrize(
    ("overrides", "ticks"),
    [
        # stopped at tick 417 with "world, net_foreign_assets: sum to -2.1e-12, not zero"
        ({"world.development.frontier_growth": -0.05}, 500),
        # stopped at tick 3,205
        ({f"country.{c['name']}.labor_growth": -0.02 for c in BASELINE["country"]}, 3300),
    ],
    ids=["frontier_shrinking", "labor_shrinking"],
)
def test_a_shrinking_world_keeps_its_identities(overrides, ticks):
    doc = apply_overrides(BASELINE, {**overrides, "simulation.ticks": ticks, "simulation.log_every": 100})
    ts = sim.simulate(doc).timeseries
    last = ts[ts["tick"] == ticks - 1]
    first = ts[ts["tick"] == 0]
    assert last["gdp"].sum() < 1e-3 * first["gdp"].sum()  # the world did shrink a thousandfold


def test_a_failed_run_keeps_its_ticks_in_a_folder_marked_failed(results_dir):
    # a legal setting that breaks down at tick 3 (full-capacity income turns negative)
    doc = apply_overrides(two_country(), {"simulation.ticks": 50, **BREAKDOWNS["catch_up_at_every_limit"]})
    with np.errstate(all="ignore"), pytest.raises(SimulationError) as info:
        sim.run(doc, out=results_dir)
    exc = info.value
    folder = exc.results.path
    assert str(folder) in str(exc)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert manifest["error"]["tick"] == exc.tick == 3
    assert manifest["error"]["quantity"] == exc.quantity and exc.reason in manifest["error"]["message"]
    assert manifest["ticks_completed"] == 3
    res = sim.load_run(folder)
    assert sorted(res.timeseries["tick"].unique()) == [0, 1, 2]
    assert res.manifest["status"] == "failed"
    # a rerun is never given the failed folder as a finished run: it runs again, fails again
    with np.errstate(all="ignore"), pytest.raises(SimulationError) as again:
        sim.run(doc, out=results_dir)
    assert again.value.results.manifest["reused"] is False
    assert again.value.results.path == folder
    assert json.loads((folder / "manifest.json").read_text())["status"] == "failed"
    # a finished run says so, and is reused
    ok = apply_overrides(doc, {"simulation.ticks": 3})
    assert sim.run(ok, out=results_dir).manifest["status"] == "finished"
    assert sim.run(ok, out=results_dir).manifest["reused"] is True
