"""The notebooks index (``notebooks/index.yaml``): which notebooks exist, in which order.

One small file is the only list of notebooks: the report, the build tool, the Makefile and the
tests all read it through :func:`notebooks`.

>>> [e.id for e in notebooks()][:2]
['primer', 'nps']
>>> [e.file for e in notebooks(report=True)][:2]
['01_nps', '02_csat']
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

__all__ = ["INDEX_FILE", "NotebookEntry", "entry", "main", "notebooks", "notebooks_dir"]

INDEX_FILE = "index.yaml"


def notebooks_dir() -> Path:
    """The repository's ``notebooks/`` folder (beside the package), else ``./notebooks``."""
    here = Path(__file__).resolve().parents[1] / "notebooks"
    return here if here.is_dir() else Path.cwd() / "notebooks"


@dataclass(frozen=True)
class NotebookEntry:
    """One notebook of the index."""

    id: str
    file: str
    title: dict[str, str]
    tables: tuple[str, ...]
    optional_tables: tuple[str, ...] = ()
    report: bool = True
    seconds: float | None = None
    folder: Path = field(default_factory=notebooks_dir, compare=False)
    #: the survey whose answers the section is about (``nps``, ``csat``, ``ces``): without any, it is not run
    survey: str | None = None
    #: a short name per language for the front page's line of section links; default the title
    short: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def ipynb(self) -> Path:
        """The executed notebook."""
        return self.folder / f"{self.file}.ipynb"

    @property
    def source(self) -> Path:
        """The MyST markdown source, paired with the notebook by jupytext."""
        return self.folder / f"{self.file}.md"

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title["en"]

    def short_in(self, lang: str) -> str:
        """The short name (``short:`` in the index), else the title."""
        return self.short.get(lang) or self.title_in(lang)


def _problem(index: Path, i: int, what: str) -> ValueError:
    return ValueError(f"{index}: notebook #{i + 1}: {what}")


def _seconds(index: Path, i: int, value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _problem(index, i, f"seconds must be a number of seconds >= 0; got {value!r}")
    return float(value)


def notebooks(folder: str | Path | None = None, *, report: bool | None = None) -> list[NotebookEntry]:
    """The notebooks listed in ``<folder>/index.yaml``, in order.

    Parameters
    ----------
    folder : str or Path, optional
        Folder holding ``index.yaml``; default :func:`notebooks_dir`.
    report : bool, optional
        ``True``: only report sections; ``False``: only lesson-only notebooks; ``None``: all.

    Returns
    -------
    list of NotebookEntry
    """
    root = Path(folder) if folder is not None else notebooks_dir()
    index = root / INDEX_FILE
    try:
        raw = yaml.safe_load(index.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise FileNotFoundError(f"notebooks index not found: {index}") from None
    items = raw.get("notebooks") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise ValueError(f"{index}: expected a top-level 'notebooks:' list")
    out, seen = [], set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _problem(index, i, "each entry is a mapping with id, file, title, tables, report")
        missing = [k for k in ("id", "file", "title", "tables", "report") if k not in item]
        if missing:
            raise _problem(index, i, f"missing {', '.join(missing)}")
        title = item["title"]
        if not isinstance(title, dict) or not {"en", "ja"} <= set(title):
            raise _problem(index, i, "title needs both 'en' and 'ja'")
        short = item.get("short") or {}
        if not isinstance(short, dict) or (short and not {"en", "ja"} <= set(short)):
            raise _problem(index, i, "short, when given, needs both 'en' and 'ja'")
        if item["id"] in seen:
            raise _problem(index, i, f"id {item['id']!r} is used twice")
        seen.add(item["id"])
        e = NotebookEntry(id=str(item["id"]), file=str(item["file"]),
                          title={k: str(v) for k, v in title.items()},
                          tables=tuple(item["tables"]), optional_tables=tuple(item.get("optional_tables") or ()),
                          report=bool(item["report"]), seconds=_seconds(index, i, item.get("seconds")),
                          folder=root, survey=str(item["survey"]) if item.get("survey") else None,
                          short={k: str(v) for k, v in short.items()})
        if report is None or e.report == report:
            out.append(e)
    return out


def entry(id_or_file: str, folder: str | Path | None = None) -> NotebookEntry:
    """The index entry with this id or file stem."""
    for e in notebooks(folder):
        if id_or_file in (e.id, e.file, f"{e.file}.ipynb"):
            return e
    known = ", ".join(e.id for e in notebooks(folder))
    raise KeyError(f"no notebook {id_or_file!r} in the index; known: {known}")


def main(argv: list[str] | None = None) -> int:
    """``python -m csa.catalog [--report] [--lessons] [ipynb|md|id]``: one line per notebook (for make)."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m csa.catalog", description="list the notebooks of the index")
    ap.add_argument("what", nargs="?", default="ipynb", choices=["ipynb", "md", "id"])
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--report", action="store_true", help="only report sections")
    group.add_argument("--lessons", action="store_true", help="only lesson-only notebooks")
    args = ap.parse_args(argv)
    report = True if args.report else False if args.lessons else None
    for e in notebooks(report=report):
        path = {"ipynb": e.ipynb, "md": e.source}.get(args.what)
        print(e.id if path is None else os.path.relpath(path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
