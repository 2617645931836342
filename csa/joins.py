"""Joins of a large table to a small one by key, without copying the large one.

Every notebook attaches customer (or ticket) attributes to the rows it counts: 12 M tickets
get their customer's segment and plan. pandas' ``merge(how="left", validate="many_to_one")``
builds a new frame, copying every column of the large table (2 GB at 12 M tickets) and, on
Arrow strings, hashing Python objects. :func:`attach` gives the same frame from one Arrow hash
lookup per key (:func:`positions`), the large table's columns shared with it (pandas'
copy-on-write), only the attached columns new.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["attach", "positions"]


def _arrow(s: pd.Series):
    from .io.fast import _arrow as arrow

    return arrow(s)


def positions(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """Position in ``keys`` (distinct values) of each of ``values``; −1 where it is not there.

    On Arrow strings (the loaded tables' text) Arrow looks them up, without a Python string per
    row; anything else goes through a pandas index.

    >>> positions(pd.Series(["b", "x", "a", "b"]), pd.Series(["a", "b"])).tolist()
    [1, -1, 0, 1]
    """
    a, k = _arrow(values), _arrow(keys)
    if a is not None and k is not None:
        import pyarrow.compute as pc

        k = k.combine_chunks() if hasattr(k, "combine_chunks") else k
        if k.type != a.type:
            k = k.cast(a.type)
        return pc.fill_null(pc.index_in(a, value_set=k), -1).to_numpy(zero_copy_only=False).astype(np.intp)
    return pd.Index(keys.to_numpy(dtype=object)).get_indexer(values.to_numpy(dtype=object))


def attach(frame: pd.DataFrame, right: pd.DataFrame, key: str) -> pd.DataFrame:
    """``frame.merge(right, on=key, how="left", validate="many_to_one")``, without copying ``frame``.

    ``right``'s other columns are looked up by ``key`` (missing where the key is not in ``right``)
    and added after ``frame``'s own, which are shared, not copied; the index is a new
    ``RangeIndex`` as the merge's. Raises the merge's ``MergeError`` when ``right``'s keys repeat.

    >>> tickets = pd.DataFrame({"ticket_id": ["T1", "T2", "T3"], "customer_id": ["C2", "C1", "C9"]})
    >>> customers = pd.DataFrame({"customer_id": ["C1", "C2"], "segment": ["smb", "enterprise"]})
    >>> attach(tickets, customers, "customer_id")
      ticket_id customer_id     segment
    0        T1          C2  enterprise
    1        T2          C1         smb
    2        T3          C9         NaN
    """
    from pandas.errors import MergeError

    keys = right[key]
    if keys.duplicated().any():
        raise MergeError("Merge keys are not unique in right dataset; not a many-to-one merge")
    pos = positions(frame[key], keys)
    out = frame.reset_index(drop=True)
    extra = {}
    for c in right.columns:
        if c != key:
            col = right[c]
            data = col.array if isinstance(col.dtype, pd.api.extensions.ExtensionDtype) else col.to_numpy()
            extra[c] = pd.api.extensions.take(data, pos, allow_fill=True)  # missing where pos is -1
    return out.assign(**extra) if extra else out
