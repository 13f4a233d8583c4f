"""tradesim calibrate: the ABC-SMC engine on a toy problem with a known posterior, parameter
recovery on the model, identifiability, resume and bad files."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w

from sim.calibrate import Prior, SMCSettings, abc_smc, build_calibration, run_calibration, summarise
from sim.calibrate.smc import weighted_quantile
from sim.errors import ScenarioError

SIG = 1.0 / np.sqrt(10.0)  # sd of the mean of 10 unit-variance observations


def _toy(seed: int):
    """Summary = sample mean of 10 N(theta, 1) draws, a fresh stream per (generation, block)."""

    def simulate(values, t, block):
        rng = np.random.default_rng([seed, t, block, 7])
        return values[:, :1] + SIG * rng.standard_normal((len(values), 1))

    return simulate


def test_weighted_quantile_matches_the_unweighted_one_with_equal_weights():
    x = np.random.default_rng(0).normal(size=1001)
    w = np.full(1001, 1 / 1001)
    assert weighted_quantile(x, w, 0.5) == pytest.approx(np.median(x), abs=1e-12)
    # a weight on one point moves the median to it
    w2 = np.full(1001, 1e-9)
    w2[17] = 1.0
    assert weighted_quantile(x, w2 / w2.sum(), 0.5) == pytest.approx(x[17], abs=1e-6)


def test_90_percent_intervals_cover_the_truth_90_percent_of_the_time_on_a_known_posterior():
    # theta ~ U(-5, 5); y | theta ~ N(theta, SIG^2). The exact posterior is N(y, SIG^2) truncated to
    # the prior, so over truths drawn from the prior its central 90% interval covers the truth in
    # 90% of cases. ABC at a final tolerance well below SIG adds little width.
    reps, hits, widths = 200, 0, []
    for k in range(reps):
        rng = np.random.default_rng(1000 + k)
        theta = rng.uniform(-5, 5)
        y = theta + SIG * rng.standard_normal()
        res = abc_smc(
            [Prior("m", "uniform", -5.0, 5.0)],
            _toy(k),
            np.array([y]),
            np.array([SIG]),
            SMCSettings(population=300, generations=9, quantile=0.5),
            seed=k,
        )
        s = summarise(res).iloc[0]
        hits += s.lower <= theta <= s.upper
        widths.append(s.upper - s.lower)
    coverage = hits / reps
    se = np.sqrt(0.9 * 0.1 / reps)
    assert abs(coverage - 0.9) < 3 * se, coverage
    # and the intervals are about as wide as the exact posterior's (2 x 1.645 x SIG)
    assert np.median(widths) == pytest.approx(2 * 1.645 * SIG, rel=0.2)


def test_the_engine_is_deterministic_and_a_parameter_the_targets_ignore_is_not_identified():
    priors = [Prior("m", "uniform", -5.0, 5.0), Prior("idle", "loguniform", 0.1, 10.0)]

    def sim(values, t, block):
        return _toy(4)(values, t, block)

    args = (priors, sim, np.array([1.0]), np.array([SIG]), SMCSettings(population=200, generations=6))
    a, b = abc_smc(*args, seed=9), abc_smc(*args, seed=9)
    assert a.table().equals(b.table())
    c = abc_smc(*args, seed=10)
    assert not a.table().equals(c.table())
    s = summarise(a).set_index("parameter")
    assert bool(s.loc["m", "identified"]) and not bool(s.loc["idle", "identified"])
    assert s.loc["idle", "sd_ratio"] >= 0.8


# ----------------------------------------------------------------------------- on the model

TWO = {
    "simulation": {"name": "two", "ticks": 20, "seed": 5},
    "world": {"trade_cost": 0.8},
    "country": [
        {"name": "Rich", "labor_force": 100.0, "productivity": 1.0},
        {"name": "Poor", "labor_force": 300.0, "productivity": 0.2},
    ],
}
TRUTH = {"country.Poor.propensity_to_consume": 0.74, "country.Poor.catchup_speed": 1.0}


def _targets_at_truth() -> tuple[float, float]:
    """The two targets' values, from runs of the model at the true parameters (4 seeds)."""
    import sim

    ca, gdp = [], []
    for s in range(4):
        res = sim.simulate(sim.load_scenario(TWO, {**TRUTH, "simulation.seed": 200 + s}))
        p = res.timeseries[res.timeseries["country"] == "Poor"].set_index("tick")
        ca.append((p["current_account"] / p["gdp"]).loc[5:19].mean())
        gdp.append(p["gdp_real"].loc[19])
    return float(np.mean(ca)), float(np.mean(gdp))


