"""The tutorial notebook (docs/tutorial.ipynb) runs cell by cell as a reader runs it, and the
repository holds it without outputs, as docs/make_tutorial.py writes it."""

from __future__ import annotations

import importlib.util
import os

import nbformat
import pytest

from tests.conftest import ROOT

nbclient = pytest.importorskip("nbclient")

NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"


def test_the_notebook_is_stored_without_outputs_as_its_script_writes_it():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    spec = importlib.util.spec_from_file_location("make_tutorial", ROOT / "docs" / "make_tutorial.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert [c.source for c in module.build().cells] == [c.source for c in nb.cells]


def test_every_cell_of_the_tutorial_runs(tmp_path, monkeypatch):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = nbclient.NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "docs")}}
    )
    client.execute()  # raises CellExecutionError naming the cell that failed
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    # the experiment's sentence and the cycle analysis reached the reader
    text = "".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "95% CI" in text and "n_cycles" in text
