"""Lists as CSV: every list a notebook shows, whole, in a file beside its page for spreadsheets.

A notebook output holding :data:`TABLE_MIMETYPE` (``{"name": "detractors", "title": …,
"columns": [...], "rows": [[...], ...]}``; see :class:`csa.views.nps.FollowupList`) becomes
``<notebook>.<name>.csv``: UTF-8 with a BOM (Excel opens Japanese correctly), and a text cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so that
a spreadsheet shows it as text instead of running it as a formula (numbers stay numbers).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from .pages import _e, _t

__all__ = ["TABLE_MIMETYPE", "csv_cell", "write_csv"]


#: A notebook output with this key carries a whole list for the report's CSV (see the module docstring).
TABLE_MIMETYPE = "application/vnd.csa.table+json"


_LIST_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """``value`` as CSV text that a spreadsheet shows and never runs as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'``; numbers are written as they are (``-2`` stays a number); ``None`` is an empty cell.

    >>> [csv_cell(v) for v in ("=1+1", "-2", "@SUM(A1)", "+81 3", "ok", "北海道", -2, 1.5, None)]
    ["'=1+1", "'-2", "'@SUM(A1)", "'+81 3", 'ok', '北海道', '-2', '1.5', '']
    """
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "" if value != value else str(value)  # NaN: empty
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(path: Path, columns: list[str], rows: list[list[Any]]) -> None:
    """A list as CSV for spreadsheets: UTF-8 with a BOM, CRLF line ends, every cell through :func:`csv_cell`."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow([csv_cell(c) for c in columns])
        w.writerows([csv_cell(v) for v in row] for row in rows)


def _list_payload(data: Any) -> dict[str, Any]:
    """A :data:`TABLE_MIMETYPE` payload, checked; a ValueError says what is wrong with it."""
    if not isinstance(data, dict):
        raise ValueError(f"a list output ({TABLE_MIMETYPE}) is not a JSON object")
    name = data.get("name")
    if not isinstance(name, str) or not _LIST_NAME.match(name):
        raise ValueError(f"list name {name!r}: use lowercase letters, digits, '-' and '_' (up to 40)")
    cols, rows = data.get("columns"), data.get("rows")
    if not isinstance(cols, list) or not cols or not all(isinstance(c, str) for c in cols):
        raise ValueError(f"list {name}: 'columns' is not a list of column names")
    if not isinstance(rows, list) or any(not isinstance(r, list) or len(r) != len(cols) for r in rows):
        raise ValueError(f"list {name}: 'rows' is not a list of rows of {len(cols)} cells")
    if any(v is not None and not isinstance(v, str | int | float) for r in rows for v in r):
        raise ValueError(f"list {name}: a cell is not text, a number or empty")
    title = data.get("title")
    return {"name": name, "title": title if isinstance(title, str) and title else name, "columns": cols,
            "rows": rows}


def _write_lists(nb, stem: str, folder: Path, lang: str) -> list[dict[str, Any]]:
    """Write every list of the executed notebook ``nb`` as ``<stem>.<name>.csv`` into ``folder``.

    The link to the file is added under the list's table in ``nb`` (the node the page is made
    from; the executed notebook file is not changed). Returns the lists' manifest entries.
    """
    out: list[dict[str, Any]] = []
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = o.get("data", {})
            if TABLE_MIMETYPE not in data:
                continue
            t = _list_payload(data[TABLE_MIMETYPE])
            if any(x["name"] == t["name"] for x in out):
                raise ValueError(f"two lists named {t['name']!r}")
            file = f"{stem}.{t['name']}.csv"
            write_csv(folder / file, t["columns"], t["rows"])
            link = _e(_t("download_csv", lang, n=len(t["rows"]), file="\0"))
            link = link.replace("\0", f'<a href="{_e(file)}" download>{_e(file)}</a>')
            shown = data.get("text/html")
            if shown is None:
                shown = f"<pre>{_e(''.join(data.get('text/plain', '')))}</pre>"
            data["text/html"] = "".join(shown) + f'\n<p class="csa-download">{link}</p>\n'
            out.append({"name": t["name"], "title": t["title"], "file": file, "rows": len(t["rows"])})
    return out
