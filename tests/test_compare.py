"""``tradesim compare`` and ``sim.compare``: paired-seed experiments end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pandas as pd
import pytest
import tomli_w

import sim
from sim.batch import derive_seed
from sim.errors import ScenarioError
from sim.experiment import load_experiment
from tests.conftest import ROOT, two_country

CA = {"country": "Poor", "column": "current_account", "share_of_gdp": True, "ticks": [3, 14]}
IMB = {"country": "world", "column": "imbalance_index"}


def small_doc(ticks: int = 15) -> dict:
    doc = two_country()
    doc["simulation"]["ticks"] = ticks
    return doc


def tradesim(*args, cwd, **kw):
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=300, **kw
    )


def test_an_arm_identical_to_the_base_gives_exactly_zero_in_every_seed_with_a_warning():
    arms = {"same": {}, "default_value": {"country.Poor.propensity_to_consume": 0.78}}
    with pytest.warns(UserWarning, match="null experiment"):
        comp = sim.compare(small_doc(), arms, seeds=3, metrics=[CA, IMB])
    assert set(comp.experiment.null_arms) == {"same", "default_value"}
    for arm in ("same", "default_value"):
        for m in comp.metrics:
            p = comp.paired(m.name, arm)
            assert (p["diff"] == 0.0).all() and len(p) == 3
            e = comp.effect(arm, m.name)
            assert e["mean_diff"] == 0.0 and e["n_same"] == 3 and e["t_low"] == e["t_high"] == 0.0
    assert any("null experiment" in w for w in comp.warnings)
    assert "exactly the same as in the base in all 3 seeds" in comp.sentences()[0]


def test_every_arm_runs_the_same_seeds_and_the_values_are_the_runs_metrics():
    comp = sim.compare(
        small_doc(), {"thrifty": {"country.Poor.propensity_to_consume": 0.7}}, seeds=3, seed=4, metrics=[CA]
    )
    seeds = [derive_seed(4, k) for k in range(3)]
    v = comp.values
    assert sorted(v["arm"].unique()) == ["base", "thrifty"]
    for arm in ("base", "thrifty"):
        assert v[v["arm"] == arm].sort_values("seed_index")["seed"].tolist() == seeds
    # the base value of seed 1 is the mean of Poor's CA / GDP over ticks 3-14 of that run
    res = sim.simulate(small_doc(), seed=seeds[1])
    ts = res.timeseries
    poor = ts[(ts["country"] == "Poor") & ts["tick"].between(3, 14)]
    base1 = v[(v["arm"] == "base") & (v["seed_index"] == 1)]["value"].item()
    assert base1 == (poor["current_account"] / poor["gdp"]).mean()
    # saving more raises the current account in every seed (the arm is really applied)
    e = comp.effect("thrifty", comp.metrics[0].name)
    assert e["mean_diff"] > 0 and e["n_higher"] == 3 and e["t_low"] > 0


def test_arm_events_and_a_whole_second_scenario(tmp_path):
    variant = small_doc()
    variant["country"][1]["propensity_to_consume"] = 0.7
    (tmp_path / "variant.toml").write_text(tomli_w.dumps(variant))
    event_arm = {"name": "later", "event": [{"tick": 8, "set": {"country.Poor.propensity_to_consume": 0.7}}]}
    comp = sim.compare(
        small_doc(),
        [event_arm, {"name": "file", "scenario": str(tmp_path / "variant.toml")}],
        seeds=2,
        metrics=[{"country": "Poor", "column": "current_account", "stat": "at", "at": 5}, CA],
    )
    at5 = comp.metrics[0].name
    # before the event, the event arm is the base, exactly; the whole-file arm differs from tick 0
    assert (comp.paired(at5, "later")["diff"] == 0).all()
    assert (comp.paired(at5, "file")["diff"] != 0).all()
    assert comp.effect("later", comp.metrics[1].name)["mean_diff"] > 0


def _write_experiment(folder: Path, **extra) -> Path:
    (folder / "base.toml").write_text(tomli_w.dumps(small_doc()))
    exp = {
        "base": "base.toml",
        "seeds": 3,
        "arm": [{"name": "thrifty", "set": {"country.Poor.propensity_to_consume": 0.7}}],
        "metric": [CA],
        **extra,
    }
    path = folder / "exp.toml"
    path.write_text(tomli_w.dumps(exp))
    return path


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        ({"seeds": 0}, "seeds", "greater than or equal to 1"),
        (
            {"arm": [{"name": "x", "set": {"country.Poor.propensity_to_consum": 0.7}}]},
            "arm.x: country.Poor.propensity_to_consum",
            "unknown key",
        ),
        (
            {"arm": [{"name": "x", "set": {"country.Poor.propensity_to_consume": "high"}}]},
            "arm.x: country.Poor.propensity_to_consume",
            "valid number",
        ),
        ({"arm": [{"name": "x", "set": {"country.Nowhere.wage": 1.0}}]}, "arm.x.set: country.Nowhere.wage", "Nowhere"),
        ({"metric": [{"country": "Poor", "column": "happiness"}]}, "metric[0].column", "unknown column 'happiness'"),
        ({"arm": []}, "arm", "at least 1 item"),
        ({"arms": []}, "arms", "unknown key"),
        ({"base": "missing.toml"}, "base", "file not found"),
        (
            {"arm": [{"name": "x", "set": {}, "expect": {"no_such_metric": "higher"}}]},
            "arm.x.expect.no_such_metric",
            "no metric named 'no_such_metric'",
        ),
        ({"arm": [{"name": "x", "expect": {"m": "up"}}]}, "arm[0].expect.m", "'higher' or 'lower'"),
    ],
)
def test_bad_experiment_files_give_clear_errors(tmp_path, change, where, words):
    path = _write_experiment(tmp_path, **change)
    with pytest.raises(ScenarioError) as info:
        load_experiment(path)
    assert info.value.file == str(path)
    assert any(p == where for p, _ in info.value.problems), info.value.problems
    assert words in str(info.value)


def test_settings_reach_every_arm_and_an_arm_s_own_set_wins(tmp_path):
    other = small_doc()
    other["country"][1]["propensity_to_consume"] = 0.7
    (tmp_path / "other.toml").write_text(tomli_w.dumps(other))
    path = _write_experiment(
        tmp_path,
        arm=[
            {"name": "thrifty", "set": {"country.Poor.propensity_to_consume": 0.7}},
            {"name": "file", "scenario": "other.toml"},
            {"name": "own", "set": {"world.development.noise_sd": 0.02}},
        ],
    )
    exp = load_experiment(path, settings={"simulation.responses": "within_tick", "world.development.noise_sd": 0.0})
    docs = {a.name: a.document for a in exp.arms}
    assert {d["simulation"]["responses"] for d in docs.values()} == {"within_tick"}
    assert [docs[n]["world"]["development"]["noise_sd"] for n in ("base", "thrifty", "file", "own")] == [0, 0, 0, 0.02]
    plain = load_experiment(path)
    assert all(a.doc_hash != b.doc_hash for a, b in zip(plain.arms, exp.arms, strict=True))  # never a reused result
    with pytest.raises(ScenarioError, match="simulation.responses"):
        load_experiment(path, settings={"simulation.responses": "sideways"})


def test_cli_prints_one_line_for_a_bad_file(tmp_path):
    path = _write_experiment(tmp_path, seeds=0)
    p = tradesim("compare", str(path), cwd=tmp_path)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: seeds: ")


def test_short_form_writes_tables_figures_and_report(tmp_path):
    base = small_doc(12)
    variant = small_doc(12)
    variant["country"][1]["propensity_to_consume"] = 0.7
    (tmp_path / "base.toml").write_text(tomli_w.dumps(base))
    (tmp_path / "thrifty.toml").write_text(tomli_w.dumps(variant))
    p = tradesim("compare", "base.toml", "thrifty.toml", "--seeds", "3", "--workers", "1", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    out = tmp_path / "results" / "experiments" / "base_vs_thrifty"
    for name in ("values.parquet", "values.csv", "effects.csv", "effects.parquet", "report.md", "manifest.json"):
        assert (out / name).exists(), name
    effects = pd.read_csv(out / "effects.csv")
    # default metrics: each country's current account (share of GDP) and the imbalance index
    assert sorted(effects["metric"]) == sorted(
        ["Rich_current_account_gdp_mean", "Poor_current_account_gdp_mean", "world_imbalance_index_mean"]
    )
    assert len(list((out / "figures").glob("thrifty__*.png"))) == 3
    report = (out / "report.md").read_text()
    assert "With the scenario thrifty, Poor's current account is" in report and "of 3 seeds" in report
    assert "| thrifty |" in p.stdout


def test_interrupt_and_rerun_repeats_no_finished_run_and_matches_an_uninterrupted_run(tmp_path):
    path = _write_experiment(tmp_path, seeds=8)
    # every run its own block, so results reach the store two at a time and the kill lands mid-way
    args = ["compare", str(path), "--workers", "1", "--block", "1", "--flush-every", "2", "--no-figures"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    runs = tmp_path / "results" / "experiments" / "exp" / "store" / "runs"
    deadline = time.monotonic() + 120
    while len(list(runs.glob("part-*.parquet"))) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = len(pd.concat([pd.read_parquet(p) for p in runs.glob("part-*.parquet")]))
    assert 4 <= stored < 16
    p = tradesim(*args, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert f"16 runs ({stored} found finished, {16 - stored} run now, 0 failed)" in p.stdout
    out = tmp_path / "results" / "experiments" / "exp"
    values = pd.read_parquet(out / "values.parquet")
    fresh = sim.compare(small_doc(), {"thrifty": {"country.Poor.propensity_to_consume": 0.7}}, seeds=8, metrics=[CA])
    expected = fresh.values.astype({"arm": str, "metric": str})
    pd.testing.assert_frame_equal(values.astype({"arm": str, "metric": str}), expected, check_exact=True)
    effects = pd.read_parquet(out / "effects.parquet")
    pd.testing.assert_frame_equal(effects, fresh.effects, check_exact=True)


def test_shipped_experiments_load():
    files = sorted((ROOT / "scenarios" / "experiments").glob("*.toml"))
    assert files
    for f in files:
        exp = load_experiment(f)
        assert len(exp.arms) >= 2 and exp.metrics
        assert tomllib.loads(f.read_text())  # plain TOML


def test_claims_hold_only_when_the_whole_interval_is_on_the_claimed_side(tmp_path):
    # saving more raises Poor's current account in every seed (see the test above): the claim
    # "higher" holds and the claim "lower" fails, on the same runs
    ca = {**CA, "name": "poor_ca"}
    arms = [
        {"name": "right", "set": {"country.Poor.propensity_to_consume": 0.7}, "expect": {"poor_ca": "higher"}},
        {"name": "wrong", "set": {"country.Poor.propensity_to_consume": 0.7}, "expect": {"poor_ca": "lower"}},
    ]
    comp = sim.compare(small_doc(), arms, seeds=3, metrics=[ca, IMB])
    claims = comp.claims.set_index("arm")
    assert len(claims) == 2 and claims.loc["right", "holds"] and not claims.loc["wrong", "holds"]
    assert not comp.claims_hold
    e = comp.effect("right", "poor_ca")
    assert e["t_low"] > 0 and e["expected"] == "higher"
    assert comp.effect("right", comp.metrics[1].name)["holds"] is None  # no claim on the index
    text = comp.report()
    assert "1 of 2 claims hold" in text and "DOES NOT HOLD" in text
    # the CLI's --check turns a failed claim into exit status 1
    path = _write_experiment(tmp_path, arm=[{**a, "set": a["set"]} for a in arms], metric=[ca])
    p = tradesim(
        "compare", str(path), "--check", "--workers", "1", "--no-figures", "--out", str(tmp_path / "out"), cwd=tmp_path
    )
    assert p.returncode == 1, p.stderr
    assert "claims: 1 of 2 hold" in p.stdout
