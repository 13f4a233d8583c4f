"""Fuzzed input: scenario, sweep and experiment documents built from valid ones and mutated.

Property (scenarios): ``sim.load_scenario(doc)`` either

- succeeds — then the resolved scenario round-trips through TOML, a model runs 3 ticks with the
  accounting identities intact (the model checks them every tick; here world exports = world
  imports and current accounts sum to zero are checked again, to 1e-9 relative) and every
  logged value is finite — or the run stops with a :class:`SimulationError` naming the tick,
  the country and the quantity;
- or raises :class:`ScenarioError` whose every problem has a non-empty key path;

and never raises anything else. Sweep and experiment files (written to TOML files) either load
or raise ScenarioError with key paths.

Budget: the ``fuzz`` Hypothesis profile (default) and ``deep`` (``TRADESIM_FUZZ=deep``), both
registered in tests/conftest.py; docs/reliability.md has the numbers.
"""

from __future__ import annotations

import copy
import math
import time
import tomllib
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w
from hypothesis import event, given, settings
from hypothesis import strategies as st

import sim
from sim.errors import ScenarioError, SimulationError
from sim.experiment import load_experiment
from sim.model import TradeModel
from sim.scenario import Scenario, load_toml, resolved_document, scenario_to_toml
from sim.schema import file_name_problem
from sim.sweep import design, load_sweep
from sim.worlds import synthetic_document
from tests.conftest import FUZZ_EXAMPLES, SCENARIOS, identical_world, two_country

RUN_TICKS = 3
MAX_RUN_COUNTRIES = 12  # bigger loaded worlds are checked for loading only (the start solve costs)


def _shipped(path: Path) -> dict:
    doc = load_toml(path)
    doc["simulation"].setdefault("name", path.stem)
    return doc


def _language() -> dict:
    """A small world using every operation and key of the event language (issue 21)."""
    doc = identical_world(4, ticks=6)
    doc["simulation"]["start_year"] = 1985
    names = ["US", "Japan", "China", "Asia-Pacific"]
    for c, name in zip(doc["country"], names, strict=True):
        c["name"] = name
        c["reserves_months"] = 6.0
    doc["country"][0]["government"] = {"spending": 0.2, "tax": 0.18, "debt": 0.6, "balance_target": -0.02}
    doc["world"]["demand"] = {"ricardian_offset": 0.3}
    doc["country"][2].update(
        {"exchange_rate_regime": "peg", "undervaluation": -0.1, "crawl": 0.02, "capital_controls": 1.0}
    )
    doc["country"][1]["policy_rate"] = 0.05
    doc["world"]["finance"] = {"portfolio_sensitivity": 3.0, "expectation_reversion": 0.2}
    doc["country"][1].update({"liabilities_own_currency": 1.0, "gross_liabilities": 2.0})
    doc["country"][3]["capability"] = 0.3  # below the threshold (issue 22)
    doc["world"]["development"]["capability_threshold"] = 0.6
    doc["world"]["pair_costs"] = {"Japan": {"China": 0.4}}
    doc["world"]["regions"] = {"East": ["Japan", "China"], "West": ["US"]}
    doc["world"]["region_costs"] = {"East": {"East": 0.3, "West": 0.6}}
    doc["world"]["structure"] = {"reallocation_speed": 0.4, "income_elasticity": {"primary": 0.3, "services": 1.6}}
    doc["event"] = [
        {"year": 1986, "realign": {"currency": "US", "change": -0.3, "years": 2, "against": ["Japan"]}},
        {"tick": 1, "scale": {"country.*.productivity.primary": 0.8}, "years": 1, "half_life": 1.0},
        {"year": 1987, "add": {"country.China.labor_force": 10.0, "world.trade_cost": -0.1}},
        {"year": 1988, "set": {"world.pair_costs.China.US": 0.5, "country.China.undervaluation": 0.1}},
        {"year": 1989, "set": {"country.US.policy_rate": 0.08, "country.China.capital_controls": 0.5}},
        {"year": 1989, "set": {"country.Asia-Pacific.capability": 0.9}},
        {"tick": 2, "scale": {"country.US.household_credit": 2.0, "country.Japan.wage": 1.1}, "years": 2},
        {"tick": 3, "add": {"country.Japan.government.spending": 0.05}, "years": 1},
        {"tick": 4, "set": {"country.US.government.balance_target": -0.05, "world.demand.ricardian_offset": 0.5}},
        {
            "tick": 3,
            "scale": {"world.structure.reallocation_speed": 2.0},
            "add": {"world.structure.income_elasticity.services": 0.2},
        },
    ]
    return doc


