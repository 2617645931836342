"""What loading gives: a :class:`Dataset` (one typed, validated frame per table), the
:class:`SourceInfo` of each table (its file and what was done to it) and, from :func:`csa.io.inspect`,
a :class:`CheckResult` (the dataset, or every problem found).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from ..errors import DataError, Problem
from ..schema import TABLE_ORDER

__all__ = ["CheckResult", "Dataset", "SourceInfo"]


@dataclass
class SourceInfo:
    """Where one table came from and what was done to it on the way in."""

    table: str
    file: str
    format: str
    encoding: str | None
    rows: int
    normalizations: Counter = field(default_factory=Counter)  # (column, what) -> rows
    extra_columns: list[str] = field(default_factory=list)
    read: bool = True  # False: the file exists but could not be read (see the problems)
    sheet: str | None = None  # the sheet read from a workbook
    warnings: list[Problem] = field(default_factory=list, compare=False)  # found reading the file: warnings only
    #: optional columns the file does not have (read as empty): a KPI that needs one is not computed
    absent_columns: list[str] = field(default_factory=list)


@dataclass
class Dataset:
    """One typed, validated DataFrame per table; an absent table is ``None``."""

    customers: pd.DataFrame
    subscriptions: pd.DataFrame | None = None
    orders: pd.DataFrame | None = None
    tickets: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    goals: pd.DataFrame | None = None
    support_costs: pd.DataFrame | None = None
    usage: pd.DataFrame | None = None
    tz: str = "Asia/Tokyo"
    path: str = ""
    sources: dict[str, SourceInfo] = field(default_factory=dict)
    ignored_files: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables present, in the canonical order."""
        return {n: getattr(self, n) for n in TABLE_ORDER if getattr(self, n) is not None}

    def require(self, *names: str) -> None:
        """Raise a clear :class:`DataError` if a table a notebook needs is absent."""
        missing = [n for n in names if getattr(self, n) is None]
        if missing:
            raise DataError([
                Problem(n, f"{n}.csv", f"the table '{n}' is needed here but was not found",
                        f"put a file named {n}.csv (or .xlsx/.parquet) in {self.path or 'the data folder'}")
                for n in missing
            ], source=self.path)

    def __repr__(self) -> str:
        parts = ", ".join(f"{n}={len(df):,} rows" for n, df in self.tables().items())
        return f"Dataset({self.path!r}, tz={self.tz!r}: {parts})"


@dataclass
class CheckResult:
    """What :func:`inspect` found: the dataset (``None`` if unusable) and every problem."""

    path: str
    tz: str
    dataset: Dataset | None
    problems: list[Problem]
    sources: dict[str, SourceInfo]
    ignored_files: list[str]
    tables: dict[str, pd.DataFrame]
    #: the accepted dates: first and last month (``None``: no dates to bound), and the data's last month
    window: tuple[pd.Period | None, pd.Period | None] = (None, None)
    last_month: pd.Period | None = None
    #: what the rules whose severity is a warning found (data/README.md): listed, the data can still be used
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.dataset is not None
