"""Shared fixtures: small worlds written as plain documents, and the shipped scenarios."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def identical_world(n: int = 4, ticks: int = 50, **world) -> dict:
    """n identical countries: same size, technology, structure and behaviour, symmetric trade
    costs, no noise, no innovations, no issuer privilege and no reserves."""
    doc = {
        "simulation": {"name": "identical", "ticks": ticks, "seed": 3},
        "world": {
            "trade_cost": 0.5,
            "finance": {"issuer_privilege": 0.0},
            "development": {"noise_sd": 0.0, "innovation_rate": 0.0},
            **world,
        },
        "country": [
            {
                "name": f"C{i}",
                "labor_force": 50.0,
                "productivity": 1.0,
                "labor_shares": {"labor": 0.1, "hightech": 0.15, "primary": 0.1, "services": 0.65},
            }
            for i in range(n)
        ],
    }
    return copy.deepcopy(doc)


def two_country(**country_b) -> dict:
    """A rich and a poor country, noise on; for behaviour and error tests."""
    return {
        "simulation": {"name": "two", "ticks": 40, "seed": 5},
        "world": {"trade_cost": 0.8},
        "country": [
            {"name": "Rich", "labor_force": 100.0, "productivity": 1.0},
            {"name": "Poor", "labor_force": 300.0, "productivity": 0.2, **country_b},
        ],
    }


def listening_sockets(procs) -> list[tuple[int, str, int]]:
    """(pid, address, port) of every listening TCP socket of these processes and their
    descendants (psutil; nothing is sent over the network)."""
    import psutil

    out = []
    for proc in procs:
        try:
            root = psutil.Process(proc.pid)
            family = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for p in family:
            try:
                conns = p.net_connections(kind="inet")
            except psutil.NoSuchProcess:
                continue
            out += [(p.pid, c.laddr.ip, c.laddr.port) for c in conns if c.status == psutil.CONN_LISTEN]
    return out


@pytest.fixture
def results_dir(tmp_path: Path) -> Path:
    return tmp_path / "results"


# Hypothesis budgets of the fuzz tests (tests/test_fuzz_input.py): the default profile keeps
# the suite fast and deterministic; TRADESIM_FUZZ=deep runs a long random search (CI nightly).
from hypothesis import HealthCheck, settings  # noqa: E402

FUZZ_PROFILE = "deep" if os.environ.get("TRADESIM_FUZZ", "").lower() == "deep" else "fuzz"
_FUZZ_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("fuzz", deadline=None, derandomize=True, suppress_health_check=_FUZZ_HEALTH)
settings.register_profile("deep", deadline=None, derandomize=False, suppress_health_check=_FUZZ_HEALTH)
settings.load_profile(FUZZ_PROFILE)
FUZZ_EXAMPLES = {
    "fuzz": {"scenario": 120, "toml": 40, "sweep": 50, "experiment": 40},
    "deep": {"scenario": 3000, "toml": 500, "sweep": 1000, "experiment": 500},
}[FUZZ_PROFILE]
"""Examples per fuzz test: 250 in the default profile, 5000 in the deep one."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` are opt-in (pyproject: "not in the default run"): skipped unless
    ``-m`` names the marker (``python -m pytest -m slow``)."""
    if "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="opt-in: select with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
