"""The synthetic world generator used by the benchmarks: valid at any size, heterogeneous, with
tariffs and export controls, and a pure function of its arguments."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.scenario import synthetic
from sim.worlds import synthetic_document


@pytest.mark.parametrize(("n", "s"), [(1, 1), (2, 3), (3, 1), (60, 5)])
def test_synthetic_worlds_are_valid_scenarios_of_the_asked_size(n, s):
    scn = synthetic(n, s, seed=4, ticks=7)
    assert len(scn.names) == n and len(scn.traded) == s
    assert scn.simulation.ticks == 7
    res = sim.simulate(scn, ticks=3)
    assert np.isfinite(res.timeseries.select_dtypes("number").to_numpy()).all()


def test_synthetic_worlds_are_heterogeneous_with_tariffs_and_controls():
    scn = synthetic(200, 4, seed=1)
    prod = np.array([c.productivity["s0"] for c in scn.country])
    labor = np.array([c.labor_force for c in scn.country])
    assert prod.max() / prod.min() > 10 and labor.max() / labor.min() > 10
    assert len({c.exchange_rate_regime for c in scn.country}) == 3
    assert sum(bool(c.tariffs) for c in scn.country) >= 2
    assert sum(bool(c.export_controls) for c in scn.country) >= 2
    # the reserve issuer is the largest economy and levies no tariff
    assert labor[0] == labor.max() and not scn.country[0].tariffs


def test_the_same_arguments_give_the_same_world_and_the_seed_changes_it():
    assert synthetic_document(30, 3, 5) == synthetic_document(30, 3, 5)
    assert synthetic_document(30, 3, 5) != synthetic_document(30, 3, 6)


def test_an_empty_world_is_refused():
    with pytest.raises(ValueError):
        synthetic_document(0, 3)