def _calibration_doc(tmp_path: Path, **method) -> dict:
    (tmp_path / "two.toml").write_text(tomli_w.dumps(TWO))
    ca, gdp = _targets_at_truth()
    return {
        "name": "recover",
        "base": "two.toml",
        "seed": 3,
        "seeds": 1,
        "parameter": [
            {"path": "country.Poor.propensity_to_consume", "low": 0.66, "high": 0.86},
            {"path": "country.Poor.catchup_speed", "prior": "loguniform", "low": 0.3, "high": 3.0},
            {"path": "world.policy.pull_forward", "low": 0.0, "high": 1.0},
        ],
        "target": [
            {
                "metric": {"country": "Poor", "column": "current_account", "share_of_gdp": True, "ticks": [5, 19]},
                "value": ca,
                "sd": 0.002,
            },
            {
                "metric": {"country": "Poor", "column": "gdp_real", "stat": "at", "at": 19},
                "value": gdp,
                "sd": 0.02 * gdp,
            },
        ],
        "method": {"population": 60, "generations": 4, "sensitivity": 0, "predictive": 6, **method},
    }


def _short(doc: dict) -> dict:
    """The same calibration on 10 ticks (windows moved; the targets no longer match any truth)."""
    doc["ticks"] = 10
    doc["target"][0]["metric"]["ticks"] = [5, 9]
    doc["target"][1]["metric"]["at"] = 9
    return doc


def _load(doc: dict, tmp_path: Path):
    return build_calibration(doc, file="cal.toml", relative_to=tmp_path)


def test_the_model_recovers_known_parameters_and_flags_the_one_the_targets_cannot_see(tmp_path):
    cal = _load(_calibration_doc(tmp_path), tmp_path)
    res = run_calibration(cal, workers=1, out=tmp_path / "out", figures=True)
    p = res.parameters.set_index("parameter")
    for path, truth in TRUTH.items():
        assert p.loc[path, "lower"] <= truth <= p.loc[path, "upper"], (path, p.loc[path].to_dict())
        assert bool(p.loc[path, "identified"])
    assert not bool(p.loc["world.policy.pull_forward", "identified"])
    folder = res.path
    for name in (
        "posterior.parquet",
        "generations.parquet",
        "parameters.csv",
        "predictive.csv",
        "report.md",
        "calibrated.toml",
        "manifest.json",
        "marginals.png",
        "pairs.png",
        "predictive.png",
    ):
        assert (folder / name).exists(), name
    report = (folder / "report.md").read_text()
    assert report.count("- `") == 3 and "NOT identified" in report
    # the calibrated scenario loads and sets the posterior medians
    import sim

    scn = sim.load_scenario(folder / "calibrated.toml")
    poor = scn.country[1]
    assert poor.propensity_to_consume == pytest.approx(p.loc["country.Poor.propensity_to_consume", "median"])


