"""The history calibrated to 1980-2000 (issue 25, "Use it"): the shipped file, a tiny run end to
end, and the script's doc blocks. The full calibration is opt-in: ``python -m pytest -m slow
tests/test_history_calibration.py`` (about 10-20 minutes on 2 cores).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from sim.calibrate import load_calibration
from sim.calibrate.run import run_calibration
from sim.calibrate.spec import build_calibration
from sim.history.facts import load_facts
from sim.scenario import load_toml

ROOT = Path(__file__).resolve().parent.parent
FILE = ROOT / "scenarios" / "calibrations" / "history_1980.toml"


def _script():
    spec = importlib.util.spec_from_file_location("history_calibration", ROOT / "scripts" / "history_calibration.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_history_calibration_validates_and_uses_in_sample_facts_only():
    cal = load_calibration(FILE)
    assert cal.scenario.simulation.name == "history_1980"
    assert 1 <= len(cal.priors) <= 3  # the issue: at most three parameters
    facts = load_facts(ROOT / "data" / "facts_history.csv")
    ends = []
    for t in cal.spec.target:
        assert t.fact is not None and t.value is None and t.sd is None  # value and band from the table
        row = facts[
            (facts["economy"] == t.fact.economy)
            & (facts["partner"] == t.fact.partner)
            & (facts["year"] == str(t.fact.year))
            & (facts["quantity"] == t.fact.quantity)
        ]
        ends.append(int(row["end"].iloc[0]))
    # out-of-sample facts (ending after 2000) are never targets, nor the 1980 initial conditions
    assert max(ends) <= 2000 and min(int(r) for r in ends) > 1980
    assert 18 <= len(ends) <= 26
    assert len({(t.fact.economy, t.fact.partner, str(t.fact.year), t.fact.quantity) for t in cal.spec.target}) == len(
        ends
    )


def test_fact_metrics_of_a_run_computed_together_equal_each_computed_alone():
    """sim.metrics.fact_values (one pass over the run's tables) against the reference fact_value,
    bit for bit, on the calibration's 24 targets and with one economy mapped differently."""
    import dataclasses

    import numpy as np

    import sim
    from sim.metrics import fact_value, fact_values

    cal = load_calibration(FILE)
    res = sim.simulate(cal.scenario, seed=3)
    other = dataclasses.replace(cal.metrics[0], name="other", members=(("US", ("Japan",)),))
    metrics = [*cal.metrics, other]
    together = fact_values(metrics, res)
    alone = np.array([fact_value(m, res) for m in metrics])
    assert list(together) == [m.name for m in metrics]
    assert np.array_equal(np.array(list(together.values())), alone, equal_nan=True)
    assert together["other"] != together[cal.metrics[0].name]  # the US read as Japan: computed alone


def test_a_tiny_history_calibration_runs_end_to_end(tmp_path):
    doc = load_toml(FILE)
    doc["method"] = {**doc["method"], "population": 10, "generations": 1, "sensitivity": 0, "predictive": 2}
    doc["seeds"] = 1
    cal = build_calibration(doc, file=str(FILE), relative_to=FILE.parent, source=FILE, stem="tiny")
    res = run_calibration(cal, workers=1, out=tmp_path, figures=False)
    assert len(res.smc.posterior.weights) == 10
    report = (res.path / "report.md").read_text()
    for p in cal.priors:  # one sentence per parameter
        assert sum(line.startswith(f"- `{p.path}`") for line in report.splitlines()) == 1
    assert (res.path / "posterior.parquet").exists() and (res.path / "calibrated.toml").exists()
    assert len(res.predictive) == len(cal.metrics)


def test_the_script_replaces_its_block_or_inserts_it_at_the_end_of_the_history_section(tmp_path):
    mod = _script()
    doc = tmp_path / "v.md"
    doc.write_text("## The history\n\ntext\n\n## Worlds from data\n\nmore\n")
    mod.replace_block(doc, mod.BLOCK, f"{mod.BLOCK[0]}\nONE\n{mod.BLOCK[1]}", before=mod.INSERT_BEFORE)
    first = doc.read_text()
    assert first.index("ONE") < first.index("## Worlds from data") and first.index("text") < first.index("ONE")
    mod.replace_block(doc, mod.BLOCK, f"{mod.BLOCK[0]}\nTWO\n{mod.BLOCK[1]}", before=mod.INSERT_BEFORE)
    second = doc.read_text()
    assert "ONE" not in second and second.count(mod.BLOCK[0]) == 1 and second.replace("TWO", "ONE") == first


@pytest.mark.slow
def test_the_full_history_calibration_fits_its_targets_better_than_the_prior_only_history(tmp_path):
    """Opt-in (-m slow): the full budget (the issue's benchmark). Its posterior medians must fit the
    in-sample targets better than the history file's own values do (what calibration is for)."""
    mod = _script()
    cal = mod.load()
    res = run_calibration(cal, out=tmp_path, figures=False)
    hs = mod._scorecard_module()
    medians = dict(zip(res.parameters["parameter"], res.parameters["median"].astype(float), strict=True))
    prior = hs.scorecards()[1][mod.TABLE].table
    post = hs.scorecards(medians)[1][mod.TABLE].table
    keys = mod._target_keys(cal)
    assert post[mod._is_target(post, keys)]["error"].mean() < prior[mod._is_target(prior, keys)]["error"].mean()
