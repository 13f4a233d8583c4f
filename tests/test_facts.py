"""Facts tables: the shipped tables load, and every kind of bad table is refused naming the line."""

from __future__ import annotations

import pytest

from sim.errors import ScenarioError
from sim.history.facts import COLUMNS, QUANTITIES, load_facts
from tests.conftest import ROOT

HEADER = ",".join(COLUMNS)
GOOD = "China,,2007,ca_gdp,9.9,8.5,11.5,IMF WEO,recalled,"


def write(tmp_path, *rows, header=HEADER):
    p = tmp_path / "facts.csv"
    p.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("path", sorted((ROOT / "data").glob("facts_*.csv")), ids=lambda p: p.name)
def test_shipped_facts_tables_load_with_every_band_around_its_value(path):
    f = load_facts(path)
    assert len(f) > 0
    assert ((f["low"] <= f["value"]) & (f["value"] <= f["high"])).all()
    assert set(f["quantity"]) <= set(QUANTITIES) and set(f["quality"]) <= {"exact", "recalled"}


def test_the_issue_s_figures_are_in_the_tables_and_the_history_has_no_dollar_levels():
    f = load_facts(ROOT / "data" / "facts_history.csv")
    assert not f["quantity"].str.endswith("_usd_bn").any()  # no inflation in the unit of account
    f = f.set_index(["economy", "year", "quantity"])
    assert f.loc[("China", "2011", "ca_gdp"), "value"] < 4 < f.loc[("China", "2007", "ca_gdp"), "value"]
    assert f.loc[("US", "2006", "ca_gdp"), "value"] < -5
    c = load_facts(ROOT / "data" / "facts_china_2024.csv").set_index(["economy", "year", "quantity"])
    assert c.loc[("China", "2024", "exports_usd_bn"), "value"] == 3580
    assert c.loc[("China", "2024", "imports_usd_bn"), "value"] == 2590


def test_a_good_row_loads_with_its_years_and_line(tmp_path):
    f = load_facts(write(tmp_path, GOOD, "Japan,,1984-1987,ca_gdp,3.5,2.5,4.5,IMF,recalled,"))
    assert list(f["start"]) == [2007, 1984] and list(f["end"]) == [2007, 1987] and list(f["line"]) == [2, 3]


def test_a_missing_column_is_named(tmp_path):
    header = HEADER.replace(",quality", "")
    with pytest.raises(ScenarioError, match=r"line 1: missing column quality"):
        load_facts(write(tmp_path, "China,,2007,ca_gdp,9.9,8.5,11.5,IMF WEO,", header=header))


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Atlantis,,2007,ca_gdp,1,0,2,IMF,recalled,", "unknown economy 'Atlantis'"),
        ("China,,2007,ca_gdp,12,8.5,11.5,IMF,recalled,", r"band \[8.5, 11.5\] does not contain the value 12"),
        ("China,,2007,ca_gdp,9,9.5,8.5,IMF,recalled,", "is empty"),
        ("China,,2007,ca_gdp_ratio,9,8,10,IMF,recalled,", "unknown quantity 'ca_gdp_ratio'"),
        ("China,,07,ca_gdp,9,8,10,IMF,recalled,", "neither a year"),
        ("China,,1990-1985,ca_gdp,9,8,10,IMF,recalled,", "does not run forward"),
        ("China,,2007,ca_gdp,nine,8,10,IMF,recalled,", "value 'nine' is not a number"),
        ("China,,2007,ca_gdp,nan,8,10,IMF,recalled,", "not finite"),
        ("China,,2007,ca_gdp,9,8,10,,recalled,", "source is empty"),
        ("China,,2007,ca_gdp,9,8,10,IMF,guessed,", "quality 'guessed'"),
        ("China,,2007,bilateral_balance,0.4,0.3,0.5,Census,recalled,", "needs a partner"),
        ("China,Atlantis,2007,bilateral_balance,0.4,0.3,0.5,Census,recalled,", "unknown partner 'Atlantis'"),
        ("China,US,2007,ca_gdp,9,8,10,IMF,recalled,", "takes no partner"),
        ("China,,2007,global_imbalance,5,4,6,IMF,recalled,", "its economy must be 'World'"),
        ("World,,2007,ca_gdp,0,-1,1,IMF,recalled,", "'World' cannot be its economy"),
        ("China,,2007,ca_gdp,9,8,10,IMF,recalled", "expected 10 cells"),
    ],
)
def test_a_bad_row_is_refused_naming_its_line_and_fact(tmp_path, row, reason):
    with pytest.raises(ScenarioError, match=reason) as err:
        load_facts(write(tmp_path, GOOD, row))
    assert "line 3" in str(err.value) and str(tmp_path / "facts.csv") in str(err.value)


def test_every_bad_row_is_reported_and_a_duplicate_names_its_first_line(tmp_path):
    with pytest.raises(ScenarioError) as err:
        load_facts(write(tmp_path, GOOD, "Atlantis,,2007,ca_gdp,1,0,2,IMF,recalled,", GOOD))
    lines = [p for p, _ in err.value.problems]
    assert lines == ["line 3 (Atlantis, 2007, ca_gdp)", "line 4 (China, 2007, ca_gdp)"]
    assert "the same fact as line 2" in str(err.value)


def test_an_empty_or_missing_table_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="no facts"):
        load_facts(write(tmp_path))
    with pytest.raises(ScenarioError, match="cannot read"):
        load_facts(tmp_path / "none.csv")


def test_gapminder_countries_are_economies_under_their_tradesim_names(tmp_path):
    f = load_facts(write(tmp_path, "South Korea,,1998,ca_gdp,10.5,8.5,12.5,BoK,recalled,"))
    assert f["economy"].tolist() == ["South Korea"]
    with pytest.raises(ScenarioError, match="unknown economy 'Korea, Rep.'"):
        load_facts(write(tmp_path, '"Korea, Rep.",,1998,ca_gdp,10.5,8.5,12.5,BoK,recalled,'))
