"""Numbers in docs/ rerun: each entry of docs/checks.toml runs its command and its printed values
must match those written in the docs (within the entry's tolerance), and the doc must still
name the command beside them. The cheap entries run here; ``make docs-check`` runs all
(``TRADESIM_DOCS_CHECK=all``)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import ROOT

CHECKS = tomllib.loads((ROOT / "docs" / "checks.toml").read_text(encoding="utf-8"))["check"]
ALL = os.environ.get("TRADESIM_DOCS_CHECK") == "all"


def lookup(data: dict, dotted: str):
    for part in dotted.split("."):
        data = data[part]
    return data


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c["command"].split()[-1])
def test_docs_show_the_checked_numbers_beside_their_command(check):
    doc = _flat((ROOT / check["doc"]).read_text(encoding="utf-8"))
    assert f"`{check['command']}`" in doc, f"{check['doc']} must show the command beside its numbers"
    missing = [q for q in check["quote"] if _flat(q) not in doc]
    assert missing == [], f"{check['doc']} no longer says {missing}: update the text and docs/checks.toml together"


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c["command"].split()[-1])
def test_docs_numbers_rerun(check):
    if not (check.get("cheap") or ALL):
        pytest.skip("long: make docs-check runs it")
    doc = (ROOT / check["doc"]).read_text(encoding="utf-8")
    assert check["command"] in doc, f"{check['doc']} must show the command {check['command']!r} beside its numbers"
    words = shlex.split(check["command"])
    assert words[0] == "python"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    p = subprocess.run([sys.executable, *words[1:]], cwd=ROOT, capture_output=True, text=True, env=env, timeout=1800)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout.strip().splitlines()[-1])
    tol = check["tolerance"]

    def off(want, now) -> bool:
        return want != now if isinstance(want, str) else abs(now - want) > tol

    wrong = {k: (v, lookup(got, k)) for k, v in check["expect"].items() if off(v, lookup(got, k))}
    assert wrong == {}, f"{check['command']}: (docs, now) {wrong}"
