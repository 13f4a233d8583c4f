"""Every code block of the README and docs/ runs as written (the docs cannot drift from the code).

- ``python`` blocks are executed in order, each file's blocks in one namespace;
- ``bash`` blocks: every ``tradesim`` (or ``.venv/bin/tradesim``) command line is run and must
  exit 0; other commands (``make``, ``python benchmarks/...``, ``dask``) only under a skip tag;
- ``toml`` blocks must parse.

All run in a temporary folder holding the repository's ``scenarios/`` (so results go there),
with ``my_scenario.toml`` / ``my_variant.toml`` and ``<run-id>`` standing for a user's own files
and runs. A block whose first line, or a command line whose comment, says ``not run by the
tests: <reason>`` is skipped — the tag is visible to the reader. Commands too long for the default
suite (:data:`SLOW`) run with ``make docs-check`` (``TRADESIM_DOCS_CHECK=all``).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SKIP = "not run by the tests:"
ALL = os.environ.get("TRADESIM_DOCS_CHECK") == "all"
SLOW = {
    "compare scenarios/baseline.toml my_variant.toml --seeds 20",
    "compare scenarios/experiments/export_controls.toml",
    "compare scenarios/experiments/china_consumption.toml",
    "compare scenarios/experiments/china_consumption.toml --seeds 40 --workers 2",
    "sweep scenarios/sweeps/reserve_targets.toml",
    "sweep scenarios/sweeps/reserve_targets.toml --report",
    "sweep scenarios/sweeps/policy_sobol.toml",
    "sweep scenarios/sweeps/policy_sobol.toml --workers 1",
    "sweep scenarios/sweeps/policy_sobol.toml --report",
    "python:docs/sweeps.md",
    "calibrate scenarios/calibrations/recover_two.toml",
    "calibrate scenarios/calibrations/recover_two.toml --workers 1",
    "score results/history_1980_regions.toml --facts data/facts_history.csv --seeds 3",
    "-m sim.history.world142 --rule uniform --seeds 3",
    "-m sim.history.world142 --rule persistence --seeds 3",
    "-m sim.history.world142 --rule capability --seeds 3",
    "-m sim.history.world142 --rule persistence",
}
"""Snippets of more than a few seconds (sweeps of 48-384 runs, compares in worker processes,
calibrations, the history's scorecards)."""

BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def blocks(path: Path) -> list[tuple[str, str]]:
    """(language, code) of every fenced block of a Markdown file, in order."""
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(path.read_text(encoding="utf-8"))]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    (tmp_path / "data").symlink_to(ROOT / "data")
    # `python` and `tradesim` as the docs call them, for blocks run whole by bash
    bin_ = tmp_path / ".venv" / "bin"
    bin_.mkdir(parents=True)
    for name, run in (("python", ""), ("tradesim", " -m sim")):
        (bin_ / name).write_text(f'#!/bin/sh\nexec "{sys.executable}"{run} "$@"\n')
        (bin_ / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")
    text = (ROOT / "scenarios" / "baseline.toml").read_text(encoding="utf-8")
    (tmp_path / "my_scenario.toml").write_text(text, encoding="utf-8")
    variant = text.replace('name = "baseline"', 'name = "my_variant"')
    variant += '\n[[event]]\ntick = 20\nset = { "country.China.propensity_to_consume" = 0.84 }\n'
    (tmp_path / "my_variant.toml").write_text(variant, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return tmp_path


def run_id(workdir: Path) -> str:
    """A finished run of the baseline in the work folder (made if there is none)."""
    found = sorted((workdir / "results" / "baseline").glob("*/manifest.json"))
    if not found:
        import sim

        return sim.run("scenarios/baseline.toml", out=workdir / "results", figure=False).path.name
    return found[0].parent.name


def run_command(line: str, workdir: Path) -> None:
    words = shlex.split(re.sub(r"(^|\s)#.*$", "", line))  # a comment may hold an apostrophe
    if not words:
        return
    if words[0] in ("tradesim", ".venv/bin/tradesim"):
        command, args = [sys.executable, "-m", "sim"], words[1:]
    else:  # python -m sim.<module> ...: a module of the package
        ok = words[0] in ("python", ".venv/bin/python") and words[1] == "-m" and words[2].startswith("sim.")
        assert ok, f"not a tradesim command: {line}"
        command, args = [sys.executable], words[1:]
    args = [w.replace("<run-id>", run_id(workdir)) if "<run-id>" in w else w for w in args]
    if " ".join(args) in SLOW and not ALL:
        return
    p = subprocess.run([*command, *args], cwd=workdir, capture_output=True, text=True, timeout=1800)
    assert p.returncode == 0, f"{line}\n{p.stdout}\n{p.stderr}"


def _multiline(code: str) -> bool:
    """Whether a bash block holds a command spanning lines (an open quote at a line's end)."""
    try:
        for line in code.splitlines():
            shlex.split(re.sub(r"(^|\s)#.*$", "", line))
    except ValueError:
        return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_snippet_runs(doc, workdir):
    namespace: dict = {"__name__": "__docs__"}
    rel = str(doc.relative_to(ROOT))
    for lang, code in blocks(doc):
        first = code.strip().splitlines()[0] if code.strip() else ""
        if SKIP in first:
            assert re.search(SKIP + r" \S", first), f"{rel}: a skip tag gives its reason: {first}"
            continue
        if lang == "toml":
            tomllib.loads(code)
        elif lang == "python":
            if f"python:{rel}" in SLOW and not ALL:
                continue
            if "<run-id>" in code:
                code = code.replace("<run-id>", run_id(workdir))
            exec(compile(code, f"{rel} (python block)", "exec"), namespace)
        elif lang == "bash" and _multiline(code):  # e.g. python -c "..." over several lines
            p = subprocess.run(["bash", "-e", "-c", code], cwd=workdir, capture_output=True, text=True, timeout=900)
            assert p.returncode == 0, f"{rel}: {code}\n{p.stdout}\n{p.stderr}"
        elif lang == "bash":
            for line in code.splitlines():
                if SKIP in line:
                    assert re.search(SKIP + r" \S", line), f"{rel}: a skip tag gives its reason: {line}"
                    continue
                run_command(line, workdir)
        else:
            assert lang in ("text", "console"), f"{rel}: a code block of unknown language {lang!r}"


def test_sim_subpackages_after_import_sim():
    # the README's sim.analysis.summary(res) after a bare `import sim`
    code = "import sim; print(callable(sim.analysis.summary), callable(sim.compare), callable(sim.sweep.run_sweep))"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.stdout.strip() == "True True True", p.stderr
