"""The data a KPI is computed from, on one engine: :class:`Tables` and :func:`open_tables`.

:func:`csa.measure` accepts a loaded :class:`~csa.Dataset`, a folder of exports, or tables
already opened on an engine (DuckDB relations, PySpark DataFrames); :func:`open_tables` turns any
of them into :class:`Tables`, whose :meth:`Tables.frame` gives each table as a narwhals frame of
the chosen engine. The aggregation then runs where the rows are:

* ``engine="pandas"``: the frames of a Dataset (a folder is loaded with :func:`csa.load`);
* ``engine="duckdb"``: DuckDB relations (a Dataset's frames are scanned by DuckDB in place; a
  folder's Parquet or CSV files are read by DuckDB, never into pandas);
* ``engine="spark"``: PySpark DataFrames (a Dataset's frames are handed to the session; a folder's
  files are read by Spark).

Months (``subscriptions.month``, ``support_costs.month``) are carried as integer month ordinals
(months since 1970-01, as :class:`pandas.Period` counts them) on every engine, so that a
``period[M]`` column of pandas, ``YYYY-MM`` text of a CSV and a date of a database all compare
alike; :data:`MONTH_COLUMNS` names them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import narwhals as nw
import pandas as pd

from ..engines import ENGINES, connect, engine_name
from ..errors import DataError, Problem

__all__ = ["MONTH_COLUMNS", "TABLE_NAMES", "Tables", "month_ordinal", "open_tables"]

#: the tables a KPI may read
TABLE_NAMES = ("customers", "subscriptions", "orders", "tickets", "surveys", "goals", "support_costs")
#: month columns, carried as month ordinals: (table, column)
MONTH_COLUMNS = {("subscriptions", "month"), ("support_costs", "month")}
_MONTH_TEXT = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_ZONE = re.compile(r"[a-zA-Z/]+")  # the zone names narwhals reads from a pandas dtype


@dataclass
class Tables:
    """Tables on one engine (see the module docstring).

    Attributes
    ----------
    engine : str
        ``"pandas"``, ``"duckdb"`` or ``"spark"``.
    natives : dict
        Table name → the engine's frame (pandas DataFrame, DuckDB relation, PySpark DataFrame).
    tz : str
        The business time zone: periods and business hours are cut in it.
    origin : str
        Where the tables came from (a folder, "dataset"), for messages.
    """

    engine: str
    natives: dict[str, Any]
    tz: str = "Asia/Tokyo"
    origin: str = ""
    con: Any = None
    spark: Any = None
    _frames: dict[str, Any] = field(default_factory=dict, repr=False)
    #: table → optional columns its file did not have (filled empty when it was loaded)
    absent: dict[str, frozenset] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        """Whether the table is present."""
        return self.natives.get(name) is not None

    def lacks(self, name: str, column: str) -> bool:
        """Whether the table (present) has no ``column`` in its source: not in the file, or not in the frame."""
        return column in self.absent.get(name, ()) or (self.has(name) and
                                                        column not in self.frame(name).collect_schema().names())

    def frame(self, name: str):
        """The table as a narwhals frame (its month column as month ordinals); a :class:`~csa.DataError` if absent."""
        if name in self._frames:
            return self._frames[name]
        native = self.natives.get(name)
        if native is None:
            raise DataError([Problem(name, self.origin or "(data)", f"the {name} table is missing, and this KPI is "
                                     f"counted from it", f"add {name}.csv (or .parquet) to the data folder")])
        frame = nw.from_native(native)
        for table, col in MONTH_COLUMNS:
            if table == name and col in frame.collect_schema().names():
                frame = frame.with_columns(month_ordinal(frame, col).alias(col))
        self._frames[name] = frame
        return frame

    def native(self, df: pd.DataFrame):
        """A small pandas frame (a calendar, a table of targets) as a narwhals frame of this engine, to join with."""
        if self.engine == "pandas":
            return nw.from_native(df)
        if self.engine == "duckdb":
            return nw.from_native(self._con().from_df(df))
        return nw.from_native(self._spark().createDataFrame(df))

    def _con(self):
        if self.con is None:
            self.con = connect(tz=self.tz)
        return self.con

    def _spark(self):
        if self.spark is None:
            from pyspark.sql import SparkSession

            from ..engines import spark_session

            self.spark = SparkSession.getActiveSession() or spark_session(tz=self.tz)
        return self.spark


def month_ordinal(frame, col: str) -> nw.Expr:
    """A month column as months since 1970-01: from ``period[M]`` ordinals, ``YYYY-MM`` text or dates."""
    dtype = frame.collect_schema()[col]
    c = nw.col(col)
    if dtype.is_integer():
        return c.cast(nw.Int64)
    if dtype == nw.String:
        return (c.str.slice(0, 4).cast(nw.Int64) - 1970) * 12 + c.str.slice(5, 2).cast(nw.Int64) - 1
    if isinstance(dtype, (nw.Datetime, nw.Date)):
        return (c.dt.year().cast(nw.Int64) - 1970) * 12 + c.dt.month().cast(nw.Int64) - 1
    raise TypeError(f"month column {col!r} holds {dtype}; expected YYYY-MM text, dates or months")


def _pandas_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Period columns as their integer ordinals (narwhals, DuckDB and Spark know no pandas Period), and
    instants in a time zone narwhals cannot name as the same instants in UTC.

    narwhals reads a pandas dtype such as ``datetime64[ns, America/New_York]`` as Unknown (its
    pattern for zone names has no underscore or digit), so the period and clock expressions would
    refuse the column; ``UTC`` is the same instants, and every expression converts them to the
    business time zone itself.
    """
    out = {}
    for name, df in tables.items():
        if df is None:
            continue
        periods = [c for c in df.columns if isinstance(df[c].dtype, pd.PeriodDtype)]
        instants = [c for c in df.columns if isinstance(df[c].dtype, pd.DatetimeTZDtype)
                    and not _ZONE.fullmatch(str(df[c].dtype.tz))]
        if periods or instants:
            df = df.assign(**{c: df[c].array.asi8 for c in periods},
                           **{c: df[c].dt.tz_convert("UTC") for c in instants})
        out[name] = df
    return out


