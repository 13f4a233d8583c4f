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
from sim.overview import PALETTE, country_colors
from sim.results import Results
from sim.scenario import load_scenario
from sim.viz import charts, data, views
from sim.viz.captions import Situation, caption, year_words
from sim.viz.demo_model import (
    DemoModel,
    Levers,
    classroom_choices,
    classroom_document,
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


def test_years_and_tick_labels(run):
    model, res = run
    np.testing.assert_array_equal(data.years(model), res.timeseries.drop_duplicates("tick")["year"].to_numpy())
    labels = data.tick_labels(model)
    assert len(labels) == model.spec.simulation.ticks and labels[:2] == ["2000", "2001"]
    assert year_words(2021.25, 0.25) == "2021 Q2" and year_words(2021.0, 0.25) == "2021 Q1"


# ---------------------------------------------------------------- the live phase


def test_live_phase_of_constructed_series():
    t = np.arange(31, dtype=float)
    # small everywhere: balance by level
    assert set(data.live_phases(np.full(31, 0.005), 1.0)) == {BALANCE}
    # large and standing: imbalance
    assert set(data.live_phases(np.full(31, 0.05), 1.0)) == {IMBALANCE}
    # rising 0.2 points a year from 2%: widening throughout
    assert set(data.live_phases(0.02 + 0.002 * t, 1.0)) == {IMBALANCE}
    # falling 0.2 points a year from 8%: the 4-year average falls 0.6 points per 3 years from
    # tick 6 on (below -0.2), so rebalancing; before it, the widening default holds
    falling = data.live_phases(0.08 - 0.002 * t, 1.0)
    assert list(falling[:2]) == [IMBALANCE, IMBALANCE]
    assert set(falling[6:]) == {REBALANCING}
    # falling below 1% of world GDP: balance by level once the 4-year average is below it
    low = data.live_phases(np.maximum(0.03 - 0.002 * t, 0.0), 1.0)
    s = data.trailing_mean(np.maximum(0.03 - 0.002 * t, 0.0), 4)
    assert set(low[s <= 0.01]) == {BALANCE}


def test_live_phase_near_the_low_after_a_trough():
    # down from 6% to 2% over 20 years, then up again at the same speed
    x = np.concatenate([0.06 - 0.002 * np.arange(21), 0.02 + 0.002 * np.arange(1, 21)])
    lab = data.live_phases(x, 1.0)
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


def test_live_phase_is_causal_and_scaled_to_quarters():
    rng = np.random.default_rng(4)
    x = 0.03 + 0.02 * np.sin(np.arange(120) / 9.0) + 0.002 * rng.standard_normal(120)
    full = data.live_phases(x, 1.0)
    for t in range(0, 120, 11):
        assert data.live_phases(x[: t + 1], 1.0)[-1] == full[t]
    # the same path observed quarterly (each year repeated four times): the windows are in years
    q = data.live_phases(np.repeat(x, 4), 0.25)
    assert np.mean(q[::4] == full) > 0.9
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


def test_offered_scenarios_share_countries_so_colours_hold():
    choices = classroom_choices("baseline")
    assert choices[0] == "baseline" and len(choices) >= 8 and "flying_geese" not in choices
    names = load_scenario(scenario_path("baseline")).names
    for name in choices:
        assert load_scenario(scenario_path(name)).names == names
    # a world of other countries offers only itself
    assert classroom_choices("flying_geese") == ["flying_geese"]


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
    labels = data.tick_labels(model)
    for opt in (
        charts.lines_chart("t", "u", labels, data.balance_shares(model), model.names, colors),
        charts.lines_chart("t", "u", labels, data.reserves_months(model), model.names, colors),
    ):
        assert {s["name"]: s["lineStyle"]["color"] for s in opt["series"]} == colors
    heat = charts.heatmap_chart(model.names, data.bilateral_balance(model), colors, gdp_world=1.0, year="2013")
    for axis in ("xAxis", "yAxis"):
        assert {c["value"]: c["textStyle"]["color"] for c in heat[axis]["data"]} == colors


# ---------------------------------------------------------------- charts


def test_chart_options_hold_the_view_data_and_are_json(run):
    model, _ = run
    labels = data.tick_labels(model)
    shares = data.balance_shares(model)
    opt = charts.lines_chart("t", "u", labels, 100 * shares, model.names, country_colors(model.names))
    china = next(s for s in opt["series"] if s["name"] == "China")
    np.testing.assert_allclose(china["data"], 100 * shares[:, 3], atol=5e-7)  # rounded to 1e-6 points
    index = data.imbalance_index(model)
    phases = data.live_phases(index, 1.0)
    imb = charts.imbalance_chart(labels, index, data.live_smoothed(index, 1.0), phases, average_years=4)
    bands = imb["series"][0]["markArea"]["data"]
    starts = [labels.index(b[0]["xAxis"]) for b in bands]
    ends = [labels.index(b[1]["xAxis"]) for b in bands]
    # bands tile the ticks run: each starts where the previous ended, the last ends after the last tick
    assert starts[0] == 0 and starts[1:] == ends[:-1] and ends[-1] == TICKS
    spans = charts.phase_spans(phases)
    assert [b[0]["itemStyle"]["color"] for b in bands] == [PHASE_COLORS[p] for _, _, p in spans]
    assert "".join(p * (b - a + 1) for a, b, p in spans) == "".join(phases)
    bal = data.bilateral_balance(model)
    heat = charts.heatmap_chart(model.names, bal, country_colors(model.names), gdp_world=100.0, year="2013")
    cell = next(c for c in heat["series"][0]["data"] if c["value"][:2] == [0, 3])  # China (row) vs US
    assert cell["value"][2] == pytest.approx(bal[3, 0], abs=5e-7)  # % of a world GDP of 100
    assert cell["label"]["formatter"] == f"{bal[3, 0]:+,.0f}"
    for o in (opt, imb, heat):
        json.dumps(o, allow_nan=False)
    # a missing value is a gap, not NaN
    gap = charts.lines_chart("t", "u", ["a", "b"], np.array([[1.0], [np.nan]]), ["X"], {"X": "#000000"})
    assert gap["series"][0]["data"] == [1.0, None]


def test_label_interval_gives_round_years():
    assert charts.label_interval(200, 1.0) == 19  # every 20 years
    assert charts.label_interval(80, 0.25) == 7  # every 2 years of quarters
    assert charts.label_interval(12, 1.0) == 1


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


def test_situation_from_the_model_matches_the_views(run):
    model, _ = run
    sit = data.situation(model, span_years=3.0, focus=("China", "US"))
    np.testing.assert_array_equal(sit.bilateral_now, data.bilateral_balance(model))
    np.testing.assert_array_equal(sit.bilateral_before, data.bilateral_balance(model, 3))
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
    assert card.meta.startswith("baseline: 2000, tick 0 of 200. Levers from tick 10: US tariff on China 25%")
    for _ in range(3):
        model.step()
    card = views.now(model)
    assert card.phase == data.live_phase(model) and card.caption == caption(
        data.situation(model, focus=("China", "US"))
    )
    assert card.meta.startswith("baseline: 2002, tick 3 of 200.")
    assert list(views.CHARTS) == ["imbalance", "balance", "bilateral", "reserves", "production"]
    for build in views.CHARTS.values():
        opt = build(model)
        json.dumps(opt, allow_nan=False)
        if opt["series"][0]["type"] == "line":
            assert len(opt["series"][0]["data"]) == 3 and len(opt["xAxis"]["data"]) == 200


# ---------------------------------------------------------------- the page's parameters


def test_page_parameters_are_model_keywords_and_neutral():
    pytest.importorskip("solara")
    from mesa.visualization.solara_viz import _check_model_params

    from sim.viz import app

    params = app.model_params("baseline")
    _check_model_params(DemoModel.__init__, params)
    values = {k: (v.value if hasattr(v, "value") else v["value"]) for k, v in params.items()}
    model = DemoModel(**values)
    assert model.levers == Levers() and model.levers.neutral


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
