"""A cache of validated datasets, so that a report validates its data once.

``csa report`` loads and validates the data folder once, :func:`store`\\ s the :class:`~csa.io.Dataset`
under its private run folder and names that folder in the environment variable :data:`ENV`
for the notebook kernels it starts. :func:`csa.load` then calls :func:`fetch` first: when
:data:`ENV` names a folder holding an entry for the same inputs, it returns that dataset (read
from Parquet in a fraction of the time a validation takes) instead of reading and checking the
exports again. Without :data:`ENV` nothing is looked at.

The key
    A SHA-256 over: the cache format (:data:`FORMAT`), csa's, pandas' and pyarrow's versions;
    the resolved data folder; name, type, size, ``mtime_ns``, ``ctime_ns`` and inode of every
    entry of the folder that is not hidden, and of any file the mapping names below it (the
    files :func:`csa.load` would consider, read, list as ignored or flag as near misses); the
    mapping (a file: its resolved path and the SHA-256 of its bytes; a dict: its canonical
    JSON); ``tz``; ``time_window``. A file changed, added or removed, another mapping or zone:
    another key, so a miss.

An entry
    A folder ``<ENV>/<key>/`` holding one Parquet file per table and ``meta.json`` with the
    dataset's other fields (``tz``, ``path``, ``sources`` with their normalisation counts,
    ``ignored_files``) and each table's columns, dtypes and row count. Columns of ``object``
    dtype (extra columns read from a workbook can mix numbers and text, which Parquet cannot
    hold) go to ``<table>.objects.pkl`` instead. The entry is written in a temporary folder
    beside it and renamed into place, so a reader sees a whole entry or none.

Never wrong, never in the way
    :func:`fetch` returns ``None`` (and :func:`csa.load` validates as usual) when :data:`ENV` is
    unset, when there is no entry for the key, and when anything about the entry is wrong
    (unreadable, truncated, a dtype or row count that differs from its ``meta.json``): a bad
    cache never raises and never returns a dataset that differs from a fresh load.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

__all__ = ["ENV", "FORMAT", "fetch", "hits", "key", "key_parts", "last_miss", "store"]

#: Names the folder holding the cache; unset: :func:`csa.load` never looks at a cache.
ENV = "CSA_DATASET_CACHE"
#: The entry layout; part of the key, so an entry of another layout is never read.
FORMAT = 1
META = "meta.json"

_hits = 0
_last_miss: str | None = None


def hits() -> int:
    """How many datasets :func:`fetch` returned from the cache in this process."""
    return _hits


def last_miss() -> str | None:
    """Why the last :func:`fetch` of this process returned ``None`` (``None``: it did not)."""
    return _last_miss


def _versions() -> dict[str, str]:
    import pandas as pd
    import pyarrow

    from ._version import __version__

    return {"csa": __version__, "pandas": pd.__version__, "pyarrow": pyarrow.__version__}


def _stat(path: Path) -> list[Any]:
    try:
        st = os.stat(path)
    except OSError as exc:  # a dangling link, a file that cannot be read: part of the key as such
        return [exc.errno]
    return [st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def key_parts(path: str | os.PathLike, *, tz: str, mapping: str | os.PathLike | dict | None,
              time_window: tuple[str | None, str | None] | None) -> dict[str, Any]:
    """What the key is made of (see the module docstring); raises for an unreadable folder or mapping."""
    from .io.mapping import read_mapping

    folder = Path(path).resolve(strict=True)
    files = [[name, *_stat(folder / name)] for name in sorted(os.listdir(folder)) if not name.startswith(".")]
    named = []  # files the mapping names (a path below the folder, or a hidden name)
    if mapping is None:
        m = None
    elif isinstance(mapping, dict):
        m = {"dict": json.dumps(mapping, sort_keys=True, ensure_ascii=False, default=str)}
    else:
        mfile = Path(mapping).resolve(strict=True)
        m = {"file": str(mfile), "sha256": _sha256(mfile)}
    for spec in read_mapping(mapping).values():
        want = spec.get("file")
        if want and (Path(want).name != want or want.startswith(".")):
            named.append([want, *_stat(folder / want)])
    window = [None, None] if time_window is None else [None if w is None else str(w) for w in time_window]
    return {"format": FORMAT, "versions": _versions(), "folder": str(folder), "files": files, "named": named,
            "mapping": m, "tz": tz, "time_window": window}


def key(path: str | os.PathLike, *, tz: str = "Asia/Tokyo", mapping: str | os.PathLike | dict | None = None,
        time_window: tuple[str | None, str | None] | None = None) -> str:
    """The cache key of ``csa.load(path, tz=…, mapping=…, time_window=…)``: a SHA-256 in hex."""
    parts = key_parts(path, tz=tz, mapping=mapping, time_window=time_window)
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------------ store

def _source_json(info) -> dict[str, Any]:
    norms = []
    for k, n in info.normalizations.items():
        if not (isinstance(k, tuple) and len(k) == 2 and all(isinstance(x, str) for x in k)):
            raise TypeError(f"normalisation key {k!r} of {info.table} is not a (column, what) pair")
        norms.append([k[0], k[1], int(n)])
    return {"table": info.table, "file": info.file, "format": info.format, "encoding": info.encoding,
            "rows": int(info.rows), "normalizations": norms, "extra_columns": [str(c) for c in info.extra_columns],
            "read": bool(info.read), "sheet": info.sheet, "absent_columns": [str(c) for c in info.absent_columns]}


def _write_table(df, name: str, folder: Path) -> dict[str, Any]:
    import pandas as pd

    columns = list(df.columns)
    if not all(isinstance(c, str) for c in columns) or len(set(columns)) != len(columns):
        raise TypeError(f"{name}: column names are not distinct texts")
    objects = [c for c in columns if pd.api.types.is_object_dtype(df[c].dtype)]
    entry = {"file": f"{name}.parquet", "rows": len(df), "columns": columns,
             "dtypes": [str(df[c].dtype) for c in columns], "objects": None}
    df.drop(columns=objects).to_parquet(folder / entry["file"], engine="pyarrow")
    if objects:  # Parquet cannot hold a column mixing numbers and text: pickled as they are
        entry["objects"] = f"{name}.objects.pkl"
        df[objects].to_pickle(folder / entry["objects"])
    return entry


def store(dataset, folder: str | os.PathLike, *, tz: str = "Asia/Tokyo",
          mapping: str | os.PathLike | dict | None = None,
          time_window: tuple[str | None, str | None] | None = None, loaded_as: str | None = None) -> Path:
    """Put ``dataset``, as ``csa.load(dataset.path, tz=…, mapping=…, time_window=…)`` returned it, into ``folder``.

    Give the same ``tz``, ``mapping`` and ``time_window`` the dataset was loaded with: they are
    part of the key. ``loaded_as``: the :func:`key` taken before the dataset was loaded; if the
    inputs' key differs now, a file changed while it was being read and nothing is stored
    (``ValueError``). The entry is written under a temporary name and renamed into place (an
    entry already there is kept). Returns the entry's folder; raises if it cannot be written
    (e.g. a column Parquet and pickle cannot hold): the caller then simply does not cache.
    """
    folder = Path(folder)
    k = key(dataset.path, tz=tz, mapping=mapping, time_window=time_window)
    if loaded_as is not None and loaded_as != k:
        raise ValueError("the data folder changed while it was being loaded; not cached")
    final = folder / k
    if (final / META).is_file():
        return final
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".tmp-{k[:16]}-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        tables = {name: _write_table(df, name, tmp) for name, df in dataset.tables().items()}
        meta = {"format": FORMAT, "key": k, "tz": dataset.tz, "path": dataset.path,
                "tables": tables, "sources": [_source_json(s) for s in dataset.sources.values()],
                "source_names": list(dataset.sources), "ignored_files": list(dataset.ignored_files)}
        (tmp / META).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        try:
            os.rename(tmp, final)
        except OSError:
            if not (final / META).is_file():  # not another writer that was first: a real failure
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


# ------------------------------------------------------------------------------------ fetch

def _read_table(entry_dir: Path, name: str, spec: dict[str, Any]):
    import pandas as pd

    df = pd.read_parquet(entry_dir / spec["file"], engine="pyarrow")
    if spec.get("objects"):
        objects = pd.read_pickle(entry_dir / spec["objects"])
        if not objects.index.equals(df.index):
            raise ValueError(f"{name}: the pickled columns do not match the Parquet rows")
        for c in objects.columns:
            df[c] = objects[c]
    columns, dtypes = spec["columns"], spec["dtypes"]
    if sorted(df.columns) != sorted(columns) or len(df) != spec["rows"]:
        raise ValueError(f"{name}: columns or row count differ from {META}")
    df = df[columns] if list(df.columns) != columns else df
    for c, want in zip(columns, dtypes, strict=True):
        if str(df[c].dtype) != want:  # Parquet gave another dtype: convert explicitly, else refuse
            df[c] = df[c].astype(want)
            if str(df[c].dtype) != want:
                raise ValueError(f"{name}.{c}: dtype {df[c].dtype}, expected {want}")
    return df


def _read_entry(entry_dir: Path, k: str, path: str | os.PathLike):
    from .io.dataset import Dataset, SourceInfo

    meta = json.loads((entry_dir / META).read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT or meta.get("key") != k:
        raise ValueError(f"{META} is of another format or key")
    tables = {name: _read_table(entry_dir, name, spec) for name, spec in meta["tables"].items()}
    sources = {}
    for name, s in zip(meta["source_names"], meta["sources"], strict=True):
        norms = Counter({(c, what): n for c, what, n in s["normalizations"]})
        sources[name] = SourceInfo(s["table"], s["file"], s["format"], s["encoding"], s["rows"],
                                   normalizations=norms, extra_columns=list(s["extra_columns"]), read=s["read"],
                                   sheet=s["sheet"], absent_columns=list(s.get("absent_columns", [])))
    return Dataset(**tables, tz=meta["tz"], path=str(Path(path)), sources=sources,
                   ignored_files=list(meta["ignored_files"]))


def _release_unused() -> None:
    """Return the Arrow pool's free memory to the system (reading Parquet leaves some behind)."""
    import pyarrow

    pyarrow.default_memory_pool().release_unused()


def fetch(path: str | os.PathLike, *, tz: str = "Asia/Tokyo", mapping: str | os.PathLike | dict | None = None,
          time_window: tuple[str | None, str | None] | None = None):
    """The cached dataset of ``csa.load(path, tz=…, mapping=…, time_window=…)``, else ``None``.

    ``None`` when :data:`ENV` is unset or empty (then nothing is looked at), when the cache has
    no entry for these inputs, or when anything is wrong with the entry: never raises.
    """
    global _hits, _last_miss
    root = os.environ.get(ENV)
    if not root:
        return None
    try:
        k = key(path, tz=tz, mapping=mapping, time_window=time_window)
        entry = Path(root) / k
        if not (entry / META).is_file():
            _last_miss = f"no entry for key {k[:12]}… in {root}"
            return None
        ds = _read_entry(entry, k, path)
        _release_unused()
    except Exception as exc:  # a bad cache is a miss: csa.load validates as usual
        _last_miss = f"{type(exc).__name__}: {exc}"
        return None
    _hits += 1
    _last_miss = None
    return ds