def test_an_interrupted_calibration_resumes_to_the_same_posterior_and_workers_do_not_matter(tmp_path, monkeypatch):
    doc = _short(_calibration_doc(tmp_path, population=20, generations=3, predictive=0))
    cal = _load(doc, tmp_path)
    whole = run_calibration(cal, workers=1, out=tmp_path / "a", figures=False)

    import sim.calibrate.evaluate as ev

    real = ev.execute
    calls = {"n": 0}

    def flaky(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(ev, "execute", flaky)
    with pytest.raises(KeyboardInterrupt):
        run_calibration(cal, workers=1, out=tmp_path / "b", figures=False)
    monkeypatch.setattr(ev, "execute", real)
    resumed = run_calibration(cal, workers=1, out=tmp_path / "b", figures=False)
    assert resumed.runs < whole.runs  # the runs finished before the interruption were found
    pd.testing.assert_frame_equal(whole.smc.table(), resumed.smc.table())
    two = run_calibration(cal, workers=2, out=tmp_path / "c", figures=False)
    pd.testing.assert_frame_equal(whole.smc.table(), two.smc.table())


def test_sobol_indices_of_the_distance_are_reported_beside_identifiability(tmp_path):
    doc = _short(_calibration_doc(tmp_path, population=20, generations=2, predictive=0, sensitivity=8))
    res = run_calibration(_load(doc, tmp_path), workers=1, out=tmp_path / "out", figures=False)
    p = res.parameters.set_index("parameter")
    assert {"S1", "ST", "S1_conf", "ST_conf"} <= set(p.columns)
    # a parameter that changes nothing has exactly zero total effect on the distance
    assert p.loc["world.policy.pull_forward", "ST"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("change", "where", "why"),
    [
        (lambda d: d["parameter"][0].update(path="country.Poor.no_such_key"), "parameter[0]", "unknown key"),
        (lambda d: d["parameter"][0].update(low=0.9, high=0.8), "parameter[0]", "must be below high"),
        (lambda d: d["parameter"][1].update(low=0.0), "parameter[1]", "log-uniform prior needs low > 0"),
        (
            lambda d: d["parameter"][0].update(prior="normal", mean=0.95, sd=0.05),
            "parameter[0]",
            "outside [low, high]",
        ),
        (lambda d: d["parameter"][0].update(low=0.2, high=1.5), "parameter[0]", "less than 1"),
        (lambda d: d["target"][0]["metric"].update(column="nonsense"), "target[0].metric", "nonsense"),
        (lambda d: d["target"][1].update(sd=0.0), "target[1].sd", "greater than 0"),
        (lambda d: d["method"].update(sensitivity=12), "method.sensitivity", "power of 2"),
        (lambda d: d.update(name="../escape"), "name", "pattern"),
        (lambda d: d["method"].update(kind="bogus"), "method.kind", "must be 'abc-smc' or 'smm'"),
        (lambda d: d["method"].update(starts=3), "method.starts", "unknown key"),
    ],
)
def test_bad_calibration_files_name_the_key_path(tmp_path, change, where, why):
    doc = copy.deepcopy(_calibration_doc(tmp_path))
    change(doc)
    with pytest.raises(ScenarioError) as err:
        _load(doc, tmp_path)
    text = str(err.value)
    assert where in text and why in text, text


def test_the_command_checks_and_describes_a_file_without_running(tmp_path):
    import subprocess
    import sys

    doc = _calibration_doc(tmp_path)
    path = tmp_path / "cal.toml"
    path.write_text(tomli_w.dumps(doc))
    out = subprocess.run(
        [sys.executable, "-m", "sim", "calibrate", str(path), "--dry-run"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "3 parameters, 2 targets" in out.stdout
    doc["parameter"][0]["path"] = "country.Nowhere.investment_rate"
    path.write_text(tomli_w.dumps(doc))
    bad = subprocess.run(
        [sys.executable, "-m", "sim", "calibrate", str(path)], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "Nowhere" in bad.stderr


def test_the_shipped_calibration_files_load():
    root = Path(__file__).resolve().parent.parent / "scenarios" / "calibrations"
    files = sorted(root.glob("*.toml"))
    cals = [f for f in files if "parameter" in f.read_text()]
    assert cals
    from sim.calibrate import load_calibration

    for f in cals:
        cal = load_calibration(f)
        assert cal.priors and cal.metrics


# ----------------------------------------------------------------------------- SMM


def test_smm_on_a_linear_model_gives_the_closed_form_estimate_and_standard_error():
    # moments m(theta) = A theta exactly (no simulation noise): with W = diag(1/sd^2) the estimate
    # is weighted least squares and its covariance (A'WA)^-1 A'W Omega W A (A'WA)^-1 = (A'WA)^-1.
    from sim.calibrate.smm import SMMSettings, smm, summarise_smm

    A = np.array([[1.0, 0.5], [0.2, 2.0], [1.0, -1.0]])
    truth = np.array([0.3, -0.4])
    sd = np.array([0.1, 0.2, 0.15])
    target = A @ truth + np.array([0.05, -0.1, 0.02])  # off the model's range: the fit is a projection

    def sim(values, stage, block):
        return (values @ A.T)[:, None, :]  # (k, S=1, m)

    priors = [Prior("a", "uniform", -2.0, 2.0), Prior("b", "uniform", -2.0, 2.0)]
    res = smm(priors, sim, target, sd, SMMSettings(starts=16, max_evaluations=400), seed=1)
    W = np.diag(1 / sd**2)
    exact = np.linalg.solve(A.T @ W @ A, A.T @ W @ target)
    assert res.estimate == pytest.approx(exact, abs=1e-3)
    se = np.sqrt(np.diag(np.linalg.inv(A.T @ W @ A)))
    assert res.se == pytest.approx(se, rel=1e-3)
    s = summarise_smm(res)
    assert s["identified"].all()


def test_smm_on_the_model_brackets_the_truth(tmp_path):
    doc = _calibration_doc(tmp_path)
    doc["parameter"] = doc["parameter"][:2]
    doc["seeds"] = 2
    doc["method"] = {"kind": "smm", "starts": 8, "max_evaluations": 60, "sensitivity": 0, "predictive": 4}
    res = run_calibration(_load(doc, tmp_path), workers=1, out=tmp_path / "out", figures=True)
    p = res.parameters.set_index("parameter")
    for path, truth in TRUTH.items():
        assert p.loc[path, "lower"] <= truth <= p.loc[path, "upper"], (path, p.loc[path].to_dict())
    assert (res.path / "evaluations.parquet").exists() and "estimate" in (res.path / "report.md").read_text()
    # a field of the other method is refused, not ignored
    doc["method"]["population"] = 50
    with pytest.raises(ScenarioError, match=r"method\.population: unknown key"):
        _load(doc, tmp_path)


@pytest.mark.slow
def test_recovery_study_with_the_shipped_example(tmp_path):
    """Opt-in (-m slow, ~6 minutes on 2 cores): the shipped example recovers its truth."""
    from sim.calibrate import load_calibration

    root = Path(__file__).resolve().parent.parent / "scenarios" / "calibrations"
    res = run_calibration(load_calibration(root / "recover_two.toml"), out=tmp_path, figures=False)
    p = res.parameters.set_index("parameter")
    assert (
        p.loc["country.Poor.propensity_to_consume", "lower"]
        <= 0.74
        <= p.loc["country.Poor.propensity_to_consume", "upper"]
    )
    assert p.loc["country.Poor.catchup_speed", "lower"] <= 1.0 <= p.loc["country.Poor.catchup_speed", "upper"]
    assert not bool(p.loc["world.policy.pull_forward", "identified"])


# ----------------------------------------------------------------------------- facts as targets

FACTS = Path(__file__).resolve().parent.parent / "data" / "facts_history.csv"


def _us_china(tmp_path: Path) -> Path:
    doc = {
        "simulation": {"name": "uc", "ticks": 10, "seed": 2, "start_year": 2000, "bilateral_every": 1},
        "world": {"trade_cost": 0.8},
        "country": [
            {"name": "US", "labor_force": 150.0, "productivity": 1.0},
            {"name": "China", "labor_force": 700.0, "productivity": 0.2, "propensity_to_consume": 0.7},
        ],
    }
    (tmp_path / "uc.toml").write_text(tomli_w.dumps(doc))
    return tmp_path / "uc.toml"


def _fact_calibration(tmp_path: Path, **fact) -> dict:
    _us_china(tmp_path)
    return {
        "name": "facts",
        "base": "uc.toml",
        "parameter": [{"path": "country.China.propensity_to_consume", "low": 0.6, "high": 0.85}],
        "target": [
            {"fact": {"table": str(FACTS), "economy": "China", "year": 2007, "quantity": "ca_gdp", **fact}},
            {
                "fact": {
                    "table": str(FACTS),
                    "economy": "China",
                    "partner": "US",
                    "year": 2007,
                    "quantity": "bilateral_balance",
                }
            },
        ],
        "method": {"population": 20, "generations": 2, "sensitivity": 0, "predictive": 0},
    }


def test_a_facts_row_is_a_target_with_its_value_and_half_band_and_the_scorecards_model_value(tmp_path):
    import sim
    from sim.history.facts import load_facts
    from sim.history.score import model_values
    from sim.metrics import evaluate

    cal = _load(_fact_calibration(tmp_path), tmp_path)
    facts = load_facts(FACTS)
    row = facts[(facts.economy == "China") & (facts.year == "2007") & (facts.quantity == "ca_gdp")].iloc[0]
    assert cal.target[0] == row.value and cal.scale[0] == pytest.approx((row.high - row.low) / 2)
    res = sim.simulate(cal.scenario)
    got, _ = evaluate(cal.metrics, res)
    mapping = {"China": ["China"], "US": ["US"]}
    keys = facts[
        ((facts.economy == "China") & (facts.year == "2007") & (facts.quantity == "ca_gdp"))
        | ((facts.economy == "China") & (facts.partner == "US") & (facts.year == "2007"))
    ]
    want = model_values(res, keys, mapping)
    assert [got["target_0"], got["target_1"]] == pytest.approx(list(want), rel=1e-12)
    # by hand: China's current account / GDP in 2007 (tick 7), in percent
    ts = res.timeseries[(res.timeseries.country == "China") & (res.timeseries.tick == 7)].iloc[0]
    assert got["target_0"] == pytest.approx(100 * ts.current_account / ts.gdp, rel=1e-12)
    out = run_calibration(cal, workers=1, out=tmp_path / "out", figures=False)
    assert len(out.smc.posterior.weights) == 20


@pytest.mark.parametrize(
    ("fact", "why"),
    [
        ({"year": 1950}, "has no fact"),
        ({"quantity": "ca_gdp", "economy": "Japan"}, "no model country stands for 'Japan'"),
        ({"year": 2000, "economy": "US"}, None),  # exists and is in the run: fine
    ],
)
def test_facts_targets_that_do_not_exist_or_cannot_be_computed_are_refused(tmp_path, fact, why):
    doc = _fact_calibration(tmp_path, **fact)
    if why is None:
        _load(doc, tmp_path)
        return
    with pytest.raises(ScenarioError, match=why):
        _load(doc, tmp_path)
    doc = _fact_calibration(tmp_path)
    doc["target"][0]["fact"]["year"] = 2015  # a real row, after the run's end (2009)
    with pytest.raises(ScenarioError, match="outside the run"):
        _load(doc, tmp_path)