BASES: list[dict] = [
    two_country(),
    _language(),
    identical_world(3, ticks=6),
    synthetic_document(3, 2, 7, ticks=4),
    *(_shipped(p) for p in SCENARIOS),
]

# ----------------------------------------------------------------------------- values

EXTREME_NUMBERS = [
    1e308,
    -1e308,
    0,
    0.0,
    -0.0,
    -1,
    -1.0,
    1e-300,
    5e-324,
    -5e-324,
    1.0000001,
    0.9999999,
    2**63 - 1,
    2**63,
    -(2**63),
    2**64,
    10**30,
    float("nan"),
    float("inf"),
    float("-inf"),
]
WEIRD_TEXT = ["", " ", "é", "中国", "日本 🇯🇵", "a.b", "[x]", '"q"', "*", "services", "\x00", "x" * 65, "\u200b", "US"]
# names that would reach a file path outside the results folder (issue 18, item 7)
PATH_TEXT = ["/tmp/x", "..", "sub/dir", "a\\b", "c:x", "trail ", "NUL", "~"]
NUMPY_VALUES = [np.int64(1), np.float64(0.5), np.float32(0.25), np.bool_(True), np.array([0.5, 0.5])]
# sector names that would repeat a column of the output table (item 9)
COLUMN_TEXT = ["level", "share_services", "share_labor", "share", "force", "tick", "country"]


def _scalars(allow_none: bool) -> st.SearchStrategy:
    base = st.one_of(
        st.sampled_from(EXTREME_NUMBERS),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(2**70), 2**70),
        st.booleans(),
        st.sampled_from(WEIRD_TEXT),
        st.text(max_size=12),
        st.dates(),
    )
    return st.one_of(base, st.none()) if allow_none else base


def _values(allow_none: bool) -> st.SearchStrategy:
    scalar = _scalars(allow_none)
    return st.one_of(
        scalar,
        st.lists(scalar, max_size=4),
        st.dictionaries(st.sampled_from(WEIRD_TEXT) | st.text(max_size=6), scalar, max_size=3),
    )


# ----------------------------------------------------------------------------- mutations


