"""The numbers of the within-tick response prototype (sim/implicit.py, issue 19).

``PYTHONPATH=. python -m tests.implicit_timescale`` prints, for each of :data:`SCHEMES`, at 1, 4
and 16 ticks a year: the noise-driven CA / GDP sd, the first five years after a 1% productivity rise, the
noise-off baseline gaps (tests/timescale.py) and the CPU seconds of the baseline scenario.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pytest

import tests.test_timestep as tt
from sim import implicit
from sim.scenario import apply_overrides, load_toml
from tests.conftest import ROOT

SCHEMES = ((0.0, 1), (0.5, 1), (0.5, 8), (1.0, 1))
"""(theta, predictor passes): explicit, trapezoidal predictor-corrector, the trapezoidal rule
iterated to its fixed point (fully implicit), backward Euler predictor-corrector."""
PERS = (1, 4, 16)


def _per(per: int):
    return tt.ticks_per_year(pytest.MonkeyPatch(), per)


def baseline_gaps(slow: bool = True) -> tuple[float, dict[int, float]]:
    """Max over years 2-29 of |annual - quarterly| and of |1/per - 1/16| CA / GDP, pp; with
    ``slow=False`` the slower dynamics are off (workers fixed, even development)."""
    doc = load_toml(ROOT / "scenarios" / "baseline.toml")
    if not slow:
        doc = apply_overrides(doc, {"world.structure.reallocation_speed": 0.0, "world.development.uneven": False})
    path = {}
    for per in PERS:
        with _per(per):
            path[per] = tt.annual_ca_share(doc, per, 30)
    return float(np.abs(path[1] - path[4])[2:].max()), {
        per: float(np.abs(path[per] - path[16])[2:].max()) for per in (1, 4)
    }


def cpu_seconds(runs: int = 5) -> float:
    """Median CPU seconds of ``sim.simulate`` on the baseline scenario."""
    import sim

    sim.simulate(sim.load_scenario(ROOT / "scenarios" / "baseline.toml"))
    ts = []
    for _ in range(runs):
        t = time.process_time()
        sim.simulate(sim.load_scenario(ROOT / "scenarios" / "baseline.toml"))
        ts.append(time.process_time() - t)
    return statistics.median(ts)


def main() -> None:
    for theta, passes in SCHEMES:
        implicit.THETA, implicit.ITERATIONS = theta, passes
        for per in PERS:
            with _per(per):
                sd, se = tt.noise_driven_ca_sd(per)
                shock = tt.shock_response(per, years=5)
            print(
                f"theta {theta} x{passes}: 1/{per} year: CA/GDP sd {100 * sd:.3f}% (se {100 * se:.3f}); "
                f"after a 1% rise, years 1-5: {' '.join(f'{x:.3f}' for x in shock)}"
            )
        q, gap = baseline_gaps()
        print(
            f"theta {theta} x{passes}: baseline, annual vs quarterly {q:.3f} pp; vs 1/16: annual {gap[1]:.3f}, "
            f"quarterly {gap[4]:.3f} pp; CPU {cpu_seconds():.3f} s"
        )
        _, fast = baseline_gaps(slow=False)
        print(
            f"theta {theta} x{passes}: the same, workers fixed and even development: vs 1/16: annual {fast[1]:.3f} pp"
        )
    implicit.THETA, implicit.ITERATIONS = 0.0, 1


if __name__ == "__main__":
    main()
