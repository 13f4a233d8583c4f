"""Social capability and uneven development (docs/model.md, section 7.7; issue 22, section 2).

Below the threshold c* a country's absorptive capacity and its share of the frontier's growth
are scaled by phi = c / c*:

    d base = dt [phi g_F + kappa m phi a gap**2 / (gap + h)]

Closed forms checked here: at the frontier (gap 0) the base grows at exactly phi g_F; the gap
settles where the pull makes up the shortfall, gap* = (q + sqrt(q**2 + 4 q h)) / 2 with
q = (1 - phi) g_F / (kappa m phi a); capability 0 stagnates; capability at or above the
threshold changes nothing. The paired claims (B falls behind an equal capable country; a
reform starts its catch-up) are in scenarios/experiments/uneven_development.toml.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import sim
from sim import development
from sim.model import TradeModel
from tests.conftest import ROOT, identical_world, two_country

G_F, KAPPA, H = 0.015, 0.02, 0.3  # the schema's defaults, restated


def steady_gap(phi: float, kappa: float = KAPPA, g_f: float = G_F, h: float = H, a: float = 1.0) -> float:
    """Closed form: the gap at which kappa phi a gap**2/(gap + h) = (1 - phi) g_F."""
    q = (1.0 - phi) * g_f / (kappa * phi * a)
    return (q + np.sqrt(q * q + 4.0 * q * h)) / 2.0


def iterate(phi: np.ndarray, gap0: np.ndarray, years: int, dt: float = 1.0) -> np.ndarray:
    """(ticks + 1, N) gaps to the frontier under :func:`development.catch_up` (one member, one
    sector), absorptive capacity from investment a = 1."""
    base = -np.asarray(gap0, float)[None, :, None]
    frontier = np.zeros((1, 1))
    speed = (KAPPA * phi)[None, :]
    out = [gap0]
    for _ in range(int(round(years / dt))):
        base = development.catch_up(base, frontier, speed, H, G_F, dt, True, phi[None, :])
        frontier = frontier + G_F * dt
        out.append(frontier[0, 0] - base[0, :, 0])
    return np.array(out)


def test_capability_factor_is_one_at_and_above_the_threshold_and_linear_below():
    c = np.array([0.0, 0.1, 0.25, 0.5, 0.7, 1.0])
    phi = development.capability_factor(c, 0.5)
    assert phi.tolist() == [0.0, 0.2, 0.5, 1.0, 1.0, 1.0]


@pytest.mark.parametrize("dt", [1.0, 0.25])
def test_at_the_frontier_the_base_grows_at_phi_times_the_frontier_rate(dt):
    phi = np.array([1.0, 0.4, 0.0])
    gaps = iterate(phi, np.zeros(3), dt, dt)
    # one tick from gap 0: no pull, the base absorbs phi g_F (the gap grows by (1 - phi) g_F dt)
    np.testing.assert_allclose(gaps[1], (1.0 - phi) * G_F * dt, rtol=0, atol=1e-15)


def test_two_equal_countries_diverge_and_the_one_below_settles_at_the_closed_form_gap():
    phi = np.array([1.0, 0.4])
    gaps = iterate(phi, np.array([0.3, 0.3]), 3000)
    growth_gap = np.diff(gaps, axis=0)  # frontier growth - base growth, per year
    # the capable one converges: its gap falls every year toward 0 (it grows faster than g_F)
    assert (growth_gap[:, 0] <= 0).all() and gaps[-1, 0] < 0.05
    # the one below the threshold grows more slowly than the frontier every year ...
    star = steady_gap(0.4)
    assert star > 0.3
    assert (growth_gap[:, 1] > 0).all()
    # ... until its gap reaches the level where the pull makes up the shortfall
    assert abs(gaps[-1, 1] - star) < 1e-6 * star


def test_falling_behind_is_faster_the_lower_the_capability_and_zero_capability_stagnates():
    phi = np.array([0.0, 0.2, 0.6, 1.0])
    gaps = iterate(phi, np.zeros(4), 50)
    assert np.all(np.diff(gaps[-1]) < 0)  # lower capability, larger gap
    np.testing.assert_allclose(gaps[:, 0], G_F * np.arange(51), rtol=1e-12)  # base never moves
    assert [steady_gap(p) for p in (0.2, 0.6)] == sorted([steady_gap(p) for p in (0.2, 0.6)], reverse=True)


def _world(capability_b: float, events: list | None = None, ticks: int = 30) -> dict:
    doc = identical_world(3, ticks=ticks)
    doc["country"][2]["capability"] = capability_b
    doc["event"] = events or []
    return doc


def _gaps(model: TradeModel) -> np.ndarray:
    """(N,) labor-weighted gap of the catch-up base to the frontier, member 0."""
    st = model.state
    gap = st.log_frontier[0][None, :] - st.log_base[0]
    return np.sum(st.alloc[0] * gap, axis=-1)


def test_in_a_run_the_country_below_the_threshold_falls_behind_its_equal_twins():
    model = TradeModel(_world(0.2))  # phi = 0.2 / 0.5 = 0.4
    base0 = model.state.log_base[0].copy()
    model.step()
    grew = (model.state.log_base[0] - base0).mean(axis=-1)  # per year (annual ticks)
    np.testing.assert_allclose(grew, [G_F, G_F, 0.4 * G_F], rtol=0, atol=1e-15)
    previous = _gaps(model)
    for _ in range(25):
        model.step()
        now = _gaps(model)
        assert np.allclose(now[:2], 0.0, atol=1e-12)  # the capable twins stay at the frontier
        assert 0 < now[2] - previous[2] <= 0.6 * G_F + 1e-15  # B falls behind, never faster than (1 - phi) g_F
        previous = now


def test_a_reform_raising_capability_starts_catch_up():
    k = 15
    model = TradeModel(_world(0.2, [{"tick": k, "set": {"country.C2.capability": 1.0}}]))
    gaps = []
    for t in range(30):
        before = model.state.log_base[0].copy()
        gap_before = np.maximum(model.state.log_frontier[0][None, :] - before, 0.0)
        model.step()
        gaps.append(_gaps(model)[2])
        if t == k:
            # the tick of the reform: d base = g_F + kappa a gap**2/(gap + h), a from this tick's
            # investment effort (the documented equation with phi = 1)
            st = model.state
            a = development.absorptive_capacity(st.investment, st.full_income, 1.0)[0, 2]
            want = G_F + KAPPA * a * gap_before[2] ** 2 / (gap_before[2] + H)
            np.testing.assert_allclose(model.state.log_base[0, 2] - before[2], want, rtol=1e-12)
    gaps = np.array(gaps)
    assert (np.diff(gaps[:k]) > 0).all()  # falling behind before the reform
    assert (np.diff(gaps[k:]) < 0).all()  # catching up from it: the base grows faster than g_F
    assert gaps[-1] < gaps[k - 1]


def test_followers_adopt_innovations_at_the_speed_their_capability_allows():
    """adoption closes 1 - exp(-adoption phi a dt) of a follower's gap to the innovation frontier:
    with capability 0 nothing is adopted (and nothing invented), below the threshold phi times
    as fast."""
    doc = _world(0.2, ticks=40)
    doc["country"][1]["capability"] = 0.0
    doc["world"]["development"]["innovation_rate"] = 3.0
    model = TradeModel(doc)
    checked = 0
    for _ in range(40):
        before = model.state.log_innov[0].copy()
        model.step()
        st = model.state
        a = development.absorptive_capacity(st.investment, st.full_income, 1.0)[0]
        for s, who in enumerate(st.innovator[0]):
            if who < 0:
                continue
            for i, phi in ((1, 0.0), (2, 0.4)):
                if who == i:
                    continue
                close = 1.0 - np.exp(-0.12 * phi * a[i])  # the default adoption speed, annual ticks
                want = before[i, s] + close * (st.innov_frontier[0, s] - before[i, s])
                assert st.log_innov[0, i, s] == pytest.approx(want, rel=0, abs=1e-12)
                checked += 1
    assert checked > 20
    # capability 0 never adopts, and no innovation lands on it (recipient weight x phi = 0)
    assert (model.state.log_innov[0, 1] == 0.0).all()
    assert (model.state.innov_frontier[0, :3] > 0).all()


def test_capable_countries_run_bit_for_bit_as_before_and_the_off_arm_ignores_capability():
    # every capability at or above the threshold is the same as the default 1
    a = sim.simulate(_world(1.0, ticks=8)).timeseries
    b = sim.simulate(_world(0.5, ticks=8)).timeseries
    assert a.equals(b)
    # with uneven development off every base grows at g_F whatever the capability
    off = identical_world(3, ticks=8, development={"noise_sd": 0.0, "innovation_rate": 0.0, "uneven": False})
    low = copy.deepcopy(off)
    low["country"][2]["capability"] = 0.0
    assert sim.simulate(off).timeseries.equals(sim.simulate(low).timeseries)


def test_a_low_threshold_lowers_nobody_and_a_high_one_lowers_only_those_below_it():
    doc = _world(0.6, ticks=4)
    doc["world"]["development"]["capability_threshold"] = 0.8  # 0.6 < 0.8: phi = 0.75
    model = TradeModel(doc)
    base0 = model.state.log_base[0].copy()
    model.step()
    grew = (model.state.log_base[0] - base0).mean(axis=-1)
    np.testing.assert_allclose(grew, [G_F, G_F, 0.75 * G_F], rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    "where, value, path",
    [
        ("country", 1.5, "country.Poor.capability"),
        ("country", -0.1, "country.Poor.capability"),
        ("country", float("nan"), "country.Poor.capability"),
        ("country", "high", "country.Poor.capability"),
        ("world", 0.0, "world.development.capability_threshold"),
        ("world", 1.2, "world.development.capability_threshold"),
        ("event", 2.0, "country.Poor.capability"),
    ],
)
def test_bad_values_are_refused_with_the_key_path(where, value, path):
    doc = two_country()
    if where == "country":
        doc["country"][1]["capability"] = value
    elif where == "world":
        doc["world"]["development"] = {"capability_threshold": value}
    else:
        doc["event"] = [{"tick": 2, "set": {"country.Poor.capability": value}}]
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(doc)
    assert any(path in where_ for where_, _ in info.value.problems), info.value.problems


def test_the_shipped_world_shows_club_divergence():
    """In scenarios/uneven_development.toml A (capable) gains on the leader N while B (below the
    threshold) loses ground, from the same start."""
    res = sim.simulate(ROOT / "scenarios" / "uneven_development.toml")
    p = np.log(res.series("productivity_services"))
    rel = p.sub(p["N"], axis=0)
    assert abs(rel["A"].iloc[0] - rel["B"].iloc[0]) < 0.05  # equal at the start (up to noise)
    assert rel["A"].iloc[-1] > rel["A"].iloc[0] + 0.1  # A converges
    assert rel["B"].iloc[-1] < rel["B"].iloc[0] - 0.1  # B falls behind
