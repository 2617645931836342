"""The one build tool for the handbook's notebooks (every notebook listed in notebooks/index.yaml).

Each notebook is a pair: ``NN_name.md`` (MyST markdown, the text you review and diff) and
``NN_name.ipynb`` (executed on the bundled sample, what nbval checks and JupyterLab opens).
jupytext keeps the pair in step (``notebooks/jupytext.toml``): edit either one, in an editor or
in JupyterLab, and ``sync`` carries the newer one's cells to the other; outputs stay in the
``.ipynb``.

Usage (from the repository root, or ``make notebooks``):

    python tools/notebooks.py sync  [ID ...]   # pair .md and .ipynb (the newer one wins)
    python tools/notebooks.py build [ID ...]   # sync, execute with default parameters, strip run metadata
    python tools/notebooks.py check [ID ...]   # exit 1 if a pair differs or a notebook is not executed
    python tools/notebooks.py new ID FILE      # start a notebook from notebooks/_template.md

IDs are the ``id`` (or ``file``) of entries in ``notebooks/index.yaml``; none means all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from csa import catalog  # noqa: E402

RUN_KEYS = ("papermill", "execution", "widgets")


def _entries(ids: list[str], folder: Path | None = None) -> list[catalog.NotebookEntry]:
    return [catalog.entry(i, folder) for i in ids] if ids else catalog.notebooks(folder)


def _cells(nb) -> list[tuple[str, str, tuple[str, ...]]]:
    """What must agree between the pair: cell type, source and tags."""
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", ()))) for c in nb.cells]


def sync(e: catalog.NotebookEntry) -> str:
    """Make the pair agree; the more recently modified file wins. Returns what was done."""
    md, ipynb = e.source, e.ipynb
    if not md.exists() and not ipynb.exists():
        raise FileNotFoundError(f"{e.id}: neither {md.name} nor {ipynb.name} exists in {md.parent}")
    if not ipynb.exists():
        nb = jupytext.read(md)
        _set_kernel(nb)
        nbformat.write(nb, ipynb)
        return f"created {ipynb.name} from {md.name}"
    if not md.exists() or ipynb.stat().st_mtime > md.stat().st_mtime:
        nb = nbformat.read(ipynb, as_version=4)
        if md.exists() and _cells(jupytext.read(md)) == _cells(nb):
            return "in step"
        jupytext.write(nb, md, fmt="md:myst")
        return f"{md.name} updated from {ipynb.name}"
    text = jupytext.read(md)
    nb = nbformat.read(ipynb, as_version=4)
    if _cells(text) == _cells(nb):
        return "in step"
    # the .md is newer: take its cells, keep the outputs of code cells whose source did not change
    old = {c.source: c for c in nb.cells if c.cell_type == "code"}
    for c in text.cells:
        if c.cell_type == "code" and c.source in old:
            c.outputs, c.execution_count = old[c.source].outputs, old[c.source].execution_count
    text.metadata = nb.metadata
    _set_kernel(text)
    nbformat.write(text, ipynb)
    return f"{ipynb.name} updated from {md.name} (run `build` to execute it)"


def _set_kernel(nb) -> None:
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata.pop("jupytext", None)


def strip(path: Path) -> None:
    """Remove what a run leaves behind (papermill and timing metadata, interpreter version)."""
    nb = nbformat.read(path, as_version=4)
    for k in RUN_KEYS:
        nb.metadata.pop(k, None)
    _set_kernel(nb)
    for cell in nb.cells:
        for k in RUN_KEYS:
            cell.metadata.pop(k, None)
    nbformat.write(nb, path)


def build(e: catalog.NotebookEntry) -> None:
    """Sync, execute with the default parameters, strip, and leave the pair in step.

    The notebook runs into a temporary file beside it; only a successful run replaces the
    ``.ipynb`` (a failed run leaves both files as they were and raises papermill's error).
    """
    import papermill

    print(f"{e.id}: {sync(e)}", flush=True)
    print(f"{e.id}: executing {e.ipynb.name} …", flush=True)
    tmp = e.ipynb.with_name(f".{e.ipynb.stem}.running.ipynb")
    try:
        papermill.execute_notebook(str(e.ipynb), str(tmp), kernel_name="python3", cwd=str(e.folder),
                                   progress_bar=False)
        strip(tmp)
        tmp.replace(e.ipynb)
    finally:
        tmp.unlink(missing_ok=True)
    jupytext.write(nbformat.read(e.ipynb, as_version=4), e.source, fmt="md:myst")


def check(e: catalog.NotebookEntry) -> list[str]:
    """Problems with a pair: missing file, cells that differ, code cells never executed."""
    problems = []
    for f in (e.source, e.ipynb):
        if not f.exists():
            problems.append(f"{e.id}: {f.name} is missing (run: python tools/notebooks.py build {e.id})")
    if problems:
        return problems
    a, b = _cells(jupytext.read(e.source)), _cells(nbformat.read(e.ipynb, as_version=4))
    if a != b:
        where = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        problems.append(f"{e.id}: {e.source.name} and {e.ipynb.name} differ from cell {where + 1} on "
                        f"(run: python tools/notebooks.py build {e.id})")
    nb = nbformat.read(e.ipynb, as_version=4)
    if any(c.cell_type == "code" and not c.get("execution_count") for c in nb.cells):
        problems.append(f"{e.id}: {e.ipynb.name} has code cells that were not executed "
                        f"(run: python tools/notebooks.py build {e.id})")
    return problems


def new(id_: str, file: str, folder: Path | None = None) -> Path:
    """Start ``<file>.md`` from the template; add the notebook to index.yaml yourself."""
    root = folder or catalog.notebooks_dir()
    target = root / f"{file}.md"
    if target.exists():
        raise FileExistsError(f"{target} exists")
    text = (root / "_template.md").read_text(encoding="utf-8").replace("TEMPLATE_ID", id_)
    target.write_text(text, encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["sync", "build", "check", "new"])
    ap.add_argument("ids", nargs="*")
    args = ap.parse_args(argv)
    if args.command == "new":
        if len(args.ids) != 2:
            ap.error("new takes ID and FILE, e.g.: new csat 02_csat")
        print(f"wrote {new(*args.ids)}; now add it to notebooks/index.yaml and run build")
        return 0
    problems = []
    for e in _entries(args.ids):
        if args.command == "sync":
            print(f"{e.id}: {sync(e)}")
        elif args.command == "build":
            build(e)
        else:
            problems += check(e)
    if args.command == "build":  # the start page lists each lesson's reading time: keep it in step
        _write_start_here()
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


def _write_start_here() -> None:
    """``notebooks/START_HERE.ipynb`` from the lessons as they are now (``book/build.py --start-notebook``)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "book" / "build.py"
    spec = importlib.util.spec_from_file_location("book_build", path)
    book = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(book)
    text = book.start_notebook()
    if not book.START_NOTEBOOK.is_file() or book.START_NOTEBOOK.read_text(encoding="utf-8") != text:
        book.START_NOTEBOOK.write_text(text, encoding="utf-8")
        print(f"wrote {book.START_NOTEBOOK.name}")


if __name__ == "__main__":
    sys.exit(main())
