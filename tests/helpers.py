"""What the test modules share to run a notebook: papermill with the settings every test uses, and readers of
what the executed notebook shows.

Tests that only read an executed notebook take the session fixture ``run_notebook`` (``tests/conftest.py``),
which executes each notebook once per session for the same parameters; :func:`execute` is for a notebook a
test builds itself (a changed copy of one of ``notebooks/``).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest

from csa import headline

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def execute(notebook: Path, out: Path, *, cwd: Path | None = None, **params) -> nbformat.NotebookNode:
    """Run ``notebook`` with papermill on the ``python3`` kernel in ``cwd`` (default: the notebook's folder),
    save it as ``out`` and return what was saved.

    The notebook is written once, when it has run (or failed): papermill's default writes the whole notebook,
    charts included, before and after every cell, 1–2 s of this process's time per run for a file no test reads
    before the end.
    """
    papermill.execute_notebook(str(notebook), str(out), parameters=params, kernel_name="python3",
                               cwd=str(cwd or notebook.parent), progress_bar=False, request_save_on_cell_execute=False)
    return nbformat.read(out, as_version=4)


def outputs(nb: nbformat.NotebookNode) -> list[dict]:
    """Every output of every cell, in order."""
    return [o for c in nb.cells for o in c.get("outputs", [])]


def markdown(nb: nbformat.NotebookNode) -> list[str]:
    """The Markdown the notebook displayed (its sentences), in order."""
    return [o["data"]["text/markdown"] for o in outputs(nb) if "text/markdown" in o.get("data", {})]


def stderr(nb: nbformat.NotebookNode) -> list[dict]:
    """Outputs written to stderr (warnings)."""
    return [o for o in outputs(nb) if o.get("name") == "stderr"]


def records(nb: nbformat.NotebookNode) -> list[dict]:
    """The notebook's headline records."""
    return headline.extract(nb)


def same_run(notebook: str, **params) -> pytest.MarkDecorator:
    """The mark of tests in different modules that read the same run (``run_notebook(notebook, **params)``):
    ``--dist loadgroup`` sends them to one process, where the notebook runs once for all of them."""
    return pytest.mark.xdist_group("-".join([Path(notebook).stem, *(f"{k}={v}" for k, v in sorted(params.items()))]))
