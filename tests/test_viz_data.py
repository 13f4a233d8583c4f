"""The classroom demo without a browser: view data against the results tables, the live phase
on constructed series, the levers, the colours and the caption."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tomli_w

from sim.analysis import bilateral_balance_matrix, reserves_months
from sim.analysis.figures import PHASE_COLORS
from sim.analysis.phases import BALANCE, IMBALANCE, REBALANCING
from sim.errors import TradesimError
from sim.model import TradeModel
from sim.overview import DEFICIT_COLOR, EVEN_COLOR, PALETTE, SURPLUS_COLOR, balance_cmap, country_colors
from sim.results import Results
from sim.scenario import load_scenario
from sim.viz import charts, data, views
from sim.viz.captions import Situation, caption, year_words
from sim.viz.demo_model import (
    DemoModel,
    Levers,
    classroom_choices,
    classroom_document,
    default_pair,
    lever_overrides,
    scenario_path,
)
from tests.conftest import two_country

TICKS = 14


@pytest.fixture(scope="module")
def run():
    """A demo model on the export-controls scenario (its event at tick 10 is inside the run),
    and the results tables its recorder builds."""
    model = DemoModel("export_controls")
    for _ in range(TICKS):
        model.step()
    ts, bil = model.recorder.tables(model)
    return model, Results(timeseries=ts, bilateral=bil, scenario=model.initial_spec)


# ---------------------------------------------------------------- view data vs the tables


def test_balance_shares_equal_the_logged_columns(run):
    model, res = run
    expected = (res.series("trade_balance") / res.series("gdp")).to_numpy()
    np.testing.assert_allclose(data.balance_shares(model), expected, rtol=1e-12)
    # and the columns themselves are exports - imports
    exp = (res.series("exports") - res.series("imports")) / res.series("gdp")
    np.testing.assert_allclose(data.balance_shares(model), exp.to_numpy(), rtol=1e-9, atol=1e-15)
    assert data.balance_shares(model).shape == (TICKS, 5)


def test_imbalance_index_is_sum_abs_current_account_over_world_gdp(run):
    model, res = run
    np.testing.assert_allclose(data.imbalance_index(model), res.imbalance_index().to_numpy(), rtol=1e-12)
    ca, gdp = res.series("current_account").iloc[-1], res.series("gdp").iloc[-1]
    assert data.imbalance_index(model)[-1] == pytest.approx(ca.abs().sum() / gdp.sum(), rel=1e-12)


def test_reserves_months_match_the_analysis(run):
    model, res = run
    np.testing.assert_allclose(data.reserves_months(model), reserves_months(res).to_numpy(), rtol=1e-12)


def test_bilateral_balance_matches_the_long_table_and_sums_to_trade_balances(run):
    model, res = run
    last = model.recorder.ticks[-1]
    for back in (0, 3):
        tick = model.recorder.ticks[-1 - back]
        expected = bilateral_balance_matrix(res, tick).to_numpy()
        np.testing.assert_allclose(data.bilateral_balance(model, back), expected, rtol=1e-10, atol=1e-9)
    bal = data.bilateral_balance(model)
    np.testing.assert_allclose(bal, -bal.T)
    # each row sums to the country's trade balance (exports - imports, every partner)
    tb = res.series("trade_balance").loc[last].to_numpy()
    np.testing.assert_allclose(bal.sum(axis=1), tb, rtol=1e-9, atol=1e-6 * np.abs(tb).max())


def test_output_shares_from_the_sector_columns(run):
    model, res = run
    value = res.series("output_labor") * res.series("price_labor")
    expected = value.div(value.sum(axis=1), axis=0).to_numpy()
    got = data.output_shares(model, "labor")
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(got.sum(axis=1), 1.0)


def test_years_frame_and_events(run):
    model, res = run
    np.testing.assert_array_equal(data.years(model), res.timeseries.drop_duplicates("tick")["year"].to_numpy())
    # export_controls: 45 years from 2000, its one event at tick 10
    assert data.span(model) == (2000.0, 2045.0)
    assert data.event_years(model) == [2010.0]
    assert year_words(2021.25, 0.25) == "2021 Q2" and year_words(2021.0, 0.25) == "2021 Q1"


def test_a_long_run_slides_a_200_year_frame():
    model = DemoModel("endless_cycle")  # 500 years from 1800
    assert data.span(model) == (1800.0, 2000.0)
    for _ in range(250):
        model.step()
    now = float(data.years(model)[-1])  # 2049: 80% across a frame of 200 years
    assert data.span(model) == (now - 160.0, now + 40.0)
    opt = views.balance(model).option
    first = opt["series"][0]["data"][0][0]
    assert first >= now - 160.0 and opt["xAxis"]["min"] == now - 160.0


# ---------------------------------------------------------------- the live phase


RAW = data.LiveRule(hold_years=0)  # the rule without the hold (each year's own label)


def test_live_phase_of_constructed_series():
    t = np.arange(31, dtype=float)
    # small everywhere: balance by level
    assert set(data.live_phases(np.full(31, 0.005), 1.0, RAW)) == {BALANCE}
    # large and standing: imbalance
    assert set(data.live_phases(np.full(31, 0.05), 1.0, RAW)) == {IMBALANCE}
    # rising 0.2 points a year from 2%: widening throughout
    assert set(data.live_phases(0.02 + 0.002 * t, 1.0, RAW)) == {IMBALANCE}
    # falling 0.2 points a year from 8%: the 4-year average falls 0.6 points per 3 years from
    # tick 6 on (below -0.2), so rebalancing; before it, the widening default holds
    falling = data.live_phases(0.08 - 0.002 * t, 1.0, RAW)
    assert list(falling[:2]) == [IMBALANCE, IMBALANCE]
    assert set(falling[6:]) == {REBALANCING}
    # falling below 1% of world GDP: balance by level once the 4-year average is below it
    low = data.live_phases(np.maximum(0.03 - 0.002 * t, 0.0), 1.0, RAW)
    s = data.trailing_mean(np.maximum(0.03 - 0.002 * t, 0.0), 4)
    assert set(low[s <= 0.01]) == {BALANCE}


def test_live_phase_near_the_low_after_a_trough():
    # down from 6% to 2% over 20 years, then up again at the same speed
    x = np.concatenate([0.06 - 0.002 * np.arange(21), 0.02 + 0.002 * np.arange(1, 21)])
    lab = data.live_phases(x, 1.0, RAW)
    assert set(lab[8:20]) == {REBALANCING}
    s = data.trailing_mean(x, 4)
    # once rising (3-year change of the average above +0.2 points) and within the lowest fifth
    # of the 20-year range: balance; higher up: imbalance
    rising = np.flatnonzero((s - s[np.maximum(np.arange(x.size) - 3, 0)]) > 0.002)
    rising = rising[rising > 20]
    win_lo = np.array([s[max(0, i - 19) : i + 1].min() for i in range(x.size)])
    win_hi = np.array([s[max(0, i - 19) : i + 1].max() for i in range(x.size)])
    near = (s - win_lo) <= 0.2 * (win_hi - win_lo)
    assert rising.size > 5
    assert all(lab[i] == (BALANCE if near[i] else IMBALANCE) for i in rising)
    assert BALANCE in set(lab[rising]) and IMBALANCE in set(lab[rising])


def test_hold_keeps_a_phase_until_the_new_one_has_lasted():
    raw = np.array(list("bbbriiiirbbbiiiiirrbbb"))
    held = data.hold_labels(raw, 3)
    # one- and two-year runs (r, r, rr) keep the label before them; a change shows on its 3rd
    # year (i from index 6, b from 11, i from 14, b from 21)
    assert "".join(held) == "bbbbbb" + "iiiii" + "bbb" + "iiiiiii" + "b"
    assert "".join(data.hold_labels(raw, 1)) == "".join(raw)
    # causal: a prefix's labels do not depend on what follows
    assert all((data.hold_labels(raw[: t + 1], 3) == held[: t + 1]).all() for t in range(raw.size))
    # the live phase holds for 3 years: no run shorter than that after the first
    rng = np.random.default_rng(1)
    x = 0.012 + 0.006 * rng.standard_normal(200)  # noise around the balance level
    flicker = data.live_phases(x, 1.0, RAW)
    live = data.live_phases(x, 1.0)
    assert min(b - a + 1 for a, b, _ in charts.phase_spans(flicker)) == 1
    assert min(b - a + 1 for a, b, _ in charts.phase_spans(live)[1:-1]) >= 3
    np.testing.assert_array_equal(live, data.hold_labels(flicker, 3))


def test_live_phase_is_causal_and_scaled_to_quarters():
    rng = np.random.default_rng(4)
    x = 0.03 + 0.02 * np.sin(np.arange(120) / 9.0) + 0.002 * rng.standard_normal(120)
    full = data.live_phases(x, 1.0)
    for t in range(0, 120, 11):
        assert data.live_phases(x[: t + 1], 1.0)[-1] == full[t]
    # the same path observed quarterly (each year repeated four times): the windows are in years
    q = data.live_phases(np.repeat(x, 4), 0.25)
    assert np.mean(q[::4] == full) > 0.85
    assert data.smoothing_ticks(1.0) == 4 and data.smoothing_ticks(0.25) == 15


def test_live_phase_of_the_model_uses_its_index(run):
    model, _ = run
    assert data.live_phase(model) == data.live_phases(data.imbalance_index(model), 1.0)[-1]


# ---------------------------------------------------------------- levers


def _doc(name: str) -> dict:
    return classroom_document(name, Levers())


def test_neutral_levers_leave_the_scenario_as_shipped():
    assert Levers().neutral
    assert lever_overrides(_doc("baseline"), Levers()) == {}
    demo, plain = DemoModel("baseline"), TradeModel(str(scenario_path("baseline")))
    for _ in range(8):
        demo.step()
        plain.step()
    np.testing.assert_array_equal(demo.state.ca, plain.state.ca)
    np.testing.assert_array_equal(demo.state.gdp, plain.state.gdp)


def test_each_lever_sets_its_key_path():
    doc = _doc("weak_consumption")  # China consumes 0.70, and 0.78 from tick 30
    lv = Levers(
        reserve_target_months=12,
        consumption_change=0.05,
        tariff=0.25,
        export_controls=True,
        catchup=2.0,
        start_tick=10,
    )
    out = lever_overrides(doc, lv)
    assert out["country.China.reserve_target_months"] == 12.0
    assert out["country.China.propensity_to_consume"] == pytest.approx(0.75)
    assert out["country.US.tariffs"] == {"China": 0.25}
    assert out["country.US.export_controls"] == {"hightech": {"destinations": ["China"]}}
    assert out["world.development.catchup_speed"] == pytest.approx(2 * 0.02)
    # relative to the value in force at the start tick: after the scenario's own event
    later = lever_overrides(doc, Levers(consumption_change=0.05, start_tick=40))
    assert later == {"country.China.propensity_to_consume": pytest.approx(0.83)}


def test_export_controls_lever_merges_with_the_scenarios_controls():
    doc = _doc("export_controls")  # from tick 10 the US blocks "*" but exempts Europe, Japan, India
    out = lever_overrides(doc, Levers(country="India", partner="US", export_controls=True, start_tick=20))
    rule = out["country.US.export_controls"]["hightech"]
    assert rule["destinations"] == ["*"] and "India" not in rule["exempt"] and "Japan" in rule["exempt"]
    before = lever_overrides(doc, Levers(country="India", export_controls=True, start_tick=5))
    assert before["country.US.export_controls"] == {"hightech": {"destinations": ["India"]}}


def test_levers_apply_at_their_tick_and_reach_the_economics():
    lv = {"tariff": 0.4, "start_tick": 3}
    with_tariff, without = DemoModel("baseline", **lv), DemoModel("baseline")
    for _ in range(3):
        with_tariff.step()
        without.step()
    # same world until the levers' tick
    np.testing.assert_array_equal(with_tariff.state.ca, without.state.ca)
    assert with_tariff.spec.country[0].tariffs == {}
    for _ in range(6):
        with_tariff.step()
        without.step()
    assert with_tariff.spec.country[0].tariffs == {"China": 0.4}
    us, china = 0, 3
    # China's exports to the US fall under a 40% US tariff
    assert data.bilateral_balance(with_tariff)[china, us] < data.bilateral_balance(without)[china, us]
    # from the start: in force at tick 0
    assert DemoModel("baseline", tariff=0.4, start_tick=0).spec.country[0].tariffs == {"China": 0.4}


def test_lever_errors_are_clear():
    with pytest.raises(TradesimError, match="both 'China'"):
        DemoModel("baseline", country="China", partner="China")
    with pytest.raises(TradesimError, match="Atlantis"):
        DemoModel("baseline", country="Atlantis")
    with pytest.raises(TradesimError, match="no scenario file 'nosuch'"):
        scenario_path("nosuch")


def test_model_stops_at_the_scenario_length(tmp_path):
    doc = two_country()
    doc["simulation"]["ticks"] = 6
    path = tmp_path / "short.toml"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    model = DemoModel(str(path), country="Poor", partner="Rich")
    steps = 0
    while model.running and steps < 20:
        model.step()
        steps += 1
    assert steps == 6 and model.tick == 6


def test_offered_scenarios_put_the_cycle_first_and_levers_follow_each_world():
    assert classroom_choices("endless_cycle")[0] == "endless_cycle"
    choices = classroom_choices("baseline")
    assert choices[:2] == ["baseline", "endless_cycle"] and "flying_geese" in choices
    assert default_pair("baseline") == ("China", "US")
    # a world without China and the US: the first reserve issuer (North) and the largest other
    # labor force (East: 400 of North 100, West 150, Island 60, South 300, Far 200)
    assert default_pair("endless_cycle") == ("East", "North")
    model = DemoModel("endless_cycle")
    assert (model.levers.country, model.levers.partner) == ("East", "North")
    # every offered world opens with levers of its own countries, and a moved lever applies there
    for name in choices:
        country, partner = default_pair(name)
        names = load_scenario(scenario_path(name)).names
        assert country in names and partner in names and country != partner
    doc = classroom_document("endless_cycle", Levers(country="East", partner="North"))
    out = lever_overrides(doc, Levers(country="East", partner="North", tariff=0.25))
    assert out == {"country.North.tariffs": {"East": 0.25}}


def test_the_history_is_offered_with_levers_of_its_regions_read_at_the_levers_year():
    assert classroom_choices("endless_cycle")[-1] == "history_1980"
    assert default_pair("history_1980") == ("China", "US")
    doc = classroom_document("history_1980", Levers())
    # the levers act on the scenario as its events left it at the levers' year: by 2020 (tick
    # 40) the US tariff on China is the trade war's 16.2% and China's propensity 0.65 (1980)
    out = lever_overrides(doc, Levers(tariff=0.25, consumption_change=0.05, start_tick=40))
    assert out == {"country.US.tariffs": {"China": 0.25}, "country.China.propensity_to_consume": pytest.approx(0.70)}
    early = lever_overrides(doc, Levers(tariff=0.25, start_tick=10))
    assert early == {"country.US.tariffs": {"China": 0.25}}
    # the page plays it: the years are calendar years from 1980, one a tick, to 2024
    model = DemoModel("history_1980", start_tick=40, tariff=0.25)
    for _ in range(45):
        model.step()
    years = [p[0] for p in views.balance(model).option["series"][0]["data"]]
    assert years[0] == 1980.0 and years[-1] == 2024.0 and len(years) == 45
    assert model.spec.country[0].tariffs == {"China": 0.25}
    # one colour per region, US and China as the key says (docs/demo.md)
    colors = views.countries(model)
    assert len(set(colors.values())) == 6
    assert (colors["US"], colors["China"]) == ("#0072B2", "#D55E00")


# ---------------------------------------------------------------- colours


def test_country_colours_are_stable_distinct_and_colour_blind_safe():
    names = ["US", "Europe", "Japan", "China", "India"]
    a, b = country_colors(names), country_colors(list(names))
    assert a == b
    assert len(set(a.values())) == len(names)
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert set(PALETTE) == okabe_ito


def test_every_view_uses_the_one_colour_mapping(run):
    model, _ = run
    colors = country_colors(model.names)
    assert views.countries(model) == colors
    for build in (views.balance, views.reserves, views.production):
        opt = build(model).option
        assert {s["name"]: s["lineStyle"]["color"] for s in opt["series"]} == colors
    heat = views.bilateral(model).option
    for axis in ("xAxis", "yAxis"):
        assert {c["value"]: c["textStyle"]["color"] for c in heat[axis]["data"]} == colors


def test_surplus_and_deficit_have_one_colour_on_the_page_and_in_the_figures(run, tmp_path, monkeypatch):
    import matplotlib.axes
    from matplotlib.colors import to_hex

    from sim.analysis.figures import bilateral_heatmap

    model, res = run
    # the page: the low end of the matrix colours is a deficit, the high end a surplus
    heat = views.bilateral(model).option
    assert heat["visualMap"]["inRange"]["color"] == [DEFICIT_COLOR, EVEN_COLOR, SURPLUS_COLOR]
    assert heat["visualMap"]["min"] == -heat["visualMap"]["max"]
    # the analysis figure (analysis/bilateral.png) draws positive (surplus) cells in the same colour
    drawn = {}
    real = matplotlib.axes.Axes.imshow

    def spy(self, x, *args, **kw):
        drawn.update(kw, data=np.asarray(x))
        return real(self, x, *args, **kw)

    monkeypatch.setattr(matplotlib.axes.Axes, "imshow", spy)
    bilateral_heatmap(res, tmp_path / "bilateral.png", tick=model.recorder.ticks[-1])
    cmap, lim = drawn["cmap"], drawn["vmax"]
    assert drawn["vmin"] == -lim
    assert to_hex(cmap(1.0)) == SURPLUS_COLOR.lower() and to_hex(cmap(0.0)) == DEFICIT_COLOR.lower()
    from matplotlib.colors import to_rgb

    assert np.allclose(balance_cmap()(0.5)[:3], to_rgb(EVEN_COLOR), atol=2 / 255)
    # the largest surplus is drawn at the surplus end
    assert drawn["data"].max() == pytest.approx(lim)


# ---------------------------------------------------------------- charts


def test_chart_options_hold_the_view_data_and_are_json(run):
    model, _ = run
    years = data.years(model)
    shares = data.balance_shares(model)
    span = data.span(model)
    opt = charts.lines_chart(years, 100 * shares, model.names, country_colors(model.names), span=span)
    china = next(s for s in opt["series"] if s["name"] == "China")
    np.testing.assert_allclose([p[0] for p in china["data"]], years)
    np.testing.assert_allclose([p[1] for p in china["data"]], 100 * shares[:, 3], atol=5e-7)
    assert (opt["xAxis"]["min"], opt["xAxis"]["max"]) == span == (2000.0, 2045.0)
    index = data.imbalance_index(model)
    phases = data.live_phases(index, 1.0)
    imb = charts.imbalance_chart(years, index, data.live_smoothed(index, 1.0), phases, span=span, events=[2010.0])
    bands = imb["series"][0]["markArea"]["data"]
    starts = [b[0]["xAxis"] for b in bands]
    ends = [b[1]["xAxis"] for b in bands]
    # bands tile the years run: each starts where the previous ended, the last ends a year after the last
    assert starts[0] == 2000.0 and starts[1:] == ends[:-1] and ends[-1] == years[-1] + 1
    spans = charts.phase_spans(phases)
    assert [b[0]["itemStyle"]["color"] for b in bands] == [PHASE_COLORS[p] for _, _, p in spans]
    assert "".join(p * (b - a + 1) for a, b, p in spans) == "".join(phases)
    # the policy event: a dashed vertical line at 2010
    assert imb["series"][0]["markLine"]["data"] == [{"xAxis": 2010.0}]
    assert imb["series"][0]["markLine"]["lineStyle"]["type"] == "dashed"
    bal = data.bilateral_balance(model)
    heat = charts.heatmap_chart(model.names, bal, country_colors(model.names), gdp_world=100.0)
    cell = next(c for c in heat["series"][0]["data"] if c["value"][:2] == [0, 3])  # China (row) vs US
    assert cell["value"][2] == pytest.approx(bal[3, 0], abs=5e-7)  # % of a world GDP of 100
    assert cell["label"]["formatter"] == charts.compact(bal[3, 0])
    for o in (opt, imb, heat):
        json.dumps(o, allow_nan=False)
    # a missing value is a gap, not NaN
    gap = charts.lines_chart(np.array([2000.0, 2001.0]), np.array([[1.0], [np.nan]]), ["X"], {"X": "#000"}, span=span)
    assert gap["series"][0]["data"] == [[2000.0, 1.0], [2001.0, None]]


def test_axes_fit_their_panel_and_quarters_read_as_years():
    """The x axis is in calendar years with whole-year labels the browser formats (no "2020 Q1"
    category labels to collide), every axis keeps its labels inside the panel and drops one that
    would touch its neighbour."""
    for name in ("trade_war", "baseline"):  # quarters and years
        model = DemoModel(name)
        for _ in range(6):
            model.step()
        for build in (views.imbalance, views.balance, views.reserves, views.production):
            opt = build(model).option
            x = opt["xAxis"]
            assert x["type"] == "value" and x["minInterval"] == 1
            assert x["axisLabel"]["formatter"] == charts.YEAR_FORMAT and x["axisLabel"]["hideOverlap"]
            assert opt["grid"]["containLabel"] and opt["yAxis"]["axisLabel"]["hideOverlap"]
            assert "title" not in opt and "legend" not in opt  # HTML above the chart holds them
        years = [p[0] for p in views.balance(model).option["series"][0]["data"]]
        assert years[:2] == ([2018.0, 2018.25] if name == "trade_war" else [2000.0, 2001.0])


def test_matrix_numbers_fit_their_cells_for_every_shipped_world():
    """Numbers in at most 5 characters at a size that shrinks with the number of countries."""
    assert [charts.compact(v) for v in (0.3, -0.4, 53, -27, 128.4, -297.52, 1234.5, -52_345.0, 2.6e6)] == [
        "0", "0", "+53", "-27", "+128", "-298", "+1.2k", "-52k", "+2.6M"
    ]  # fmt: skip
    assert charts.heatmap_label_size(5) > charts.heatmap_label_size(6) > charts.heatmap_label_size(8) > 0
    assert charts.heatmap_label_size(9) == 0
    for name in classroom_choices("endless_cycle"):
        model = DemoModel(name)
        for _ in range(3):
            model.step()
        opt = views.bilateral(model).option
        n = len(model.names)
        labels = [c["label"]["formatter"] for c in opt["series"][0]["data"]]
        assert len(labels) == n * n and max(len(t) for t in labels) <= 5
        assert opt["series"][0]["label"]["fontSize"] == (charts.heatmap_label_size(n) or charts.FONT)
        assert opt["grid"]["containLabel"] and opt["xAxis"]["axisLabel"]["interval"] == 0


# ---------------------------------------------------------------- caption


def _situation(**kw) -> Situation:
    names = ["US", "China", "India"]
    base = dict(
        year=2012.0,
        span_years=3.0,
        names=names,
        bilateral_now=np.array([[0.0, -300.0, 10.0], [300.0, 0.0, 5.0], [-10.0, -5.0, 0.0]]),
        bilateral_before=np.array([[0.0, -200.0, 10.0], [200.0, 0.0, 5.0], [-10.0, -5.0, 0.0]]),
        gdp_now=np.array([20000.0, 15000.0, 3000.0]),
        sector="labor",
        share_now=np.array([0.10, 0.55, 0.35]),
        share_before=np.array([0.10, 0.62, 0.28]),
        phase=IMBALANCE,
        phase_before=IMBALANCE,
        index_now=0.031,
        index_before=0.024,
        index_years=4.0,
        focus=(1, 0),
    )
    base.update(kw)
    return Situation(**base)


def test_caption_tells_the_constructed_situation():
    text = caption(_situation())
    assert text.startswith(
        "China's surplus with the US is rising (300 bn USD a year, 2.0% of China's GDP) "
        "while labor-intensive production moves from China to India."
    )
    assert "persist or grow: the imbalance index (average of 4 years) is 3.1% of world GDP, up from 2.4%" in text


def test_caption_describes_from_the_surplus_side_and_each_trend():
    # the focus given as (US, China): the US runs the deficit, so China's surplus is described
    assert caption(_situation(focus=(0, 1))).startswith("China's surplus with the US is rising")
    shrinking = _situation(bilateral_before=np.array([[0, -400.0, 0], [400.0, 0, 0], [0, 0, 0]]))
    assert "China's surplus with the US is shrinking" in caption(shrinking)
    steady = _situation(bilateral_before=np.array([[0, -295.0, 0], [295.0, 0, 0], [0, 0, 0]]))
    assert "is steady" in caption(steady)
    flipped = _situation(bilateral_before=np.array([[0, 50.0, 0], [-50.0, 0, 0], [0, 0, 0]]))
    assert caption(flipped).startswith("China now runs a surplus with the US (300 bn USD a year, 2.0% of China's GDP)")
    # no focus: the largest balance (China over the US)
    assert caption(_situation(focus=None)).startswith("China's surplus with the US")


def test_caption_relocation_phase_and_event():
    still = _situation(share_before=np.array([0.10, 0.555, 0.345]))  # gains under 1 point
    assert "moves" not in caption(still)
    only_to = _situation(share_before=np.array([0.104, 0.554, 0.338]))  # India +1.2, others -0.4 each
    assert "labor-intensive production moves to India." in caption(only_to)
    to = _situation(share_before=np.array([0.12, 0.548, 0.332]))  # India +1.8, China -0.2, US -2
    assert "labor-intensive production moves from the US to India" in caption(to)
    unwinding = _situation(phase=REBALANCING, index_now=0.02, index_before=0.03)
    text = caption(unwinding)
    assert "Global imbalances are unwinding (a new phase: rebalancing)" in text and "down from 3.0%" in text
    ev = _situation(events=[(2010.0, "first"), (2011.0, "the US levies 25% on Chinese goods")])
    assert caption(ev).endswith("In 2011: the US levies 25% on Chinese goods.")


def test_caption_calls_a_balance_under_a_tenth_of_a_percent_of_gdp_balanced():
    # China's GDP is 15,000 bn: 14 bn is under 0.1% of it, 16 bn is not
    small = np.array([[0, -14.0, 0], [14.0, 0, 0], [0, 0, 0]])
    text = caption(_situation(bilateral_now=small, bilateral_before=small))
    assert text.startswith("Trade between China and the US is about balanced (under 0.1% of China's GDP)")
    assert "surplus" not in text.split(".")[0]
    above = np.array([[0, -16.0, 0], [16.0, 0, 0], [0, 0, 0]])
    assert caption(_situation(bilateral_now=above, bilateral_before=above)).startswith(
        "China's surplus with the US is steady (16 bn USD a year, 0.1% of China's GDP)"
    )
    # a deficit of 10 bn three years ago does not make a "turned" story: it was about balanced
    was = np.array([[0, 10.0, 0], [-10.0, 0, 0], [0, 0, 0]])
    assert caption(_situation(bilateral_before=was)).startswith("China's surplus with the US is rising")


def test_caption_reads_the_pair_averaged_so_one_year_does_not_flip_it(run):
    model, _ = run
    us, china = 0, 3
    k = data.smoothing_ticks(1.0)
    yearly = np.array([data.bilateral_balance(model, back)[china, us] for back in range(TICKS)])[::-1]
    sit = data.situation(model, focus=("China", "US"))
    assert sit.bilateral_years == 4.0
    assert sit.bilateral_now[china, us] == pytest.approx(yearly[-k:].mean(), rel=1e-12)
    assert sit.bilateral_before[china, us] == pytest.approx(yearly[-k - 3 : -3].mean(), rel=1e-12)
    # the swing, 53 -> -27 -> 128 bn over three years (after a steady 60), read as the
    # 4-year average: a surplus throughout, described from the same side each year
    swing = [60.0, 60.0, 60.0, 53.0, -27.0, 128.0]
    firsts = []
    for t in range(3, len(swing)):
        now = np.mean(swing[max(0, t - 3) : t + 1])
        m = np.array([[0, -now, 0], [now, 0, 0], [0, 0, 0]])
        firsts.append(caption(_situation(bilateral_now=m, bilateral_before=m, bilateral_years=4.0)).split(" ")[0])
    assert firsts == ["China's"] * 3


def test_situation_from_the_model_matches_the_views(run):
    model, _ = run
    sit = data.situation(model, span_years=3.0, focus=("China", "US"))
    np.testing.assert_array_equal(sit.bilateral_now, data.mean_bilateral_balance(model, 4))
    np.testing.assert_array_equal(sit.bilateral_before, data.mean_bilateral_balance(model, 4, 3))
    assert sit.span_years == 3.0 and sit.year == 2013.0 and sit.focus == (3, 0)
    smooth = data.live_smoothed(data.imbalance_index(model), 1.0)
    assert sit.index_now == smooth[-1] and sit.index_before == smooth[-4]
    # the scenario's event at tick 10 (year 2010) is in force at both ends of 2010-2013, so it
    # is not news over three years, but it is over four (2009-2013)
    assert sit.events == []
    four = data.situation(model, span_years=4.0)
    assert [y for y, _ in four.events] == [2010.0] and "hightech" in four.events[0][1]
    assert "In 2010:" in caption(four)


def test_views_of_the_page():
    model = DemoModel("baseline", tariff=0.25)
    card = views.now(model)
    assert card.phase == BALANCE and card.level == "" and "Press Step" in card.caption
    assert card.when == "baseline: 2000, tick 0 of 200"
    assert card.meta == "Levers from 2010 (tick 10): US tariff on China 25%"
    for _ in range(3):
        model.step()
    card = views.now(model)
    assert card.phase == data.live_phase(model) and card.caption == caption(
        data.situation(model, focus=("China", "US"))
    )
    assert card.when == "baseline: 2002, tick 3 of 200"
    assert list(views.CHARTS) == ["imbalance", "balance", "bilateral", "reserves", "production"]
    for build in views.CHARTS.values():
        panel = build(model)
        assert panel.title and panel.key
        json.dumps(panel.option, allow_nan=False)
        if panel.option["series"][0]["type"] == "line":
            assert len(panel.option["series"][0]["data"]) == 3 and panel.option["xAxis"]["max"] == 2200.0
    assert views.bilateral(model).title == "Surplus of row with column, 2002"
    assert "%" in views.balance(model).title and "months" in views.reserves(model).title


# ---------------------------------------------------------------- the page's parameters


def test_page_parameters_are_model_keywords_and_follow_the_scenario():
    pytest.importorskip("solara")
    from mesa.visualization.solara_viz import _check_model_params

    from sim.viz import app

    params = app.initial_params("endless_cycle")
    _check_model_params(DemoModel.__init__, params)
    model = DemoModel(**params)
    assert model.levers == Levers(country="East", partner="North") and model.levers.neutral
    moved = {**params, "tariff": 0.25, "start_tick": 450}
    switched = app.switch_scenario(moved, "baseline")
    assert (switched["country"], switched["partner"]) == ("China", "US")
    assert switched["start_tick"] == 199 and switched["tariff"] == 0.25  # within baseline's 200 ticks
    # a world where the pair exists keeps it
    assert app.switch_scenario({**switched, "country": "India"}, "tariffs")["country"] == "India"
    # each lever's words carry its value and unit
    words = {
        lv.name: lv.words(v, "China", "US", "baseline")
        for lv, v in zip(app.LEVERS, (10, 12, 0.05, 0.25, 1.5), strict=True)
    }
    assert words == {
        "start_tick": ("Levers from", "2010 (tick 10)"),
        "reserve_target_months": ("China's reserve target", "12 months of imports"),
        "consumption_change": ("China's consumption share", "+5 points of income"),
        "tariff": ("US tariff on China", "25%"),
        "catchup": ("Catch-up speed", "×1.5"),
    }
    rest = [lv.words(v, "China", "US", "baseline")[1] for lv, v in zip(app.LEVERS[1:], (0, 0.0, 0.0, 1.0), strict=True)]
    assert rest == ["as in the scenario"] * 3 + ["×1 (as in the scenario)"]


# ---------------------------------------------------------------- the command


def test_demo_command_checks_before_serving(capsys):
    import socket

    from sim.cli import main
    from sim.viz.cli import serve_command

    assert main(["demo", "nosuch"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: no scenario file 'nosuch'; shipped scenarios: baseline")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["demo", "--port", str(port)]) == 2
    assert f"port {port} is in use" in capsys.readouterr().err
    cmd, env = serve_command("tariffs", "127.0.0.1", 8765)
    assert cmd[1:5] == ["-m", "solara", "run", "sim.viz.app"] and cmd[-5:] == [
        "--host",
        "127.0.0.1",
        "--port",
        "8765",
        "--no-open",
    ]
    assert env["TRADESIM_DEMO_SCENARIO"] == "tariffs"
    assert env["SOLARA_THEME_SHOW_BANNER"] == "false"  # no badge over the charts
    from sim.cli import build_parser

    assert build_parser().parse_args(["demo"]).scenario == "endless_cycle"  # the cycle first
