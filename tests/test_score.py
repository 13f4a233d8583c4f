"""The scorecard's arithmetic on constructed runs whose answers are worked out by hand, and the
``tradesim score`` command's outputs and errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.errors import TradesimError
from sim.history.cli import parse_map
from sim.history.facts import load_facts
from sim.history.score import normalised_error, resolve_mapping, score
from sim.results import Results
from sim.scenario import load_scenario
from tests.conftest import ROOT

HEADER = "economy,partner,year,quantity,value,low,high,source,quality,note"


def constructed_run(shift: float = 0.0) -> Results:
    """Countries South Korea, Taiwan (GDP 100 and 300) and US (GDP 600), years 1999-2001.

    South Korea's current account is 2, 4, 6 (+ shift); Taiwan's -6 in 2001; the US's balances.
    In 2001 South Korea ships 10 to the US and buys 4 from it.
    """
    scn = load_scenario(
        {
            "simulation": {"name": "made", "ticks": 3, "start_year": 1999},
            "country": [{"name": n, "labor_force": 10.0} for n in ("South Korea", "Taiwan", "US")],
        }
    )
    rows = []
    ca = {"South Korea": [2.0, 4.0, 6.0 + shift], "Taiwan": [0.0, 0.0, -6.0]}
    for t in range(3):
        ca["US"] = [-ca["South Korea"][t] - ca["Taiwan"][t]] * 3
        for name, gdp, x in (("South Korea", 100.0, 30.0), ("Taiwan", 300.0, 60.0), ("US", 600.0, 60.0)):
            rows.append(
                {
                    "tick": t,
                    "year": 1999.0 + t,
                    "country": name,
                    "gdp": gdp,
                    "current_account": ca[name][t],
                    "exports": x,
                    "imports": x - ca[name][t],
                    "trade_balance": ca[name][t],
                    "reserves": 0.1 * gdp,
                }  # fmt: skip
            )
    ts = pd.DataFrame(rows)
    bil = pd.DataFrame(
        {
            "tick": [2, 2, 2],
            "origin": ["South Korea", "US", "Taiwan"],
            "destination": ["US", "South Korea", "US"],
            "sector": ["labor"] * 3,
            "value": [10.0, 4.0, 1.0],
            "final": [0.0] * 3,
            "intermediate": [0.0] * 3,
        }  # fmt: skip
    )
    return Results(timeseries=ts, bilateral=bil, scenario=scn)


def facts_of(tmp_path, *rows):
    p = tmp_path / "facts.csv"
    p.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return load_facts(p)


def test_per_fact_values_bands_and_errors_match_the_hand_computation(tmp_path):
    facts = facts_of(
        tmp_path,
        # mean of 2% and 4% = 3; error (3 - 2) / (4 - 2) = 0.5: pass, in-sample
        "South Korea,,1999-2000,ca_gdp,2.0,1.0,4.0,made,exact,",
        # 6% against 5 in [4.5, 5.5]: error 1 / 0.5 = 2, fail, out of sample
        "South Korea,,2001,ca_gdp,5.0,4.5,5.5,made,exact,",
        # Dragons mapped to South Korea + Taiwan: (6 - 6) / 400 = 0; below 1 in [0.5, 2]: error 1 / 0.5 = 2
        "Dragons,,2001,ca_gdp,1.0,0.5,2.0,made,recalled,",
        # sum |CA| / world GDP = (6 + 6 + 0) / 1000 = 1.2% below 1.5 in [1, 2]: error 0.3 / 0.5 = 0.6
        "World,,2001,global_imbalance,1.5,1.0,2.0,made,recalled,",
        # (10 - 4) / 1000 = 0.6% against 0.5 in [0.4, 0.7]: error 0.1 / 0.2 = 0.5
        "South Korea,US,2001,bilateral_balance,0.5,0.4,0.7,made,recalled,",
        # exports 30 / 100 = 30% against 20 in [10, 40]: error 0.5
        "South Korea,,2000,exports_gdp,20,10,40,made,recalled,",
        # GDP share 60% against 50 in [40, 55]: error 10 / 5 = 2
        "US,,2000,gdp_share,50,40,55,made,recalled,",
        # years outside the run, an economy outside the model: not covered
        "South Korea,,1990,ca_gdp,1,0,2,made,recalled,",
        "Japan,,2000,ca_gdp,1,0,2,made,recalled,",
    )
    card = score([constructed_run()], facts, split=2000, mapping={"Dragons": ["South Korea", "Taiwan"]})
    t = card.table
    np.testing.assert_allclose(t["model"].iloc[:7], [3.0, 6.0, 0.0, 1.2, 0.6, 30.0, 60.0])
    np.testing.assert_allclose(t["error"].iloc[:7], [0.5, 2.0, 2.0, 0.6, 0.5, 0.5, 2.0])
    assert t["passed"].iloc[:7].tolist() == [True, False, False, True, True, True, False]
    assert t["model"].iloc[7:].isna().all() and t["passed"].iloc[7:].isna().all()
    assert t["sample"].tolist() == ["in", "out", "out", "out", "out", "in", "in", "in", "in"]
    assert card.mapping["Dragons"] == ["South Korea", "Taiwan"] and card.mapping["Japan"] == []
    # distances: in-sample facts 0.5, 0.5, 2 -> 1.0; out of sample 2, 2, 0.6, 0.5 -> 1.275
    assert card.summary("in") == {"facts": 5, "covered": 3, "passed": 2, "distance": pytest.approx(1.0)}
    assert card.summary("out") == {"facts": 4, "covered": 4, "passed": 2, "distance": pytest.approx(1.275)}
    assert card.summary()["distance"] == pytest.approx((0.5 + 0.5 + 2 + 2 + 2 + 0.6 + 0.5) / 7)


def test_the_model_value_is_the_median_over_seeds(tmp_path):
    facts = facts_of(tmp_path, "South Korea,,2001,ca_gdp,5.0,4.5,5.5,made,exact,")
    runs = [constructed_run(shift) for shift in (-1.0, 0.0, 3.0)]  # 5%, 6%, 9%
    card = score(runs, facts)
    np.testing.assert_allclose(card.per_seed[:, 0], [5.0, 6.0, 9.0])
    assert card.table["model"].iloc[0] == pytest.approx(6.0)
    assert card.table["seeds"].iloc[0] == 3


def test_a_mapping_overrides_names_and_must_name_model_countries():
    names = ["South Korea", "Taiwan", "US"]
    assert resolve_mapping(["Dragons", "US", "Hong Kong"], names) == {
        "Dragons": [],  # Hong Kong and Singapore are missing: the group is not in the model
        "US": ["US"],
        "Hong Kong": [],
    }
    assert resolve_mapping(["Dragons"], names, {"Dragons": ["Taiwan"]}) == {"Dragons": ["Taiwan"]}
    assert resolve_mapping(["US"], ["United States", "China"]) == {"US": ["United States"]}
    with pytest.raises(TradesimError, match="no country 'Atlantis'"):
        resolve_mapping(["Dragons"], names, {"Dragons": ["Atlantis"]})


def test_normalised_error_uses_the_band_side_of_the_model_value():
    err = normalised_error(np.array([4.0, 0.0, 2.0, np.nan]), 2.0, 1.0, 6.0)
    np.testing.assert_allclose(err[:3], [0.5, 2.0, 0.0])
    assert np.isnan(err[3])


def test_parse_map():
    assert parse_map(["Dragons=South Korea+Taiwan", "Europe = Germany"]) == {
        "Dragons": ["South Korea", "Taiwan"],
        "Europe": ["Germany"],
    }
    for bad in (["Dragons"], ["=Taiwan"], ["Dragons="], ["A=B", "A=C"]):
        with pytest.raises(TradesimError):
            parse_map(bad)


def tradesim(*args, cwd):
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def small_scenario(tmp_path):
    p = tmp_path / "small.toml"
    p.write_text(
        "[simulation]\nticks = 4\nstart_year = 2005\nseed = 2\n"
        '[[country]]\nname = "US"\nlabor_force = 100.0\n'
        '[[country]]\nname = "China"\nlabor_force = 300.0\nproductivity = 0.2\n',
        encoding="utf-8",
    )
    return p


def test_score_command_writes_the_scorecard_and_a_figure_per_economy(tmp_path):
    scen = small_scenario(tmp_path)
    facts = tmp_path / "facts.csv"
    facts.write_text(
        HEADER + "\nChina,,2006,ca_gdp,5,-50,50,made,recalled,\nUS,,2004-2005,ca_gdp,0,-50,50,made,recalled,\n"
        "Japan,,2007,ca_gdp,0,-1,1,made,recalled,\n",
        encoding="utf-8",
    )
    p = tradesim("score", str(scen), "--facts", str(facts), "--seeds", "2", "--out", "sc", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "in-sample: 0/0 facts pass (0 in the table), distance —" in p.stdout
    assert "out-of-sample: 1/1 facts pass (3 in the table)" in p.stdout
    out = tmp_path / "sc"
    md = (out / "score.md").read_text()
    assert "median over 2 runs" in md and "Not in the model (facts not covered): Japan" in md
    assert {f.name for f in out.glob("*.png")} == {"score_China.png", "score_US.png", "score_Japan.png"}
    table = pd.read_csv(out / "score.csv")
    assert table["seeds"].tolist() == [2, 0, 0]  # the run starts in 2005: it covers 2004-2005 only in part
    # a finished run is scored too; a split year moves facts between the samples
    run = tradesim("run", str(scen), "--out", "res", "--no-figure", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    folder = next((tmp_path / "res" / "small").iterdir())
    again = tradesim("score", str(folder), "--facts", str(facts), "--split", "2006", "--no-figures", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "in-sample: 1/1 facts pass" in again.stdout
    assert (folder / "score" / "score.md").exists() and not list((folder / "score").glob("*.png"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere.toml"], "nowhere.toml: no such run folder or scenario file"),
        (["SCEN", "--seeds", "0"], "--seeds must be at least 1"),
        (["SCEN", "--map", "Dragons"], "--map takes ECONOMY=COUNTRY"),
        (["SCEN", "--map", "Dragons=Atlantis"], "no country 'Atlantis'"),
        (["DIR", "--seeds", "2"], "apply to a scenario file"),
    ],
)
def test_score_command_errors_are_one_line(tmp_path, args, message):
    scen = small_scenario(tmp_path)
    args = [str(scen) if a == "SCEN" else str(tmp_path) if a == "DIR" else a for a in args]
    p = tradesim("score", *args, "--facts", str(ROOT / "data" / "facts_history.csv"), cwd=tmp_path)
    assert p.returncode == 2 and message in p.stderr and p.stderr.startswith("error:"), p.stderr


def test_score_command_refuses_a_bad_facts_table_naming_the_row(tmp_path):
    facts = tmp_path / "bad.csv"
    facts.write_text(HEADER + "\nAtlantis,,2007,ca_gdp,0,-1,1,made,recalled,\n", encoding="utf-8")
    p = tradesim("score", str(small_scenario(tmp_path)), "--facts", str(facts), cwd=tmp_path)
    assert p.returncode == 2 and "line 2 (Atlantis, 2007, ca_gdp): unknown economy" in p.stderr


def test_the_figures_paths_are_the_yearly_values_and_their_median_over_runs(tmp_path):
    from sim.history.report import annual_paths

    facts = facts_of(tmp_path, "South Korea,,2001,ca_gdp,5.0,4.5,5.5,made,exact,")
    runs = [constructed_run(shift) for shift in (-1.0, 0.0, 3.0)]
    paths = annual_paths(runs, score(runs, facts))
    assert paths["year"].tolist() == [1999, 2000, 2001]
    np.testing.assert_allclose(paths["model"], [2.0, 4.0, 6.0])  # 2001: median of 5, 6 and 9