def _dataset_tables(ds) -> dict[str, pd.DataFrame]:
    return {name: getattr(ds, name, None) for name in TABLE_NAMES if getattr(ds, name, None) is not None}


def open_tables(data, *, engine: str = "pandas", tz: str | None = None, mapping=None, con=None,
                spark=None) -> Tables:
    """The data on ``engine``, as :class:`Tables`.

    Parameters
    ----------
    data : Dataset, folder, dict or Tables
        A :class:`~csa.Dataset` (from :func:`csa.load`); a folder of exports (a path); a dict of
        table name → frame of one engine (DuckDB relations, PySpark or pandas DataFrames); or
        :class:`Tables` (returned as they are when the engine matches).
    engine : {"pandas", "duckdb", "spark"}
        Where the rows are aggregated.
    tz : str, optional
        Business time zone; default the Dataset's, else Asia/Tokyo.
    mapping : str or dict, optional
        The mapping of a folder's exports (:func:`csa.load`). With ``"duckdb"`` or ``"spark"``
        a folder is read as its files are (a mapping is applied by :func:`csa.load` only): load
        it first and pass the Dataset.
    con, spark
        A DuckDB connection or a Spark session to use.

    Returns
    -------
    Tables

    Examples
    --------
    >>> import csa
    >>> t = open_tables(csa.load(csa.datasets.sample_dir()), engine="duckdb")
    >>> t.engine, type(t.natives["tickets"]).__name__
    ('duckdb', 'DuckDBPyRelation')
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    if isinstance(data, Tables):
        if data.engine != engine:
            raise ValueError(f"these tables are on {data.engine}, not {engine}: open the data again with "
                             f"engine={engine!r}")
        return data
    if isinstance(data, dict):
        natives = {k: v for k, v in data.items() if v is not None}
        if isinstance(next(iter(natives.values()), None), pd.DataFrame):
            natives = _pandas_tables(natives)
        engines = {engine_name(v) for v in natives.values()}
        if engines and engines != {engine}:
            raise ValueError(f"the tables are on {', '.join(sorted(engines))}; pass engine= accordingly")
        return Tables(engine, natives, tz or "Asia/Tokyo", "tables", con, spark)
    if isinstance(data, (str, os.PathLike)):
        return _open_folder(Path(data), engine, tz or "Asia/Tokyo", mapping, con, spark)
    if not hasattr(data, "customers"):
        raise TypeError(f"expected a Dataset (csa.load), a folder, or a dict of tables; got {type(data).__name__}")
    tz = tz or getattr(data, "tz", None) or "Asia/Tokyo"
    frames = _pandas_tables(_dataset_tables(data))
    origin = str(getattr(data, "path", "") or "dataset")
    absent = {name: frozenset(getattr(info, "absent_columns", ()) or ())
              for name, info in (getattr(data, "sources", None) or {}).items()}
    if engine == "pandas":
        return Tables("pandas", frames, tz, origin, absent=absent)
    if engine == "duckdb":
        con = con or connect(tz=tz)
        return Tables("duckdb", {k: con.from_df(v) for k, v in frames.items()}, tz, origin, con=con, absent=absent)
    t = Tables("spark", {}, tz, origin, spark=spark, absent=absent)
    t.natives = {k: t._spark().createDataFrame(v) for k, v in frames.items()}
    return t


def _open_folder(folder: Path, engine: str, tz: str, mapping, con, spark) -> Tables:
    if engine == "pandas":
        from ..io import load

        return open_tables(load(folder, tz=tz, mapping=mapping), engine="pandas", tz=tz)
    if mapping:
        raise ValueError(f"engine={engine!r} reads the exports as they are, and a mapping is applied by csa.load "
                         "only: load the folder with csa.load(folder, mapping=...) and pass the dataset, or export "
                         "the columns under the handbook's names")
    from ..engines import read

    natives = {}
    con = con or (connect(tz=tz) if engine == "duckdb" else None)
    for name in TABLE_NAMES:
        try:
            natives[name] = read(folder, name, engine=engine, tz=tz, con=con, spark=spark)
        except FileNotFoundError:
            continue
    if "customers" not in natives:
        raise FileNotFoundError(f"no customers table (customers.parquet, customers/ or customers.csv) in {folder}")
    return Tables(engine, natives, tz, str(folder), con, spark)
