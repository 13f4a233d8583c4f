"""The eight-country world of tests/data/world8.toml with relocation at 10% a year: each
country's largest current account (% of GDP), largest utilisation and real GDP growth over 60
years (times), as JSON, next to the same world without relocation (docs/model.md §8).

    python docs/numbers/relocation_world8.py

Further ``key=value`` arguments override the scenario in both arms (numbers).
"""

from __future__ import annotations

import json

import sim
from tests.conftest import ROOT


def main(extra: dict | None = None) -> dict:
    """The measures with relocation on and off, printed as one JSON line."""
    out = {}
    for arm, rate in (("on", 0.1), ("off", 0.0)):
        over = dict(extra or {}) | {"world.development.relocation_rate": rate}
        scn = sim.load_scenario(ROOT / "tests" / "data" / "world8.toml", over)
        res = sim.simulate(scn, ticks=60)
        ca = 100 * res.share_of_gdp("current_account")
        real = res.series("gdp_real")
        out[arm] = {
            "ca_max": {c: round(float(v), 1) for c, v in ca.max().items()},
            "util_max": {c: round(float(v), 3) for c, v in res.series("utilisation").max().items()},
            "growth": {c: round(float(v), 1) for c, v in (real.iloc[-1] / real.iloc[0]).items()},
        }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    import sys

    main({k: float(v) for k, v in (a.split("=", 1) for a in sys.argv[1:])})
