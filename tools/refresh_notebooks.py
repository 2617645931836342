"""Execute every notebook in place with its default parameters, then strip run metadata.

Usage: python tools/refresh_notebooks.py [notebooks/01_nps.ipynb ...]
Committed notebooks must be what this produces (strict nbval checks it in the tests).
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[1]


def strip(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["language_info"] = {"name": "python"}  # no interpreter version in committed notebooks
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


def main(paths: list[str]) -> int:
    targets = [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for nb in targets:
        print(f"executing {nb.name} …", flush=True)
        papermill.execute_notebook(str(nb), str(nb), kernel_name="python3", cwd=str(nb.parent),
                                   progress_bar=False)
        strip(nb)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
