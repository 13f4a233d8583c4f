"""Turning points, phases and cycle numbers on synthetic series with known structure."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis import (
    PRESETS,
    SUMMARY_KEYS,
    CycleRule,
    PhaseThresholds,
    cycle_metrics,
    date_turning_points,
    get_rule,
    hp_lambda,
    hp_trend_cycle,
    label_phases,
)
from sim.analysis.dating import PEAK, TROUGH
from sim.analysis.filters import centred_moving_average, odd_window
from sim.analysis.phases import stretches
from sim.errors import TradesimError


def sinusoid(period_years: float, years: float = 500, dt: float = 1.0, amp: float = 0.02, noise: float = 0.003, seed=0):
    """Imbalance-index-like series: 4% of world GDP +- amp, white noise of sd ``noise``."""
    t = np.arange(int(round(years / dt))) * dt
    rng = np.random.default_rng(seed)
    return 0.04 + amp * np.sin(2 * np.pi * t / period_years) + noise * rng.standard_normal(t.size)


# ----------------------------------------------------------------------------- known period


@pytest.mark.parametrize("period", [25.0, 40.0, 60.0, 90.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sinusoid_plus_noise_gives_its_period_within_10_percent(period, seed):
    m = cycle_metrics(sinusoid(period, seed=seed), 1.0, "standard")
    assert m["n_cycles"] >= 500 / period - 2
    assert abs(m["mean_period_years"] / period - 1) < 0.10, m


def test_quarterly_ticks_give_the_same_period_in_years():
    x = sinusoid(40.0, dt=0.25, seed=3)
    m = cycle_metrics(x, 0.25, "standard")
    assert abs(m["mean_period_years"] / 40.0 - 1) < 0.10
    tp = date_turning_points(x, 0.25, "standard")
    assert tp.window == 29 and tp.min_phase == 24 and tp.min_cycle == 80  # years converted with the tick


def test_amplitude_of_a_clean_sinusoid_matches_the_moving_average_closed_form():
    # a centred moving average of w points attenuates a sinusoid of period P (in points) by
    # sin(pi w / P) / (w sin(pi / P)); peak minus trough of the smoothed series is 2 A times that
    period, amp, w = 40.0, 0.02, 7
    x = sinusoid(period, amp=amp, noise=0.0)
    m = cycle_metrics(x, 1.0, "standard")
    gain = math.sin(math.pi * w / period) / (w * math.sin(math.pi / period))
    assert m["mean_amplitude"] == pytest.approx(2 * amp * gain, rel=2e-3)
    assert m["mean_period_years"] == pytest.approx(period, rel=0.01)
    assert m["largest_rise"] == pytest.approx(2 * amp * gain, rel=2e-3)


# ----------------------------------------------------------------------------- no spurious cycles


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("slope", [1e-4, -1e-4, 4e-4])
def test_monotone_series_gives_no_cycle(seed, slope):
    rng = np.random.default_rng(seed)
    x = 0.05 + slope * np.arange(500) + 0.003 * rng.standard_normal(500)
    m = cycle_metrics(x, 1.0)
    assert m["n_cycles"] == 0
    assert math.isnan(m["mean_period_years"]) and math.isnan(m["mean_amplitude"])
    assert date_turning_points(x, 1.0).positions.size == 0


def test_noiseless_monotone_series_has_no_turning_point_at_all():
    assert date_turning_points(np.exp(np.linspace(0, 3, 300)) / 100, 1.0, "loose").positions.size == 0


@pytest.mark.parametrize("length", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("height", [0.02, 0.05, 0.1])
@pytest.mark.parametrize("at", [100, 251, 400])
def test_one_sharp_spike_shorter_than_the_minimum_phase_gives_no_cycle(length, height, at):
    rng = np.random.default_rng(at)
    x = 0.03 + 0.002 * rng.standard_normal(500)
    x[at : at + length] += height
    assert cycle_metrics(x, 1.0)["n_cycles"] == 0


@pytest.mark.parametrize("length", [1, 3, 5])
@pytest.mark.parametrize("at", range(150, 200, 7))
def test_a_spike_inside_a_cycling_series_adds_no_cycle(length, at):
    base = sinusoid(40.0, years=400, seed=2)
    n0 = cycle_metrics(base, 1.0)["n_cycles"]
    x = base.copy()
    x[at : at + length] += 0.05
    assert cycle_metrics(x, 1.0)["n_cycles"] == n0


def test_amplitude_floor_absolute_and_relative():
    small = sinusoid(40.0, amp=0.006, noise=0.0005)  # 1.2 pp peak to trough (about 1.15 pp smoothed)
    assert cycle_metrics(small, 1.0, "standard")["n_cycles"] == 0  # floor 1.5 pp
    assert cycle_metrics(small, 1.0, "loose")["n_cycles"] >= 10  # floor 1 pp
    # the same cycle with a fast zigzag on top, which the average all but removes (+-0.2 pp is
    # left) but which makes the series' own noise about 0.8 pp: 3 x noise exceeds the cycle
    zigzag = small + 0.01 * (-1.0) ** np.arange(small.size)
    tp = date_turning_points(zigzag, 1.0, "loose")
    assert tp.floor == pytest.approx(3 * tp.noise) and tp.floor > 0.02
    assert len(tp.cycles()) == 0
    assert cycle_metrics(zigzag, 1.0, {**PRESETS["loose"].as_dict(), "noise_multiple": 0.0})["n_cycles"] >= 10


def test_cycles_shorter_than_the_minimum_are_never_dated():
    # 14-year cycles: Bry-Boschan censoring merges neighbours, so what is dated lasts >= 20 years
    tp = date_turning_points(sinusoid(14.0, noise=0.001), 1.0)
    assert all(e - a >= 20 for a, _, e in tp.cycles())
    assert len(tp.cycles()) <= 500 / 20
    assert cycle_metrics(sinusoid(22.0, noise=0.001), 1.0)["n_cycles"] >= 20


# ----------------------------------------------------------------------------- the rule holds


def random_series(seed: int, n: int = 500) -> np.ndarray:
    """AR(1) around slow random cycles: a mix of everything."""
    rng = np.random.default_rng(seed)
    slow = np.cumsum(rng.standard_normal(n)) * 0.004
    ar = np.zeros(n)
    for t in range(1, n):
        ar[t] = 0.6 * ar[t - 1] + 0.003 * rng.standard_normal()
    return 0.04 + slow - slow.mean() + ar


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_dated_points_obey_every_part_of_the_rule(seed, preset):
    x = random_series(seed)
    tp = date_turning_points(x, 1.0, preset)
    r = PRESETS[preset]
    s, p, k = tp.smoothed, tp.positions, tp.kinds
    assert np.array_equal(s, centred_moving_average(x, odd_window(r.smoothing_years, 1.0)))
    assert tp.floor == pytest.approx(max(r.min_amplitude, r.noise_multiple * np.std(x - s)))
    assert np.all(np.diff(p) > 0)
    assert np.all(k[1:] != k[:-1])  # alternate
    edges = np.concatenate([[0], p, [x.size - 1]])
    assert np.all(np.diff(edges) >= r.min_phase_years)
    assert np.all(p[2:] - p[:-2] >= r.min_cycle_years)
    # each is an extreme of s between its neighbours, and moves at least the floor on each side
    for i in range(p.size):
        lo = p[i - 1] if i > 0 else 0
        hi = p[i + 1] if i + 1 < p.size else x.size - 1
        seg = s[lo : hi + 1]
        if k[i] == PEAK:
            assert s[p[i]] == seg.max()
            assert s[p[i]] - s[lo : p[i] + 1].min() >= tp.floor - 1e-15
            assert s[p[i]] - s[p[i] : hi + 1].min() >= tp.floor - 1e-15
        else:
            assert k[i] == TROUGH and s[p[i]] == seg.min()
            assert s[lo : p[i] + 1].max() - s[p[i]] >= tp.floor - 1e-15
            assert s[p[i] : hi + 1].max() - s[p[i]] >= tp.floor - 1e-15


def test_dating_is_deterministic_and_does_not_modify_its_input():
    x = random_series(7)
    before = x.copy()
    a = date_turning_points(x, 1.0)
    b = date_turning_points(x, 1.0)
    assert np.array_equal(a.positions, b.positions) and np.array_equal(a.kinds, b.kinds)
    assert np.array_equal(x, before)


# ----------------------------------------------------------------------------- phases


@pytest.mark.parametrize("seed", range(12))
def test_phase_labels_agree_with_turning_points(seed):
    x = random_series(seed) if seed % 2 else sinusoid(30.0 + seed, seed=seed)
    tp = date_turning_points(x, 1.0, "loose")
    labels = label_phases(tp)
    assert set(labels) <= {"balance", "imbalance", "rebalancing"}
    p, k = tp.positions, tp.kinds
    for i in range(p.size):
        nxt = p[i + 1] if i + 1 < p.size else x.size - 1
        after = labels[p[i] + 1 : nxt + 1]
        if k[i] == PEAK:  # until the next trough: never imbalance
            assert "imbalance" not in set(after)
        else:
            assert "rebalancing" not in set(after)
    # every stretch labelled in one direction; thresholds decide balance only
    th = PhaseThresholds(balance_level=0.0, balance_fraction=0.0)
    bare = label_phases(tp, th)
    for first, last, narrowing in stretches(tp):
        want = "rebalancing" if narrowing else "imbalance"
        assert set(bare[first : last + 1]) <= {want, "balance"}


def test_balance_thresholds():
    tp = date_turning_points(sinusoid(40.0, noise=0.0), 1.0)
    s = tp.smoothed
    lab = label_phases(tp, PhaseThresholds(balance_level=0.03, balance_fraction=0.0))
    assert np.array_equal(lab == "balance", s <= 0.03)
    everything = label_phases(tp, PhaseThresholds(balance_level=0.99))  # a share: below 1
    assert set(everything) == {"balance"}
    with pytest.raises(TradesimError):
        PhaseThresholds(balance_fraction=1.5)


def test_time_shares_sum_to_one():
    m = cycle_metrics(sinusoid(35.0, seed=5), 1.0)
    total = m["time_in_balance"] + m["time_in_imbalance"] + m["time_in_rebalancing"]
    assert total == pytest.approx(1.0)
    assert m["time_in_imbalance"] > 0.2 and m["time_in_rebalancing"] > 0.2


# ----------------------------------------------------------------------------- interface


def test_cycle_metrics_has_exactly_the_documented_keys():
    m = cycle_metrics(pd.Series(sinusoid(40.0)), 1.0)
    assert tuple(m) == SUMMARY_KEYS
    assert isinstance(m["n_cycles"], int)
    x = sinusoid(40.0)
    assert m["imbalance_mean"] == pytest.approx(x.mean()) and m["imbalance_max"] == pytest.approx(x.max())


def test_presets_hold_the_documented_numbers():
    std = PRESETS["standard"]
    assert (std.smoothing_years, std.min_phase_years, std.min_cycle_years) == (7, 6, 20)
    assert (std.min_amplitude, std.noise_multiple) == (0.015, 3)
    loose = PRESETS["loose"]
    assert (loose.smoothing_years, loose.min_amplitude) == (5, 0.01)
    strict = PRESETS["strict"]
    assert strict.min_phase_years >= std.min_phase_years and strict.min_amplitude > std.min_amplitude


def test_rules_from_names_mappings_and_bad_input():
    assert get_rule("strict") is PRESETS["strict"]
    r = get_rule({"min_amplitude": 0.01})
    assert r.min_amplitude == 0.01 and r.smoothing_years == 7.0
    with pytest.raises(TradesimError, match="unknown cycle rule"):
        get_rule("medium")
    with pytest.raises(TradesimError, match="unknown cycle-rule fields"):
        get_rule({"smoothing": 3})
    with pytest.raises(TradesimError, match="min_phase_years"):
        CycleRule(min_phase_years=-1)
    with pytest.raises(TradesimError, match="missing or infinite"):
        date_turning_points(np.array([0.1, np.nan, 0.2]), 1.0)


def test_short_and_constant_series():
    for x in (np.array([]), np.array([0.03]), np.full(50, 0.03)):
        m = cycle_metrics(x, 1.0)
        assert m["n_cycles"] == 0


def test_hp_lambda_follows_ravn_uhlig():
    assert hp_lambda(1.0) == pytest.approx(6.25)
    assert hp_lambda(0.25) == pytest.approx(1600.0)
    x = pd.Series(sinusoid(40.0))
    trend, cycle = hp_trend_cycle(x, 1.0)
    assert np.allclose(trend + cycle, x)
    # a linear series is its own HP trend
    line = pd.Series(np.linspace(0, 1, 100))
    trend, cycle = hp_trend_cycle(line, 0.25)
    assert np.abs(cycle).max() < 1e-8


def test_smoothing_windows_are_the_odd_count_nearest_the_years():
    assert [odd_window(7, dt) for dt in (1.0, 0.25, 2.0, 3.0)] == [7, 29, 3, 3]
    assert odd_window(6, 1.0) == 7 and odd_window(0.5, 1.0) == 1
    # a truncated centred average at the ends: the first value averages the first h + 1 points
    x = np.arange(10.0)
    s = centred_moving_average(x, 5)
    assert s[0] == pytest.approx(1.0) and s[5] == pytest.approx(5.0) and s[-1] == pytest.approx(8.0)
