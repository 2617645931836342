"""Step 1 of a metric, declared once and run on any engine: counts tables through narwhals.

A metric's aggregation is a few per-row conditions counted, and a few per-row values summed, per
group (NPS: valid answers, promoters, passives, detractors, excluded; CSAT: valid answers,
satisfied, Σ score, Σ score², excluded). Declared as a :class:`CountsSpec` of narwhals
expressions, it runs unchanged on a pandas or Polars DataFrame, a DuckDB relation (over a frame,
Parquet or CSV files, or a database table) and a PySpark DataFrame: :func:`aggregate` compiles it
into one ``select`` of 0/1 indicators and values followed by ``group_by(...).agg(sum)``, which every
narwhals backend runs natively (DuckDB and Spark plan it as one scan and one hash aggregate), and
collects the small result into pandas. Step 2, the statistics, then runs on that table as on any
counts table.

Metrics counted per customer first (GCR with ``unit="customer"``; churn from customer-months)
take two steps of the same kind: a narwhals ``group_by`` down to one row per customer (or
customer-month), then a spec over that frame (:func:`aggregate` accepts narwhals frames too).

The pandas kernels of each metric (e.g. :func:`csa.metrics.nps.nps_counts`) stay the reference and
the fast path for in-memory frames; a spec must give identical tables, which
``tests/test_engines.py`` checks on the bundled sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import narwhals as nw
import pandas as pd

from ..errors import DataError, Problem

__all__ = ["Count", "CountsSpec", "Sum", "aggregate", "engine_name", "valid_score"]

_TMP = "_csa_"  # prefix of the per-row helper columns, so they never clash with the data's own


@dataclass(frozen=True)
class Count:
    """Output column: the number of rows where ``when`` holds (a missing result counts as false)."""

    when: nw.Expr


@dataclass(frozen=True)
class Sum:
    """Output column: Σ ``of`` over the rows where ``when`` holds (every row if ``None``).

    As float64, or as int64 with ``integer=True`` (for whole numbers, e.g. counts already made per
    customer in a first ``group_by``: they then stay exact on every engine).
    """

    of: nw.Expr
    when: nw.Expr | None = None
    integer: bool = False


@dataclass(frozen=True)
class CountsSpec:
    """A counts table declared once: what to count and sum per group, and which rows are errors.

    Attributes
    ----------
    columns : dict of str to Count or Sum
        Output columns, in order: ``Count`` columns come out as int64, ``Sum`` columns as float64
        (int64 with ``Sum(..., integer=True)``).
    inputs : dict of str to str
        The numeric (or boolean) columns the expressions read, by role (``{"score": "score"}``); a
        missing one raises ``KeyError("<role> column '<name>' not found; ...")`` as the pandas
        kernels do; a text column raises ``TypeError`` (the engine must convert it: lazy engines
        cannot coerce quietly).
    text : dict of str to str
        Columns read as they are, text welcome (a status compared with ``"solved"``), by role; a
        missing one raises the same ``KeyError``.
    invalid : narwhals Expr, optional
        Rows that are an error unless the caller passes ``exclude_invalid=True`` (they must then
        be counted in one of ``columns``, usually ``excluded``).
    problem : Problem, optional
        The :class:`~csa.errors.Problem` raised for ``invalid`` rows (table, message, fix, column);
        :func:`aggregate` fills in the engine, the number of rows and a few values.
    """

    columns: dict[str, Count | Sum]
    inputs: dict[str, str] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)
    invalid: nw.Expr | None = None
    problem: Problem | None = None


def valid_score(column: str, low: int, high: int) -> nw.Expr:
    """Whether each answer is a whole number from ``low`` to ``high`` (missing: false).

    Parameters
    ----------
    column : str
        The score column.
    low, high : int
        The scale's ends.

    Returns
    -------
    narwhals Expr
        Boolean, never missing: false for a missing, fractional or out-of-scale value.

    Examples
    --------
    >>> df = pd.DataFrame({"score": [0.0, 10.0, 7.5, 11.0, None]})
    >>> nw.from_native(df).select(ok=valid_score("score", 0, 10)).to_native()["ok"].tolist()
    [True, True, False, False, False]
    """
    s = nw.col(column)
    return ~s.is_null() & s.is_between(low, high) & (s % 1 == 0)


def _row(part: Count | Sum) -> nw.Expr:
    if isinstance(part, Count):
        return nw.when(part.when).then(1).otherwise(0)
    return part.of if part.when is None else nw.when(part.when).then(part.of).otherwise(0)


def engine_name(data) -> str:
    """The engine holding ``data``: ``"pandas"``, ``"duckdb"``, ``"spark"``, or another narwhals backend.

    Parameters
    ----------
    data : DataFrame, relation or narwhals frame
        Anything ``narwhals.from_native`` accepts.

    Returns
    -------
    str
        PySpark (classic or Connect) and SQLFrame are all ``"spark"``.

    Examples
    --------
    >>> engine_name(pd.DataFrame({"x": [1]}))
    'pandas'
    """
    impl = nw.from_native(data).implementation
    return "spark" if impl.is_pyspark() or impl.is_pyspark_connect() or impl.is_sqlframe() else impl.value


def _to_pandas(frame) -> pd.DataFrame:
    """A narwhals frame, collected (lazy engines through Arrow) into pandas."""
    if isinstance(frame, nw.LazyFrame):
        return frame.collect("pyarrow").to_native().to_pandas()
    native = frame.to_native()
    return native if isinstance(native, pd.DataFrame) else frame.to_pandas()


def aggregate(data, spec: CountsSpec, by: str | list[str] | None = None, *,
              exclude_invalid: bool = False) -> pd.DataFrame:
    """Run a counts spec on any narwhals-supported frame; the small result comes back in pandas.

    Parameters
    ----------
    data : DataFrame or relation
        pandas or Polars DataFrame, DuckDB relation, PySpark DataFrame (anything
        ``narwhals.from_native`` accepts), one row per raw record.
    spec : CountsSpec
        What to count and sum (see :class:`CountsSpec`).
    by : str or list of str, optional
        Grouping column(s); ``None`` for one overall row. Missing group values form their own group.
    exclude_invalid : bool
        With ``False`` (default), rows matching ``spec.invalid`` raise :class:`~csa.DataError`.

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns, then ``spec.columns`` (``Count`` as int64, ``Sum`` as float64 or int64); groups
        sorted by the ``by`` columns, missing values last; only groups with at least one row.

    Examples
    --------
    >>> spec = CountsSpec({"n": Count(nw.col("x") > 0), "total": Sum(nw.col("x"))}, inputs={"value": "x"})
    >>> df = pd.DataFrame({"g": ["b", "a", "b"], "x": [1, -2, 3]})
    >>> aggregate(df, spec, "g")
       g  n  total
    0  a  0   -2.0
    1  b  2    4.0

    The same spec on DuckDB (a relation over the frame, here; files work the same way):

    >>> import duckdb
    >>> aggregate(duckdb.connect().from_df(df), spec, "g").equals(aggregate(df, spec, "g"))
    True
    """
    frame = nw.from_native(data)
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    schema = frame.collect_schema()
    names = schema.names()
    for role, col in [*spec.inputs.items(), *spec.text.items()]:
        if col not in names:
            raise KeyError(f"{role} column {col!r} not found; the columns are: {', '.join(map(str, names))}")
    for role, col in spec.inputs.items():
        if schema[col] == nw.String:
            raise TypeError(f"{role} column {col!r} holds text; convert it to numbers in the engine first "
                            f"(DuckDB: TRY_CAST({col} AS DOUBLE); Spark: col({col!r}).try_cast('double'))")
    missing = [k for k in keys if k not in names]
    if missing:
        raise KeyError(f"group column(s) {missing} not found; the columns are: {', '.join(map(str, names))}")
    parts = dict(spec.columns)
    if spec.invalid is not None:
        parts[_TMP + "invalid"] = Count(spec.invalid)
    rows = frame.select(*keys, **{_TMP + c: _row(p) for c, p in parts.items()})
    sums = [nw.col(_TMP + c).sum().alias(c) for c in parts]
    out = rows.group_by(*keys, drop_null_keys=False).agg(*sums) if keys else rows.select(*sums)
    out = _to_pandas(out.with_columns(*[nw.col(c).cast(nw.Int64 if isinstance(p, Count) or p.integer else nw.Float64)
                                        for c, p in parts.items()]))
    if keys:
        out = out.sort_values(keys, na_position="last", kind="stable").reset_index(drop=True)
    if spec.invalid is not None:
        bad = int(out.pop(_TMP + "invalid").sum())
        if bad and not exclude_invalid:
            problem = spec.problem or Problem("", "", "invalid rows", "pass exclude_invalid=True")
            shown = frame.filter(spec.invalid).select(problem.column).head(3) if problem.column else None
            values = _to_pandas(shown).iloc[:, 0].tolist() if shown is not None else []
            where = "(data frame)" if frame.implementation.is_pandas() else f"({engine_name(frame)} data)"
            raise DataError([replace(problem, file=where, n_rows=bad, values=values)])
    return out
