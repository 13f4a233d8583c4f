"""Worlds from data: the gapminder table, ``from_data``'s rules recomputed from the raw file,
its errors, the 142-country world of 1982 and the 1980 regions, each running with exact
accounting."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

import sim
from sim.errors import ScenarioError
from sim.history import gapminder, regions, world142
from sim.worlds import PARTICIPATION, data_document, from_data
from tests.conftest import ROOT
from tests.test_accounting import check_tables


def raw() -> dict[tuple[str, int], tuple[float, float]]:
    """(gapminder name, year) -> (population, income), read straight from the vendored file."""
    with open(ROOT / "data" / "gapminder" / "gapminder.csv", encoding="utf-8") as fh:
        return {(r["country"], int(r["year"])): (float(r["pop"]), float(r["gdpPercap"])) for r in csv.DictReader(fh)}


def test_the_vendored_table_has_142_countries_every_5_years_and_legal_names():
    df = gapminder.load()
    assert df["country"].nunique() == 142 and len(df) == 142 * 12
    assert tuple(sorted(df["year"].unique())) == gapminder.YEARS
    assert not [c for c in gapminder.countries() if "." in c]
    assert set(gapminder.RENAMES.values()) <= set(gapminder.countries())
    assert (ROOT / "data" / "gapminder" / "LICENSE.md").read_text().startswith("BSD 3-Clause")


def test_from_data_follows_its_rules_recomputed_from_the_raw_file():
    data = raw()
    doc = data_document(1982, ["United States", "South Korea", "Kuwait"])
    c = {x["name"]: x for x in doc["country"]}
    pop, inc = data[("Korea, Rep.", 1982)]
    pop77 = data[("Korea, Rep.", 1977)][0]
    us = data[("United States", 1982)][1]
    assert c["South Korea"]["labor_force"] == pytest.approx(pop * PARTICIPATION / 1e6)
    assert c["South Korea"]["labor_growth"] == pytest.approx(math.log(pop / pop77) / 5)
    assert c["South Korea"]["productivity"] == pytest.approx(inc / us)
    assert data[("Kuwait", 1982)][1] > us and c["Kuwait"]["productivity"] == 1.0  # capped at the frontier
    assert doc["country"][0]["name"] == "United States" and doc["simulation"]["start_year"] == 1982


def test_a_region_is_its_members_population_weighted():
    data = raw()
    doc = data_document(1962, {"US": ["United States"], "Giants": ["China", "India"]}, issuer="US")
    (pc, yc), (pi, yi) = data[("China", 1962)], data[("India", 1962)]
    giants = doc["country"][1]
    assert giants["labor_force"] == pytest.approx((pc + pi) * PARTICIPATION / 1e6)
    assert giants["productivity"] == pytest.approx((pc * yc + pi * yi) / (pc + pi) / data[("United States", 1962)][1])


def test_1980_is_interpolated_in_logs_only_when_asked():
    data = raw()
    doc = data_document(1980, ["United States", "China"], interpolate=True)
    china = doc["country"][1]
    (p77, y77), (p82, y82) = data[("China", 1977)], data[("China", 1982)]
    us77, us82 = data[("United States", 1977)][1], data[("United States", 1982)][1]
    assert china["labor_force"] == pytest.approx(p77**0.4 * p82**0.6 * PARTICIPATION / 1e6)
    assert china["productivity"] == pytest.approx((y77**0.4 * y82**0.6) / (us77**0.4 * us82**0.6))
    with pytest.raises(ScenarioError, match="1980 is not in the gapminder data"):
        from_data(1980, ["United States", "China"])


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((1982, ["United States", "Atlantis"]), {}, "countries\\[1\\]: unknown country 'Atlantis'"),
        ((1982, ["United States", "Korea, Rep."]), {}, "tradesim calls it 'South Korea'"),
        ((2012, ["United States"]), {}, "2012 is not in the gapminder data"),
        ((1947, ["United States"]), {"interpolate": True}, "1947 is outside the gapminder data"),
        ((1982, ["China"]), {}, "issuer: 'United States' is not among"),
        (
            (1982, {"US": ["United States"], "A": ["China"], "B": ["China"]}),
            {"issuer": "US"},
            "'China' is already in A",
        ),
        ((1982, {"US": ["United States"], "A": []}), {"issuer": "US"}, "regions.A: a region needs"),
    ],
)
def test_from_data_refuses_bad_requests(args, kwargs, message):
    with pytest.raises(ScenarioError, match=message):
        from_data(*args, **kwargs)


def test_the_142_country_world_runs_with_exact_accounting():
    doc = world142.document("persistence", seed=1)
    assert doc["simulation"]["bilateral_every"] == 0  # 142 x 142 x 3 flows a tick are not logged by default
    doc["simulation"]["bilateral_every"] = 1  # the accounting checks sum them
    scn = sim.load_scenario(doc)
    assert len(scn.names) == 142 and scn.simulation.start_year == 1982 and scn.simulation.ticks == 26
    check_tables(sim.simulate(scn, ticks=3))


def test_the_persistence_rule_recomputed_from_the_raw_file():
    data = raw()
    m = world142.multipliers("persistence")
    dev = sim.schema.Development()

    def rel(name, year):
        return math.log(data[(name, year)][1] / data[("United States", year)][1])

    for name in ("Korea, Rep.", "Thailand", "Botswana"):
        rate = (rel(name, 1982) - rel(name, 1957)) / 25
        gap = -rel(name, 1982)
        expected = min(20.0, max(0.0, rate / (dev.catchup_speed * gap**2 / (gap + dev.catchup_curvature))))
        assert m[gapminder.RENAMES.get(name, name)] == pytest.approx(expected)
    assert rel("Kenya", 1982) < rel("Kenya", 1957) and m["Kenya"] == 0.0  # fell behind: no catch-up
    assert (world142.multipliers("uniform") == 1.0).all() and len(m) == 142
    with pytest.raises(ValueError, match="unknown rule"):
        world142.multipliers("oracle")


def test_the_capability_rule_recomputed_from_the_raw_file():
    """Gainers keep the persistence multiplier and full capability; a country that fell behind
    keeps the multiplier 1 and the capability at which, by the closed form of docs/model.md 7.7,
    it first falls behind at its 1957-1982 rate."""
    data = raw()
    dev = sim.schema.Development()
    m, cap = world142.multipliers("capability"), world142.capabilities("capability")
    persistence = world142.multipliers("persistence")

    def rel(name, year):
        return math.log(data[(name, year)][1] / data[("United States", year)][1])

    for name in ("Kenya", "Ghana", "Jamaica"):
        rate = (rel(name, 1982) - rel(name, 1957)) / 25
        assert rate < 0
        gap = -rel(name, 1982)
        pull = dev.catchup_speed * gap**2 / (gap + dev.catchup_curvature)
        phi = min(1.0, max(0.0, (dev.frontier_growth + rate) / (dev.frontier_growth + pull)))
        assert m[name] == 1.0 and cap[name] == pytest.approx(phi * dev.capability_threshold)
        # the documented growth gap at that capability (investment effort 1) is minus the past rate
        if 0 < phi:
            assert (1 - phi) * dev.frontier_growth - phi * pull == pytest.approx(-rate)
    gainers = cap == 1.0
    # the fallers: the 61 with multiplier 0 under persistence, and Kuwait and Switzerland, at the
    # frontier in 1982 (no gap, so their multiplier was 1) though they had fallen behind the US
    assert (m[gainers] == persistence[gainers]).all() and (cap < 1.0).sum() == (persistence == 0).sum() + 2
    assert cap["Kuwait"] < 1.0 and cap["Switzerland"] < 1.0
    assert (world142.capabilities("persistence") == 1.0).all()
    doc = world142.document("capability", seed=1)
    doc["simulation"]["bilateral_every"] = 1  # the accounting checks sum them
    scn = sim.load_scenario(doc)
    assert sum(c.capability < dev.capability_threshold for c in scn.country) == int((cap < 0.5).sum())
    check_tables(sim.simulate(scn, ticks=2))


def test_the_comparison_of_a_model_that_reproduces_the_data_is_perfect():
    """compare() fed the data itself: growth ranks agree exactly and the dispersions coincide."""
    import pandas as pd

    years = [1982, 1987, 1992, 1997, 2002, 2007]
    rows = []
    for y in years:
        at = gapminder.at(y)
        for name, r in at.iterrows():
            rows.append({"year": float(y), "country": name, "gdp_ppp": r["income"] * r["population"],
                         "labor_force": r["population"]})  # fmt: skip
    fake = type("R", (), {"timeseries": pd.DataFrame(rows)})()
    out = world142.compare([fake])
    assert out["spearman"] == pytest.approx(1.0)
    d = out["dispersion"]
    np.testing.assert_allclose(d["model_unweighted"], d["data_unweighted"])
    np.testing.assert_allclose(d["model_weighted"], d["data_weighted"])
    c = out["clubs"].set_index("club")
    assert c.loc["East Asia", "data_change"] > 0.5 > 0 > c.loc["Sub-Saharan Africa", "data_change"]


def test_the_1980_regions_cover_every_country_once_and_run():
    reg = regions.history_regions()
    members = [c for m in reg.values() for c in m]
    assert sorted(members) == gapminder.countries()
    doc = regions.history_1980_document(ticks=4)
    assert [c["name"] for c in doc["country"]] == ["US", "Japan", "Dragons", "China", "Europe", "Rest of world"]
    check_tables(sim.simulate(doc))
