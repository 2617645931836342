from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import csa
from csa import sample

from . import helpers

# how `pytest -n 2 --dist loadgroup` (make test) shares the tests out between its processes: see tests/scheduling.py
from .scheduling import (  # noqa: F401
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_configure_node,
    pytest_runtest_logreport,
    pytest_sessionfinish,
    pytest_unconfigure,
    pytest_xdist_make_scheduler,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="session")
def small_source(tmp_path_factory) -> Path:
    """A small valid data set (60 customers, 8 months), generated once."""
    out = tmp_path_factory.mktemp("small")
    sample.write(out, n_customers=60, months=8, seed=7)
    return out


@pytest.fixture
def small(small_source, tmp_path) -> Path:
    """A fresh, editable copy of the small data set."""
    for f in small_source.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    return tmp_path


def read_raw(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def write_raw(folder: Path, table: str, df: pd.DataFrame, **kw) -> None:
    df.to_csv(folder / f"{table}.csv", index=False, **kw)


# ------------------------------------------------------------------ the bundled sample, loaded once

def _fingerprint(ds) -> dict:
    """What a test could change in a Dataset: each table's columns, dtypes, index and values; the other fields."""
    out = {}
    for name, value in vars(ds).items():
        if isinstance(value, pd.DataFrame):
            out[name] = (list(value.columns), [str(t) for t in value.dtypes], value.shape,
                         int(pd.util.hash_pandas_object(value, index=True).sum()))
        else:
            out[name] = repr(value)
    return out


@pytest.fixture(scope="session")
def sample_ds():
    """The bundled sample, ``csa.load(csa.datasets.sample_dir())``, loaded once per test process and shared.

    Read it, never change it: a test that changes a table (adds a column, sets values, sorts in place) or
    a field takes ``sample_copy``. The session fails at its end if the shared one changed; with
    ``CSA_TEST_SAMPLE_CHECK=each`` it is checked after every test that used it, to find the one that did.
    """
    ds = csa.load(csa.datasets.sample_dir())
    _as_loaded[id(ds)] = _fingerprint(ds)
    yield ds
    changed = _changed(ds)
    assert not changed, f"a test changed the shared sample (sample_ds): {changed}; give that test sample_copy"


_as_loaded: dict[int, dict] = {}


def _changed(ds) -> list[str]:
    before = _as_loaded[id(ds)]
    return [k for k, v in _fingerprint(ds).items() if before.get(k) != v]


@pytest.fixture(autouse=os.environ.get("CSA_TEST_SAMPLE_CHECK") == "each")
def _sample_unchanged_by_this_test(request):
    yield
    if "sample_ds" in request.fixturenames:
        changed = _changed(request.getfixturevalue("sample_ds"))
        assert not changed, f"{request.node.nodeid} changed the shared sample: {changed}"


@pytest.fixture
def sample_copy(sample_ds):
    """A deep copy of the bundled sample, for a test that changes it."""
    return copy.deepcopy(sample_ds)


# ------------------------------------------------------------------ notebooks, executed once per parameters

@pytest.fixture(scope="session")
def run_notebook(tmp_path_factory):
    """``run_notebook("03_ces.ipynb", lang="ja")``: the notebook of ``notebooks/`` executed with papermill with
    these parameters (:func:`tests.helpers.execute`), as a fresh NotebookNode for each caller.

    A notebook runs once per test process for the same parameters: tests that read the same run share it.
    Tests in different modules that share a run carry the same ``helpers.same_run`` mark, so that
    ``--dist loadgroup`` sends them to the same process. A run that fails is not kept (each test sees the error).
    """
    done: dict[tuple[str, str], Path] = {}

    def run(notebook: str | Path, **params) -> nbformat.NotebookNode:
        path = helpers.NOTEBOOKS / notebook
        key = (str(path), json.dumps(params, sort_keys=True))
        if key not in done:
            out = tmp_path_factory.mktemp(f"run-{path.stem}") / path.name
            helpers.execute(path, out, **params)
            done[key] = out
        return nbformat.read(done[key], as_version=4)

    return run
