from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csa import sample

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
