"""Which mechanism moves the history (docs/validation.md, "Where it misses"): the prior-only
``scenarios/history_1980.toml`` with one group of its new inputs left out at a time (the rest,
rule O's costs included, unchanged), scored like ``scripts/history_scorecard.py`` (seeds 1-10).

    .venv/bin/python scripts/history_ablation.py        # JSON: summary numbers and the story per variant

Not a tuning: nothing is chosen from these numbers; they say what each mechanism does.
"""

from __future__ import annotations

import copy
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from history_scorecard import SCENARIO, SEEDS, TABLES, numbers, story  # noqa: E402

import sim  # noqa: E402
from sim.history.facts import load_facts  # noqa: E402
from sim.history.score import score  # noqa: E402

GROUPS = {
    "government": ("government", ("government.",)),
    "policy_rate": ("policy_rate", ("policy_rate",)),
    "capital_controls": ("capital_controls", ("capital_controls",)),
    "fdi": ("fdi_open", ("fdi_open",)),
}


def without(doc: dict, group: str) -> dict:
    """``doc`` with one group of the new inputs left out (the country key, its events; for the
    government the US propensity goes back to rule S's 0.78; for FDI relocation is off too).
    """
    d = copy.deepcopy(doc)
    field, keys = GROUPS[group]
    for c in d["country"]:
        c.pop(field, None)
    if group == "government":
        d["world"].pop("demand", None)
        next(c for c in d["country"] if c["name"] == "US")["propensity_to_consume"] = 0.78
    if group == "fdi":
        d["world"].pop("development", None)
    events = []
    for ev in d["event"]:
        st = {k: v for k, v in ev.get("set", {}).items() if not any(s in k for s in keys)}
        if "set" in ev and not st:
            continue
        if "set" in ev:
            ev["set"] = st
        events.append(ev)
    d["event"] = events
    return d


def measure(doc: dict) -> dict:
    """Summary numbers by facts table and the five story cells of ``doc`` over the seeds."""
    runs = [sim.simulate(doc, seed=s) for s in SEEDS]
    cards = {Path(t).name: score(runs, load_facts(ROOT / t)) for t in TABLES}
    rows = story(runs)[2:]
    return {"numbers": numbers(cards), "story": [r.split("|")[-2].strip() for r in rows]}


def main() -> int:
    """Print the JSON of the file and of each variant."""
    doc = tomllib.loads((ROOT / SCENARIO).read_text(encoding="utf-8"))
    out = {"all": measure(doc)}
    for g in GROUPS:
        out[f"without_{g}"] = measure(without(doc, g))
    print(json.dumps(out))  # one line: docs/checks.toml reads the last line
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