def _nodes(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Paths (tuples of keys and indices) of every value in a document, the root excluded."""
    out = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for k, v in items:
        out.append((*prefix, k))
        out.extend(_nodes(v, (*prefix, k)))
    return out


def _get(doc: Any, path: tuple) -> Any:
    for k in path:
        doc = doc[k]
    return doc


def _tables(doc: Any) -> list[tuple]:
    return [()] + [p for p in _nodes(doc) if isinstance(_get(doc, p), dict)]


@st.composite
def mutated(draw, bases: list[dict], allow_none: bool = True, extra_ops: tuple = ()) -> dict:
    """A deep copy of one base with 0-3 mutations applied."""
    doc = copy.deepcopy(draw(st.sampled_from(bases)))
    for _ in range(draw(st.integers(0, 3))):
        ops = [
            "drop",
            "unknown",
            "retype",
            "extreme",
            "scale",
            "nest",
            "name",
            "dup",
            "path_name",
            "sector",
            *extra_ops,
        ]
        op = draw(st.sampled_from(ops))
        nodes = _nodes(doc)
        if op == "drop" and nodes:
            path = draw(st.sampled_from(nodes))
            del _get(doc, path[:-1])[path[-1]]
        elif op == "unknown":
            table = _get(doc, draw(st.sampled_from(_tables(doc))))
            table[draw(st.sampled_from(WEIRD_TEXT) | st.text(min_size=1, max_size=8))] = draw(_values(allow_none))
        elif op == "retype" and nodes:
            path = draw(st.sampled_from(nodes))
            _get(doc, path[:-1])[path[-1]] = draw(_values(allow_none))
        elif op == "extreme":
            numeric = [p for p in nodes if isinstance(_get(doc, p), (int, float))]
            if numeric:
                path = draw(st.sampled_from(numeric))
                _get(doc, path[:-1])[path[-1]] = draw(st.sampled_from(EXTREME_NUMBERS))
        elif op == "scale":
            # a number moved within a few orders of magnitude: often still legal, so it runs
            numeric = [p for p in nodes if type(_get(doc, p)) in (int, float)]
            if numeric:
                path = draw(st.sampled_from(numeric))
                value = _get(doc, path) * draw(st.sampled_from([0, 1e-6, 0.1, 0.5, 0.9, 1.1, 2, 10, 1000]))
                _get(doc, path[:-1])[path[-1]] = type(_get(doc, path))(value)
        elif op == "nest" and nodes:
            # wrong nesting: a value wrapped in a list or in a table, or a table made a list
            path = draw(st.sampled_from(nodes))
            value = _get(doc, path)
            how = draw(st.sampled_from(["list", "table", "items"]))
            new = (
                [value] if how == "list" else {"x": value} if how == "table" else list(getattr(value, "values", list)())
            )
            _get(doc, path[:-1])[path[-1]] = new
        elif op == "name" and isinstance(doc.get("country"), list):
            countries = [c for c in doc["country"] if isinstance(c, dict)]
            if countries:
                c = draw(st.sampled_from(countries))
                others = [o.get("name") for o in countries if isinstance(o.get("name"), str)]
                c["name"] = draw(st.sampled_from(WEIRD_TEXT + others) | st.text(max_size=70))
        elif op == "path_name" and isinstance(doc.get("simulation"), dict):
            doc["simulation"]["name"] = draw(st.sampled_from(PATH_TEXT + WEIRD_TEXT) | st.text(max_size=12))
        elif op == "sector":
            world = doc.setdefault("world", {})
            if isinstance(world, dict):
                sectors = world.get("sectors") if isinstance(world.get("sectors"), list) else ["labor", "hightech"]
                sectors = [*sectors, draw(st.sampled_from(COLUMN_TEXT))]
                world["sectors"] = sectors
        elif op == "numpy":
            # a number as a NumPy scalar, as Python callers pass them (item 10)
            numeric = [p for p in nodes if type(_get(doc, p)) in (int, float, bool)]
            if numeric:
                path = draw(st.sampled_from(numeric))
                value = _get(doc, path)
                _get(doc, path[:-1])[path[-1]] = {bool: np.bool_, int: np.int64, float: np.float64}[type(value)](value)
        elif op == "event":
            # a scheduled change at a key path of any shape, one-part paths included (item 10)
            change = {draw(st.sampled_from(KEY_PATHS)): draw(_values(allow_none) | st.sampled_from(NUMPY_VALUES))}
            events = doc.get("event") if isinstance(doc.get("event"), list) else []
            doc["event"] = [*events, {"tick": draw(st.integers(0, 3)), "set": change}]
        elif op == "dup":
            lists = [p for p in nodes if isinstance(_get(doc, p), list) and _get(doc, p)]
            if lists:
                seq = _get(doc, draw(st.sampled_from(lists)))
                seq.append(copy.deepcopy(draw(st.sampled_from(seq))))
        elif op == "big":
            # a long list where one is expected (hundreds of entries; 10^4 has its own test)
            lists = [p for p in nodes if isinstance(_get(doc, p), list) and _get(doc, p)]
            if lists:
                seq = _get(doc, draw(st.sampled_from(lists)))
                seq.extend(copy.deepcopy(seq[-1]) for _ in range(draw(st.integers(50, 400))))
    return doc


# ----------------------------------------------------------------------------- checks


def _assert_key_paths(exc: ScenarioError) -> None:
    assert exc.problems, exc
    for path, reason in exc.problems:
        assert isinstance(path, str) and path.strip(), f"a problem without a key path: {exc}"
        assert isinstance(reason, str) and reason.strip(), exc


def _assert_names_tick_country_quantity(exc: SimulationError, names: list[str]) -> None:
    assert isinstance(exc.tick, int) and exc.tick >= 0
    assert exc.country in [*names, "world"], exc
    assert isinstance(exc.quantity, str) and exc.quantity, exc
    assert f"tick {exc.tick}" in str(exc) and exc.country in str(exc) and exc.quantity in str(exc)


def _short_run(scn: Scenario) -> dict:
    """The loaded scenario cut to RUN_TICKS ticks (events after them dropped)."""
    doc = resolved_document(scn)
    doc["simulation"]["ticks"] = min(scn.simulation.ticks, RUN_TICKS)
    if "event" in doc:
        doc["event"] = [
            e for e, ev in zip(doc["event"], scn.event, strict=True) if ev.tick < doc["simulation"]["ticks"]
        ]
    return doc


def check_scenario_document(doc: Any) -> str:
    """Apply the property to one document; return what happened (for statistics)."""
    try:
        scn = sim.load_scenario(doc)
    except ScenarioError as exc:
        _assert_key_paths(exc)
        return "rejected"
    # a loaded scenario's name is a plain name: its results folder stays inside --out
    assert file_name_problem(scn.simulation.name) is None, scn.simulation.name
    # the resolved scenario is a valid file that loads back to the same scenario
    again = sim.load_scenario(tomllib.loads(scenario_to_toml(scn)))
    assert again == scn
    if len(scn.country) > MAX_RUN_COUNTRIES:
        return "loaded"
    try:
        model = TradeModel(_short_run(scn))
        model.run()
    except SimulationError as exc:
        _assert_names_tick_country_quantity(exc, scn.names)
        return "stopped"
    st_ = model.state
    world = float(np.sum(st_.gdp) + np.sum(st_.exports))
    assert abs(float(np.sum(st_.exports) - np.sum(st_.imports))) <= 1e-9 * world
    assert abs(float(np.sum(st_.ca))) <= 1e-9 * world
    ts, bil = model.recorder.tables(model)
    assert ts.columns.is_unique, "a name repeats a column of the output table"
    for table in (ts, bil):
        numbers = table.select_dtypes("number").to_numpy(dtype=float)
        assert np.isfinite(numbers).all(), "a logged value is NaN or infinite"
    return "ran"


@settings(max_examples=FUZZ_EXAMPLES["scenario"])
@given(doc=mutated(BASES, extra_ops=("big",)))
def test_fuzzed_scenario_documents_load_and_run_or_fail_with_key_paths(doc):
    event(check_scenario_document(doc))


def test_every_base_document_is_valid_and_runs():
    # the generator starts from valid documents: otherwise every example would be a rejection
    assert [check_scenario_document(copy.deepcopy(b)) for b in BASES[:4]] == ["ran"] * 4
    for b in BASES[4:]:
        sim.load_scenario(b)


@settings(max_examples=FUZZ_EXAMPLES["toml"])
@given(text=st.text(max_size=200) | st.binary(max_size=200))
def test_arbitrary_file_contents_are_a_scenario_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("toml") / "f.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    try:
        sim.load_scenario(path)
    except ScenarioError as exc:
        assert exc.problems and exc.file == str(path)


# ----------------------------------------------------------------------------- huge lists

N_HUGE = 10_000


def _huge(kind: str) -> dict:
    doc = two_country()
    if kind == "sectors":
        doc["world"]["sectors"] = [f"s{k}" for k in range(N_HUGE)]
    elif kind == "countries":
        doc["country"] = [{"name": f"C{i}", "labor_force": 1.0} for i in range(N_HUGE)]
    elif kind == "countries_same_name":
        doc["country"] = [{"name": "C", "labor_force": 1.0}] * N_HUGE
    elif kind == "tariffs":
        doc["country"][0]["tariffs"] = {f"P{i}": 0.1 for i in range(N_HUGE)}
    elif kind == "trade_costs":
        doc["world"]["trade_costs"] = [{"origin": "Rich", "destination": f"X{i}", "cost": 0.1} for i in range(N_HUGE)]
    elif kind == "events":  # every one after the last tick
        doc["event"] = [{"tick": 100 + t, "set": {"world.trade_cost": 0.5}} for t in range(N_HUGE)]
    elif kind == "labor_shares":
        doc["country"][0]["labor_shares"] = {f"s{k}": 1.0 / N_HUGE for k in range(N_HUGE)}
    elif kind == "export_destinations":
        doc["country"][0]["export_controls"] = {"labor": {"destinations": [f"D{i}" for i in range(N_HUGE)]}}
    return doc


HUGE = [
    "sectors",
    "countries",
    "countries_same_name",
    "tariffs",
    "trade_costs",
    "events",
    "labor_shares",
    "export_destinations",
]


@pytest.mark.parametrize("kind", HUGE)
def test_huge_lists_are_rejected_at_once(kind):
    # a hang guard, not a speed test: each is a fraction of a second; 20 s means stuck
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(_huge(kind))
    _assert_key_paths(info.value)
    assert time.perf_counter() - t0 < 20.0
    assert len(str(info.value)) < 20_000, "the message must stay readable"


# ----------------------------------------------------------------------------- sweep and experiment files

CA = {"name": "poor_ca", "country": "Poor", "column": "current_account", "share_of_gdp": True}
IMB = {"name": "imbalance", "country": "world", "column": "imbalance_index", "stat": "max"}
PAIR = {"name": "rich_poor", "pair": ["Rich", "Poor"], "column": "balance", "ticks": [1, 4]}
SWEEPS = [
    {
        "base": "base.toml",
        "sampler": "grid",
        "replicates": 2,
        "parameter": [
            {"path": "country.Poor.propensity_to_consume", "values": [0.7, 0.78]},
            {"path": "world.trade_cost", "range": [0.5, 1.0], "steps": 3},
        ],
        "metric": [CA, IMB],
    },
    {
        "name": "sob",
        "base": {"scenario": "base.toml", "set": {"world.elasticity": 3.0}},
        "ticks": 6,
        "sampler": "sobol",
        "samples": 4,
        "parameter": [
            {"path": "country.*.investment_rate", "range": [0.2, 0.25]},
            {"path": "world.demand.habit", "range": [0.1, 0.9]},
            {"path": "simulation.log_every", "range": [1, 3], "integer": True},
        ],
        "metric": [PAIR, {"cycle": "n_cycles"}],
    },
    {
        "base": "base.toml",
        "sampler": "random",
        "samples": 5,
        "seed": 4,
        "parameter": [{"path": "country.Rich.exchange_rate_regime", "values": ["float", "peg"]}],
        "metric": [IMB],
    },
]
EXPERIMENTS = [
    {
        "base": "base.toml",
        "seeds": 3,
        "arm": [
            {"name": "thrifty", "set": {"country.Poor.propensity_to_consume": 0.7}, "expect": {"poor_ca": "higher"}}
        ],
        "metric": [CA, PAIR],
    },
    {
        "name": "exp",
        "description": "two arms",
        "base": {"scenario": "base.toml", "set": {"simulation.ticks": 8}},
        "ticks": 6,
        "bootstrap": 200,
        "arm": [
            {"name": "open", "set": {"world.trade_cost": 0.2}},
            {
                "name": "tariff",
                "label": "a tariff",
                "event": [{"tick": 2, "set": {"country.Rich.tariffs": {"Poor": 0.3}}}],
            },
        ],
    },
]
# key paths a mutated parameter or arm may use: real ones and near misses
KEY_PATHS = [
    "world.trade_cost",
    "world.elasticity",
    "world.elasticity.labor",
    "world.finance.premium_cap",
    "world.finance.stop_years",
    "world.structure.reallocation_speed",
    "world.structure.income_elasticity.services",
    "world.structure.income_elasticity.nowhere",
    "world.pair_costs.Rich.Poor",
    "world.regions.East",
    "country.Poor.crawl",
    "country.Poor.government.spending",
    "country.Poor.government.debt",
    "country.Poor.government",
    "country.Poor.capability",
    "world.development.capability_threshold",
    "country.Poor.undervaluation",
    "country.Poor.policy_rate",
    "country.Poor.capital_controls",
    "country.Rich.capital_controls",
    "world.finance.portfolio_sensitivity",
    "world.finance.expectation_reversion",
    "country.Poor.liabilities_own_currency",
    "country.Poor.gross_liabilities",
    "world.sectors",
    "country.Poor.labor_shares.labor",
    "country.Poor.tariffs.Rich",
    "country.Nowhere.labor_force",
    "country.*.productivity",
    "country.*",
    "country",
    "world",
    "simulation",
    "simulation.seed",
    "simulation.ticks",
    "event",
    "event.0.tick",
    "nothing.at.all",
    "world..trade_cost",
    ".",
    "",
]


@st.composite
def batch_file(draw, bases: list[dict]) -> dict:
    doc = draw(mutated(bases, allow_none=False))
    # sometimes point a parameter or an arm at another key path with another value
    for key in ("parameter", "arm"):
        items = doc.get(key)
        if isinstance(items, list) and items and isinstance(items[0], dict) and draw(st.integers(0, 3)) == 0:
            item = items[0]
            if key == "parameter":
                item["path"] = draw(st.sampled_from(KEY_PATHS))
            else:
                item["set"] = {draw(st.sampled_from(KEY_PATHS)): draw(_values(False))}
    if draw(st.integers(0, 5)) == 0:
        doc["name"] = draw(st.sampled_from(PATH_TEXT))
    return doc


def _write(folder: Path, doc: dict, base: dict) -> Path | None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.toml").write_text(tomli_w.dumps(base), encoding="utf-8")
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):
        return None  # not expressible as TOML (e.g. a date as a key): not a file a user can write
    path = folder / "f.toml"
    path.write_text(text, encoding="utf-8")
    return path


SMALL_BASE = {**two_country(), "simulation": {"name": "two", "ticks": 8, "seed": 5}}
BATCH_BASES = st.just(SMALL_BASE) | mutated([SMALL_BASE], allow_none=False)  # the base scenario, mutated half the time


@settings(max_examples=FUZZ_EXAMPLES["sweep"])
@given(doc=batch_file(SWEEPS), base=BATCH_BASES)
def test_fuzzed_sweep_files_load_or_fail_with_key_paths(tmp_path_factory, doc, base):
    path = _write(tmp_path_factory.mktemp("sweep"), doc, base)
    if path is None:
        event("not TOML")
        return
    try:
        sweep = load_sweep(path)
    except ScenarioError as exc:
        _assert_key_paths(exc)
        event("rejected")
        return
    event("loaded")
    assert file_name_problem(sweep.name) is None, sweep.name
    table = design(sweep)  # a loaded sweep can always be designed, and its design is finite
    assert len(table) >= 1 and table["run"].is_unique
    for p in sweep.parameters:
        values = table[p.path]
        if p.range is not None and values.dtype.kind in "fi":
            assert values.between(p.range[0] - 0.5, p.range[1] + 0.5).all()


@settings(max_examples=FUZZ_EXAMPLES["experiment"])
@given(doc=batch_file(EXPERIMENTS), base=BATCH_BASES)
def test_fuzzed_experiment_files_load_or_fail_with_key_paths(tmp_path_factory, doc, base):
    path = _write(tmp_path_factory.mktemp("exp"), doc, base)
    if path is None:
        event("not TOML")
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a null experiment warns; that is allowed here
            exp = load_experiment(path)
    except ScenarioError as exc:
        _assert_key_paths(exc)
        event("rejected")
        return
    event("loaded")
    assert file_name_problem(exp.name) is None and all(file_name_problem(a.name) is None for a in exp.arms)
    assert exp.arms[0].name == "base" and len(exp.seeds) == len(set(exp.seeds))
    assert all(math.isfinite(s) for s in exp.seeds)


@pytest.mark.parametrize("doc", [*SWEEPS], ids=["grid", "sobol", "random"])
def test_sweep_bases_are_valid(tmp_path, doc):
    load_sweep(_write(tmp_path, doc, SMALL_BASE))


@pytest.mark.parametrize("doc", [*EXPERIMENTS], ids=["one_arm", "two_arms"])
def test_experiment_bases_are_valid(tmp_path, doc):
    load_experiment(_write(tmp_path, doc, SMALL_BASE))


# ----------------------------------------------------------------------------- found by fuzzing
# Each bug the fuzzing found, kept as a fixed example (the default profile is derandomised and
# may not draw it again).


def test_an_empty_or_dotted_unknown_key_is_named_in_quotes():
    for key, shown in (("", '""'), ("a.b", '"a.b"'), ("x y", '"x y"')):
        doc = {**two_country(), key: 1.0}
        with pytest.raises(ScenarioError) as info:
            sim.load_scenario(doc)
        assert info.value.problems == [(shown, "unknown key")]
    doc = two_country()
    doc["world"]["finance"] = {"": 1}
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(doc)
    assert info.value.problems == [('world.finance.""', "unknown key")]


def test_a_sweep_whose_design_is_too_large_is_refused_before_it_is_built(tmp_path):
    doc = {
        **SWEEPS[0],
        "parameter": [
            {"path": p, "range": [0.5, 0.9], "steps": 10_000}
            for p in ("world.trade_cost", "country.Poor.propensity_to_consume", "country.Rich.propensity_to_consume")
        ],
    }
    with pytest.raises(ScenarioError, match=r"the design has 2e\+12 runs") as info:
        load_sweep(_write(tmp_path, doc, SMALL_BASE))
    assert info.value.problems[0][0] == "parameter"


def test_a_default_wage_from_a_high_legal_productivity_round_trips():
    doc = two_country()
    doc["country"][0]["productivity"] = 1000.0  # default wage 60 x 1000, once above the wage bound
    assert check_scenario_document(doc) in ("ran", "stopped")


@pytest.mark.parametrize("name", ["Poor\x00", "Po\tor", "Poor\x7f", "\x1bPoor"])
def test_names_with_control_characters_are_rejected(name):
    doc = two_country()
    doc["country"][1]["name"] = name
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(doc)
    assert [p for p, _ in info.value.problems] == ["country[1].name"]


def test_unicode_names_run_and_keep_their_rows():
    doc = two_country()
    doc["country"][0]["name"], doc["country"][1]["name"] = "中国", "Pö ör 🇯🇵"
    doc["simulation"]["ticks"] = 3
    res = sim.simulate(doc)
    assert list(res.timeseries["country"].unique()) == ["中国", "Pö ör 🇯🇵"]


def test_a_sweep_whose_base_has_no_country_list_is_a_scenario_error(tmp_path):
    base = {**SMALL_BASE, "country": 1e308}
    with pytest.raises(ScenarioError) as info:
        load_sweep(_write(tmp_path, SWEEPS[1], base))  # its [base] table sets keys: overrides are expanded
    _assert_key_paths(info.value)
    with pytest.raises(ScenarioError):
        load_sweep(_write(tmp_path, SWEEPS[0], base))


def test_an_integer_parameter_beyond_64_bits_is_refused(tmp_path):
    doc = copy.deepcopy(SWEEPS[1])
    doc["parameter"][2]["range"] = [1, 1e308]  # simulation.log_every has no upper bound
    with pytest.raises(ScenarioError, match="integer parameter") as info:
        load_sweep(_write(tmp_path, doc, SMALL_BASE))
    assert info.value.problems[0][0] == "parameter[2]"


def test_an_integer_parameter_with_text_values_is_refused(tmp_path):
    doc = copy.deepcopy(SWEEPS[2])
    doc["parameter"][0]["integer"] = True  # values "float", "peg": a legal key, but not numbers
    with pytest.raises(ScenarioError, match="must be numbers"):
        load_sweep(_write(tmp_path, doc, SMALL_BASE))
