"""A data folder in: :func:`inspect` (every problem, never raising) and :func:`load` (a validated
:class:`~csa.io.dataset.Dataset`, from the dataset cache of :mod:`csa.cache` when a report set it up).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem
from ..progress import bar
from ..schema import TABLE_ORDER, TABLES, Table
from .checks import _check_references, _check_relations, _check_window, _window
from .dataset import CheckResult, Dataset, SourceInfo
from .files import EXTENSIONS, _Entry, _find_file, _list_folder, _near_misses, _size, _threads
from .mapping import read_mapping
from .table import _load_table

__all__ = ["inspect", "load"]


def _check_tz(tz: str) -> str:
    try:
        pd.Timestamp(0).tz_localize(tz)
    except Exception:
        raise ValueError(f"tz: unknown time zone {tz!r}; use an IANA name such as 'Asia/Tokyo' or 'UTC'") from None
    return tz


def inspect(path: str | os.PathLike, *, tz: str = "Asia/Tokyo", mapping: str | os.PathLike | dict | None = None,
            time_window: tuple[str | None, str | None] | None = None) -> CheckResult:
    """Read and check a data folder, returning every problem instead of raising.

    ``result.dataset`` is ``None`` when any problem was found. Parameters as :func:`load`.
    """
    with _returning_allocator():
        return _inspect(path, tz=tz, mapping=mapping, time_window=time_window)


@contextlib.contextmanager
def _returning_allocator() -> Iterator[None]:
    """While loading, Arrow allocates from jemalloc set to hand freed memory back at once.

    Arrow's default pool keeps freed memory for reuse, and loading frees a lot (the text of every
    converted column): measured on 404 MiB of CSV, peak 1.56 GiB → 1.26 GiB, and the memory held
    afterwards 1.43 GiB → 0.74 GiB (the dataset itself is 0.47 GiB). Buffers keep the pool they came
    from; the default pool is restored afterwards. Without jemalloc in pyarrow, nothing changes.
    """
    import pyarrow as pa

    try:
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(0)
    except (NotImplementedError, pa.ArrowException):
        pool = None
    before = pa.default_memory_pool()
    if pool is not None:
        pa.set_memory_pool(pool)
    try:
        yield
    finally:
        if pool is not None:
            pa.set_memory_pool(before)


def _inspect(path: str | os.PathLike, *, tz: str, mapping, time_window) -> CheckResult:
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"data folder not found: {folder} "
                                "(give the folder that holds customers.csv, tickets.csv, …)")
    _check_tz(tz)
    window = _window(time_window)
    spec = read_mapping(mapping)
    entries = _list_folder(folder)
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, SourceInfo] = {}
    shown: dict = {}
    found = {name: _find_file(folder, entries, name, spec.get(name, {})) for name in TABLE_ORDER}
    taken = {e.name for first, others in found.values() for e in ([first] if first else []) + others}
    segments: list[list[Problem]] = [problems]  # each table's problems, in the order of the tables
    loading: dict[str, Future] = {}
    todo: dict[str, tuple[_Entry, Table, dict, list[Problem]]] = {}
    pool = ThreadPoolExecutor(max_workers=_threads())  # Arrow and numpy work outside the GIL
    for name in TABLE_ORDER:
        t = TABLES[name]
        tspec = spec.get(name, {})
        entry, others = found[name]
        problems = []
        segments.append(problems)
        if others:
            problems.append(Problem(name, entry.name, f"more than one file for table '{name}': "
                                    f"{', '.join(e.name for e in [entry, *others])}",
                                    "keep exactly one file per table"))
        if entry is None:
            near = [] if tspec.get("file") else _near_misses(name, entries, taken)
            for e in near:
                taken.add(e.name)
                readable = e.kind == "file" and Path(e.name).suffix.lower() in EXTENSIONS
                problems.append(Problem(
                    name, e.name, f"no file is named {name}.csv (or .tsv, .xlsx, .parquet), but {e.name} looks like "
                    f"the {name} table: it is not read",
                    f"rename it to {name}{Path(e.name).suffix.lower() if readable else '.csv'}"
                    + ("" if readable else " (saved as CSV, Excel or parquet)")
                    + f", or name it in a mapping ({name}: file: {e.name}); if it holds something else, "
                      "move it out of the data folder"))
            if near:
                continue
            if t.required or name in spec:
                want = tspec.get("file") or f"{name}.csv"
                why = "is required" if t.required else "is named in the mapping"
                problems.append(Problem(name, want,
                                        f"the table '{name}' {why} but no file {want} was found in {folder}",
                                        f"export your {name} as {want} (or .xlsx/.parquet) into this folder"
                                        + ("" if t.required else f", or remove '{name}' from the mapping")))
            continue
        todo[name] = (entry, t, tspec, problems)
    for name in sorted(todo, key=lambda n: -_size(todo[n][0])):  # largest first: the threads finish together
        entry, t, tspec, table_problems = todo[name]
        loading[name] = pool.submit(_load_table, entry, t, tspec, tz, table_problems, shown)
    loading = {name: loading[name] for name in todo}  # back in the tables' order
    with pool, bar(len(loading), f"loading {folder.name or folder}", unit="table") as shown_progress:
        for _ in as_completed(loading.values()):
            shown_progress.update()
        for name, job in loading.items():
            df, info = job.result()
            sources[name] = info
            if df is not None:
                tables[name] = df
    problems = [p for segment in segments for p in segment]
    warnings: list[Problem] = [w for name in TABLE_ORDER if name in sources for w in sources[name].warnings]
    found_at = _check_references(tables, sources, problems) if "customers" in tables else {}
    _check_relations(tables, sources, tz, problems, warnings, found_at)
    start, stop, last = _check_window(tables, sources, shown, tz, window, problems)
    used = {info.file for info in sources.values()}
    ignored = sorted(e.name for e in entries if e.kind == "file" and e.name not in used
                     and not e.name.startswith(".") and Path(e.name).suffix.lower() in EXTENSIONS)
    ds = None
    if not problems and "customers" in tables:
        ds = Dataset(**tables, tz=tz, path=str(folder), sources=sources, ignored_files=ignored)
    return CheckResult(str(folder), tz, ds, problems, sources, ignored, tables, (start, stop), last, warnings)


def load(path: str | os.PathLike, *, tz: str = "Asia/Tokyo", mapping: str | os.PathLike | dict | None = None,
         time_window: tuple[str | None, str | None] | None = None) -> Dataset:
    """Load a folder of exports into a validated :class:`Dataset`.

    Parameters
    ----------
    path : folder holding one file per table (``customers.csv``, ``tickets.xlsx``, …; case does
        not matter). ``customers`` is required; the other tables are optional (absent → ``None``).
    tz : business time zone; timestamps are converted to it (periods are cut in it).
    mapping : YAML file or dict renaming an export's columns and values to the canonical
        ones, per table (see ``data/mappings/``), and naming a table's file or sheet.
    time_window : ``(start, end)`` months ``"YYYY-MM"``, inclusive: the dates accepted in every
        date column. ``None`` (or ``None`` for either end) keeps the default: from 2000-01 to one
        month after the data's last month (found from the rows themselves, robust to a few
        stray dates). A date outside is a problem, so a stray 2099 cannot become the latest
        period. Widen it for real data that reaches further, e.g. ``("1995-01", None)``.

    Raises
    ------
    DataError
        listing every problem found (file, column, rows, examples, how to fix).
    ValueError
        for a ``tz`` or ``time_window`` that cannot be used.

    Examples
    --------
    >>> ds = load("data/sample")  # from the repository's root
    >>> len(ds.customers), str(ds.tickets["created_at"].dt.tz), ds.goals is None
    (2000, 'Asia/Tokyo', False)
    """
    from ..cache import fetch  # a report's validated dataset (only when CSA_DATASET_CACHE is set)
    from ..labels import use_data_labels

    hit = fetch(path, tz=tz, mapping=mapping, time_window=time_window)
    if hit is None:
        result = inspect(path, tz=tz, mapping=mapping, time_window=time_window)
        if result.problems:
            raise DataError(result.problems, source=str(path))
        hit = result.dataset
    use_data_labels(path)  # the data's own names for its values (labels.yaml beside the tables), if any
    return hit
