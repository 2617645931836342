"""Issue 25, report half: a period outside the data, ``-p`` for some sections, a stale ``<out>.failed``, a full disk.

Each test runs ``csa report`` in this process (``csa.cli.main``) on tiny notebooks (no pandas in
their kernels: a few seconds a run) and the small generated data set.
"""

from __future__ import annotations

import errno
import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from csa.cli import main

from .conftest import read_raw, write_raw

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="POSIX")]

KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
BASE = 'data_dir = ""\nperiod = ""\nlang = "en"\nfreq = "month"\n'


def tiny(path: Path, extra: str = "", body: str = "print('ok')") -> Path:
    nbformat.write(new_notebook(cells=[new_markdown_cell(f"# {path.stem}"),
                                       new_code_cell(BASE + extra, metadata={"tags": ["parameters"]}),
                                       new_code_cell(body)], metadata=KERNEL), path)
    return path


def report(capsys, data: Path, out: Path, notebooks: list[Path], *args: str, period: str = "2026-10"
           ) -> tuple[int, str]:
    argv = ["report", "--period", period, "--data", str(data), "--out", str(out)]
    for nb in notebooks:
        argv += ["--notebook", str(nb)]
    code = main([*argv, *args])
    cap = capsys.readouterr()
    return code, cap.err


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the period must be in the data

def test_a_period_outside_the_data_is_refused_before_any_section_runs(small, tmp_path, capsys):
    nb = tiny(tmp_path / "t.ipynb")
    out = tmp_path / "r"
    code, err = report(capsys, small, out, [nb], period="2030-01")
    assert code == 2 and "--period 2030-01: the data has no rows in it" in err and "2026-03 to 2026-10" in err
    assert "e.g. --period 2026-10" in err and not out.exists() and "section 1 of" not in err
    code, err = report(capsys, small, out, [nb], "--freq", "quarter", period="2027Q1")
    assert code == 2 and "e.g. --period 2026Q4" in err
    assert report(capsys, small, out, [nb], period="2026-10")[0] == 0


def test_a_month_the_data_barely_enters_is_refused(small, tmp_path, capsys):
    s = read_raw(small, "surveys")
    s.loc[0, "responded_at"] = "2026-11-01T09:00:00+09:00"  # one answer exported early in November
    write_raw(small, "surveys", s)
    code, err = report(capsys, small, tmp_path / "r", [tiny(tmp_path / "t.ipynb")], period="2026-11")
    assert code == 2 and "barely enters 2026-11" in err and "1 rows" in err and "--period 2026-10" in err


# ---------------------------------------------------------------- -p goes to the sections that declare it

def test_a_parameter_goes_to_the_sections_that_declare_it(small, tmp_path, capsys):
    a = tiny(tmp_path / "a.ipynb", "top_n = 10  # rows shown [1, 1000]", "print('top', top_n)")
    b = tiny(tmp_path / "b.ipynb")
    out = tmp_path / "r"
    code, err = report(capsys, small, out, [a, b], "-p", "top_n", "5")
    assert code == 0, err
    entries = {e["name"]: e for e in manifest(out)["notebooks"]}
    assert entries["a.ipynb"]["parameters"]["top_n"] == 5 and "top_n" not in entries["b.ipynb"]["parameters"]
    code, err = report(capsys, small, out, [a, b], "-p", "top_m", "5")
    assert code == 2 and "none of the notebooks declares the parameter(s) top_m" in err and "top_n" in err
    code, err = report(capsys, small, out, [a, b], "-p", "top_n", "5000")  # checked where it is declared
    assert code == 2 and "a.ipynb: top_n = 5000 is not allowed" in err


# ---------------------------------------------------------------- a stale <out>.failed

def test_a_later_complete_report_removes_the_stale_failed_run(small, tmp_path, capsys):
    nb = tiny(tmp_path / "t.ipynb", "fail = 0  # [0, 1]", "assert not fail, 'asked to fail'")
    out, failed = tmp_path / "r", tmp_path / "r.failed"
    assert report(capsys, small, out, [nb])[0] == 0
    code, err = report(capsys, small, out, [nb], "-p", "fail", "1")
    assert code == 1 and failed.is_dir() and manifest(out)["ok"]
    code, err = report(capsys, small, out, [nb])
    assert code == 0 and not failed.exists() and f"removed {failed}" in err
    (tmp_path / "r.failed").mkdir()
    (tmp_path / "r.failed" / "notes.txt").write_text("mine", encoding="utf-8")  # not a report: never removed
    code, err = report(capsys, small, out, [nb])
    assert code == 2 and (failed / "notes.txt").exists()


# ---------------------------------------------------------------- a full disk

def test_a_full_disk_while_a_notebook_is_saved_is_said_as_such_with_exit_1(small, tmp_path, capsys, monkeypatch):
    from papermill import iorw

    nb = tiny(tmp_path / "t.ipynb")
    out = tmp_path / "r"
    assert report(capsys, small, out, [nb])[0] == 0
    before = manifest(out)

    def write(self, buf, path):  # half the notebook reaches the disk, then the disk is full
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(buf[: len(buf) // 2])
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(iorw.LocalHandler, "write", write)
    code, err = report(capsys, small, out, [nb])
    assert code == 1 and "the disk is full (No space left on device) while writing" in err
    assert "does not appear to be JSON" not in err and "nothing was published" in err
    assert manifest(out) == before  # the earlier report is intact


def test_a_full_disk_while_the_index_is_written_is_said_as_such(small, tmp_path, capsys, monkeypatch):
    nb = tiny(tmp_path / "t.ipynb")
    out = tmp_path / "r"
    real = Path.write_text

    def write_text(self, *a, **kw):
        if self.name == "index.html":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, *a, **kw)

    monkeypatch.setattr(Path, "write_text", write_text)
    code, err = report(capsys, small, out, [nb])
    assert code == 1 and "the disk is full (No space left on device) while writing " in err and "index.html" in err
    assert not out.exists()


def test_a_permission_refused_while_writing_is_said_as_such(small, tmp_path, capsys, monkeypatch):
    nb = tiny(tmp_path / "t.ipynb")
    out = tmp_path / "r"
    real = Path.write_text

    def write_text(self, *a, **kw):
        if self.name == "manifest.json":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, *a, **kw)

    monkeypatch.setattr(Path, "write_text", write_text)
    code, err = report(capsys, small, out, [nb])
    assert code == 1 and "permission denied (Permission denied) on " in err and "manifest.json" in err
    assert "nothing was published" in err and not out.exists()


def test_a_mapping_of_nested_aliases_is_refused_before_anything_runs(small, tmp_path, capsys):
    from .test_load_faults2 import BOMB

    m = tmp_path / "mapping.yaml"
    m.write_text(BOMB + "tickets:\n  columns: *i\n", encoding="utf-8")
    out = tmp_path / "r"
    code, err = report(capsys, small, out, [tiny(tmp_path / "t.ipynb", 'mapping = ""')], "--mapping", str(m))
    assert code == 2 and "billion laughs" in err and not out.exists()
