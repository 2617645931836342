"""The validated-dataset cache (`csa.cache`) and the report that uses it: load once, run in parallel.

The cache tests run in-process on the bundled sample and small copies of it; the report tests
(marked ``slow``) run tiny notebooks that say whether their ``csa.load`` was a cache hit.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import csa
from csa import cache, report
from csa.cli import main
from csa.io import Dataset, SourceInfo
from csa.report import folder as report_folder
from csa.report import run as report_run

from .conftest import SAMPLE

slow = pytest.mark.slow
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


@pytest.fixture(autouse=True)
def no_cache_env(monkeypatch):
    """Every test starts without CSA_DATASET_CACHE (a developer's shell may have it)."""
    monkeypatch.delenv(cache.ENV, raising=False)


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A copy of the bundled sample that a test may change."""
    out = tmp_path / "data"
    shutil.copytree(SAMPLE, out)
    return out


def assert_same(a: Dataset, b: Dataset) -> None:
    assert set(a.tables()) == set(b.tables())
    for name, df in a.tables().items():
        pd.testing.assert_frame_equal(df, b.tables()[name], check_exact=True, obj=name)
    assert a.sources == b.sources and list(a.sources) == list(b.sources)
    assert (a.tz, a.path, a.ignored_files) == (b.tz, b.path, b.ignored_files)


def _cached(folder: Path, monkeypatch, data: Path, **kw) -> Dataset:
    """Load ``data``, store it in ``folder`` and point the environment at it; the loaded dataset."""
    ds = csa.load(data, **kw)
    cache.store(ds, folder, **kw)
    monkeypatch.setenv(cache.ENV, str(folder))
    return ds


# ------------------------------------------------------------------------------------ the cache

def test_the_sample_round_trips_exactly(tmp_path, monkeypatch):
    fresh = _cached(tmp_path / "cache", monkeypatch, SAMPLE)
    hits = cache.hits()
    back = csa.load(SAMPLE)
    assert cache.hits() == hits + 1 and cache.last_miss() is None
    assert_same(fresh, back)
    # the dtypes the notebooks rely on, survived
    assert str(back.tickets["created_at"].dtype) == "datetime64[ns, Asia/Tokyo]"
    assert str(back.subscriptions["month"].dtype) == "period[M]"
    assert str(back.tickets["agent_replies"].dtype) == "Int64" and str(back.goals["completed"].dtype) == "boolean"
    assert back is not fresh and back.customers is not fresh.customers


def test_normalisation_counts_extra_columns_and_mixed_object_columns_round_trip(tmp_path, monkeypatch, sample_copy):
    customers = pd.read_csv(sample_copy / "customers.csv", dtype=str, keep_default_na=False)
    customers["plan"] = customers["plan"].where(customers.index % 7 != 0, " " + customers["plan"] + " ")
    customers["notes"] = ["x" if i % 3 else "" for i in range(len(customers))]  # an extra column
    customers.to_csv(sample_copy / "customers.csv", index=False)
    (sample_copy / "old_export.csv").write_text("a\n1\n", encoding="utf-8")  # listed as ignored
    fresh = _cached(tmp_path / "cache", monkeypatch, sample_copy)
    assert fresh.sources["customers"].normalizations and fresh.sources["customers"].extra_columns == ["notes"]
    assert fresh.ignored_files == ["old_export.csv"]
    assert_same(fresh, csa.load(sample_copy))
    # a column Parquet cannot hold (numbers and text mixed, as an Excel extra column can be)
    mixed = Dataset(customers=fresh.customers.assign(memo=pd.Series([1, "a", None, 2.5] * 500, dtype=object)),
                    tz=fresh.tz, path=str(sample_copy),
                    sources={"customers": SourceInfo("customers", "customers.xlsx", "xlsx", None, 2000,
                                                     Counter({("plan", "surrounding spaces removed"): 3}),
                                                     ["memo"], True, "Sheet1")})
    entry = cache.store(mixed, tmp_path / "other", tz="UTC")
    assert (entry / "customers.objects.pkl").is_file()
    monkeypatch.setenv(cache.ENV, str(tmp_path / "other"))
    assert_same(mixed, cache.fetch(sample_copy, tz="UTC"))


def test_a_changed_data_file_misses(tmp_path, monkeypatch, sample_copy):
    _cached(tmp_path / "cache", monkeypatch, sample_copy)
    assert cache.fetch(sample_copy) is not None
    surveys = sample_copy / "surveys.csv"
    st = surveys.stat()
    os.utime(surveys, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # same size, another mtime
    assert cache.fetch(sample_copy) is None and "no entry" in cache.last_miss()
    with open(surveys, "a", encoding="utf-8") as fh:  # another size
        fh.write("\n")
    assert cache.fetch(sample_copy) is None
    (sample_copy / "notes.txt").write_text("a new file in the folder", encoding="utf-8")
    assert cache.fetch(sample_copy) is None


def test_another_tz_mapping_or_time_window_misses(tmp_path, monkeypatch, sample_copy):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("customers:\n  columns: {}\n", encoding="utf-8")
    _cached(tmp_path / "cache", monkeypatch, sample_copy, mapping=mapping)
    assert cache.fetch(sample_copy, mapping=mapping) is not None
    assert cache.fetch(sample_copy, mapping=str(mapping)) is not None  # the same file, named otherwise
    assert cache.fetch(sample_copy) is None
    assert cache.fetch(sample_copy, tz="Europe/Berlin", mapping=mapping) is None
    assert cache.fetch(sample_copy, mapping=mapping, time_window=("2020-01", None)) is None
    assert cache.fetch(sample_copy, mapping={"customers": {"columns": {}}}) is None
    mapping.write_text("customers:\n  columns: {}\n# changed\n", encoding="utf-8")
    assert cache.fetch(sample_copy, mapping=mapping) is None


def test_the_key_is_the_same_for_the_same_inputs_however_named(sample_copy, monkeypatch):
    monkeypatch.chdir(sample_copy.parent)
    assert cache.key("data") == cache.key(sample_copy) == cache.key(str(sample_copy) + "/")
    assert cache.key(sample_copy, time_window=None) == cache.key(sample_copy, time_window=(None, None))
    parts = cache.key_parts(sample_copy, tz="Asia/Tokyo", mapping=None, time_window=None)
    assert [f[0] for f in parts["files"]] == sorted(p.name for p in SAMPLE.iterdir() if not p.name.startswith("."))
    assert parts["versions"]["csa"] == csa.__version__ and parts["format"] == cache.FORMAT


@pytest.mark.parametrize("damage", ["truncated parquet", "missing parquet", "bad meta", "wrong dtype",
                                    "wrong rows", "other key"])
def test_a_corrupt_entry_falls_back_to_a_normal_load(tmp_path, monkeypatch, sample_copy, damage):
    fresh = _cached(tmp_path / "cache", monkeypatch, sample_copy)
    entry = tmp_path / "cache" / cache.key(sample_copy)
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    if damage == "truncated parquet":
        raw = (entry / "tickets.parquet").read_bytes()
        (entry / "tickets.parquet").write_bytes(raw[: len(raw) // 2])
    elif damage == "missing parquet":
        (entry / "surveys.parquet").unlink()
    elif damage == "bad meta":
        (entry / "meta.json").write_text("{not json", encoding="utf-8")
    else:
        if damage == "wrong dtype":
            meta["tables"]["tickets"]["dtypes"][0] = "Int64"  # ticket_id cannot become a number
        elif damage == "wrong rows":
            meta["tables"]["orders"]["rows"] += 1
        else:
            meta["key"] = "0" * 64
        (entry / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    hits = cache.hits()
    back = csa.load(sample_copy)
    assert cache.hits() == hits and cache.last_miss()
    assert_same(fresh, back)


def test_a_cache_folder_that_is_missing_or_a_file_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "nowhere"))
    assert cache.fetch(SAMPLE) is None
    (tmp_path / "file").write_text("x", encoding="utf-8")
    monkeypatch.setenv(cache.ENV, str(tmp_path / "file"))
    assert cache.fetch(SAMPLE) is None
    assert len(csa.load(SAMPLE).customers) == 2000


def test_without_the_environment_variable_load_never_looks_at_a_cache(monkeypatch):
    def boom(*_a, **_k):
        raise AssertionError("the cache was consulted")

    monkeypatch.setattr(cache, "key", boom)
    monkeypatch.setattr(cache, "_read_entry", boom)
    hits = cache.hits()
    assert len(csa.load(SAMPLE).customers) == 2000
    monkeypatch.setenv(cache.ENV, "")  # empty: unset
    assert len(csa.load(SAMPLE).customers) == 2000
    assert cache.hits() == hits


def test_errors_are_still_raised_by_load_with_a_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError):
        csa.load(tmp_path / "missing")
    with pytest.raises(ValueError, match="unknown time zone"):
        csa.load(SAMPLE, tz="Mars/Olympus")


def test_store_is_atomic_and_keeps_an_entry_already_there(tmp_path, monkeypatch):
    ds = csa.load(SAMPLE)
    first = cache.store(ds, tmp_path / "c")
    stamp = (first / "meta.json").stat().st_mtime_ns
    assert cache.store(ds, tmp_path / "c") == first and (first / "meta.json").stat().st_mtime_ns == stamp
    assert [p.name for p in (tmp_path / "c").iterdir()] == [first.name]  # no temporary folder left

    calls = []
    real = cache._write_table

    def fail_on_third(df, name, folder):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(df, name, folder)

    # a file changed while the dataset was being loaded: the key taken before differs, nothing is stored
    with pytest.raises(ValueError, match="changed while it was being loaded"):
        cache.store(ds, tmp_path / "e", loaded_as="0" * 64)
    assert not (tmp_path / "e").exists() or not list((tmp_path / "e").iterdir())

    monkeypatch.setattr(cache, "_write_table", fail_on_third)
    with pytest.raises(OSError, match="disk full"):
        cache.store(ds, tmp_path / "d")
    assert list((tmp_path / "d").iterdir()) == []  # nothing half-written, not even a temporary folder


# ----------------------------------------------------------------------------------- the report

def _notebook(path: Path, body: str) -> Path:
    nb = new_notebook(cells=[
        new_markdown_cell(f"# {path.stem}"),
        new_code_cell('data_dir = ""\nperiod = ""\nlang = "en"\nfreq = "month"\nmapping = ""\ntz = "Asia/Tokyo"',
                      metadata={"tags": ["parameters"]}),
        new_code_cell(body),
    ], metadata=KERNEL)
    nbformat.write(nb, path)
    return path


LOADS = """\
import os, time
import csa, csa.cache
t0 = time.time()
ds = csa.load(data_dir, tz=tz, mapping=mapping or None)
print(f"hits={csa.cache.hits()} miss={csa.cache.last_miss()} customers={len(ds.customers)} start={t0:.3f} "
      f"end={time.time():.3f} env={os.environ.get('CSA_DATASET_CACHE') is not None}")
"""


def _said(folder: Path, name: str, first: str = "hits") -> dict[str, str]:
    """The ``key=value`` pairs of the line starting with ``first=`` that notebook ``name`` of the report printed."""
    node = nbformat.read(folder / name, as_version=4)
    text = "".join(o.get("text", "") for c in node.cells if c.cell_type == "code" for o in c.get("outputs", []))
    line = next(ln for ln in text.splitlines() if ln.startswith(f"{first}="))
    return dict(part.split("=", 1) for part in line.split(" ") if "=" in part)


@slow
def test_a_report_validates_the_data_once_and_every_notebook_gets_the_cached_dataset(tmp_path, monkeypatch):
    from csa.io import loader

    nbs = [_notebook(tmp_path / f"{k}_load.ipynb", LOADS) for k in "abc"]
    calls = []
    real = loader.inspect

    def counted(*a, **k):
        calls.append(a)
        return real(*a, **k)

    monkeypatch.setattr(loader, "inspect", counted)  # what load() calls
    lines: list[str] = []
    m = report.run_report("2026-10", data_dir=SAMPLE, out=tmp_path / "out", notebooks=nbs, progress=lines.append,
                          jobs=2)
    assert m["ok"]
    assert len(calls) == 1  # the parent validated once; the front page (the sample's registry) hit the cache
    assert m["scorecard"] is not None
    assert lines[0] == "validating data …" and lines[1].startswith("validating data ok (")
    for nb in nbs:
        said = _said(tmp_path / "out", nb.name)
        assert said["hits"] == "1" and said["miss"] == "None" and said["customers"] == "2000", said
    assert cache.ENV not in os.environ  # restored
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.csa-lock", "a_load.ipynb", "b_load.ipynb",
                                                           "c_load.ipynb", "out"]  # the cache went with the run


@slow
def test_data_that_does_not_validate_is_not_cached_and_each_notebook_says_so(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.csv").write_text("customer_id\nC00001\n", encoding="utf-8")
    nb = _notebook(tmp_path / "load.ipynb", LOADS)
    plain = _notebook(tmp_path / "plain.ipynb", "import os\nprint('env', os.environ.get('CSA_DATASET_CACHE'))")
    lines: list[str] = []
    m = report.run_report("2026-10", data_dir=data, out=tmp_path / "out", notebooks=[nb, plain],
                          progress=lines.append)
    assert lines[1].startswith("validating data failed (") and "required column" in lines[1]
    assert [e["status"] for e in m["notebooks"]] == ["failed", "ok"]
    assert "DataError" in m["notebooks"][0]["error"]
    out = Path(m["out"])
    text = "".join(o.get("text", "") for c in nbformat.read(out / "plain.ipynb", as_version=4).cells
                   if c.cell_type == "code" for o in c.get("outputs", []))
    assert "env None" in text


@slow
def test_notebooks_run_in_parallel_the_manifest_keeps_index_order_and_a_failure_is_isolated(tmp_path, capsys):
    slow_nb = _notebook(tmp_path / "a_slow.ipynb", "import time\nt0 = time.time()\ntime.sleep(6)\n"
                                                   "print(f'start={t0:.3f} end={time.time():.3f}')")
    bad = _notebook(tmp_path / "b_bad.ipynb", "raise RuntimeError('boom in ' + period)")
    fast = [_notebook(tmp_path / f"{k}_fast.ipynb", "import time\nprint(f'start={time.time():.3f}')")
            for k in "cd"]
    out = tmp_path / "out"
    args = ["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out), "--jobs", "2"]
    for nb in (slow_nb, bad, *fast):
        args += ["--notebook", str(nb)]
    assert main(args) == 1
    err = capsys.readouterr().err.splitlines()
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [e["name"] for e in m["notebooks"]] == ["a_slow.ipynb", "b_bad.ipynb", "c_fast.ipynb", "d_fast.ipynb"]
    assert [e["status"] for e in m["notebooks"]] == ["ok", "failed", "ok", "ok"]
    assert "RuntimeError: boom in 2026-10" in m["notebooks"][1]["error"]
    slow_run = _said(out, "a_slow.ipynb", "start")
    assert float(_said(out, "c_fast.ipynb", "start")["start"]) < float(slow_run["end"])  # at the same time
    started = {f"section {i} of 4: {name} …" for i, name in enumerate(("a_slow", "b_bad", "c_fast", "d_fast"), 1)}
    assert started <= set(err)
    for name in ("a_slow", "b_bad", "c_fast", "d_fast"):
        assert (out / f"{name}.ipynb").exists()
    assert (out / "a_slow.html").exists() and (out / "d_fast.html").exists()


@slow
def test_each_kernel_runs_in_its_notebooks_folder_and_this_process_stays_where_it_was(tmp_path, monkeypatch):
    for k in "ab":  # relative --notebook paths, two folders, run at the same time
        (tmp_path / k).mkdir()
        _notebook(tmp_path / k / f"{k}.ipynb", "import os, time\ntime.sleep(1)\nprint(f'cwd={os.getcwd()}')")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    m = report.run_report("2026-10", data_dir=SAMPLE, out=tmp_path / "out", notebooks=["../a/a.ipynb", "../b/b.ipynb"],
                          progress=None, jobs=2)
    assert m["ok"] and os.getcwd() == str(tmp_path / "elsewhere")
    for k in "ab":
        assert _said(tmp_path / "out", f"{k}.ipynb", "cwd")["cwd"] == str(tmp_path / k)


def test_a_notebook_given_twice_is_refused(tmp_path, capsys):
    nb = _notebook(tmp_path / "a.ipynb", "print(1)")
    (tmp_path / "b").mkdir()
    same_name = _notebook(tmp_path / "b" / "a.ipynb", "print(2)")
    for pair in ((nb, nb), (nb, same_name)):
        assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(tmp_path / "o"),
                     "--notebook", str(pair[0]), "--notebook", str(pair[1])]) == 2
        assert "more than one notebook named a.ipynb" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@slow
def test_jobs_1_runs_one_at_a_time_in_index_order(tmp_path):
    nbs = [_notebook(tmp_path / f"{k}.ipynb", "print('hi')") for k in "ab"]
    lines: list[str] = []
    m = report.run_report("2026-10", data_dir=SAMPLE, out=tmp_path / "out", notebooks=nbs, progress=lines.append,
                          jobs=1)
    assert m["ok"]
    runs = [ln for ln in lines if ln.startswith("section ")]
    assert runs[0] == "section 1 of 2: a …" and runs[1].startswith("section 1 of 2: a — done in")
    assert runs[2] == "section 2 of 2: b …"


@slow
def test_long_notebooks_of_the_earlier_report_start_first(tmp_path):
    nbs = [_notebook(tmp_path / f"{k}.ipynb", "print('hi')") for k in "abc"]
    out = tmp_path / "out"
    report.run_report("2026-10", data_dir=SAMPLE, out=out, notebooks=nbs, progress=None, jobs=1)
    mf = out / "manifest.json"
    m = json.loads(mf.read_text(encoding="utf-8"))
    plan = [(nb, {}, {}) for nb in nbs]
    for e, s in zip(m["notebooks"], (1.0, 9.0, 4.0), strict=True):
        e["seconds"] = s
    assert report_run._start_order(plan, report_folder._Existing(out, m)) == [2, 3, 1]
    assert report_run._start_order(plan, None) == [1, 2, 3]
    m["notebooks"] = m["notebooks"][:2]  # c is new: it starts first
    assert report_run._start_order(plan, report_folder._Existing(out, m)) == [3, 2, 1]


@slow
def test_an_interrupt_from_a_worker_stops_every_notebook_and_leaves_nothing(tmp_path):
    from .test_report_faults import kernels, wait_for_no_kernels

    good = _notebook(tmp_path / "a.ipynb", "print('ok')")
    sleepers = [_notebook(tmp_path / f"{k}.ipynb", "import time\ntime.sleep(60)") for k in "bc"]
    out = tmp_path / "report"
    report.run_report("2026-10", data_dir=SAMPLE, out=out, notebooks=[good], progress=None)
    before = sorted(p.name for p in tmp_path.iterdir())
    first = (out / "manifest.json").read_text(encoding="utf-8")
    seen: list[str] = []

    def interrupt(msg):
        seen.append(msg)
        if msg.startswith("section 3 of 3") and not msg.endswith("…"):  # c was stopped: never reached
            raise AssertionError("c finished")
        if msg.startswith("section 1 of 3: a — done"):
            deadline = time.monotonic() + 30
            while not kernels(tmp_path) and time.monotonic() < deadline:  # b or c is running
                time.sleep(0.1)
            raise KeyboardInterrupt

    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        report.run_report("2026-10", data_dir=SAMPLE, out=out, notebooks=[good, *sleepers], progress=interrupt,
                          jobs=3)
    assert time.monotonic() - t0 < 40  # not the 60 s the sleepers would take
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (out / "manifest.json").read_text(encoding="utf-8") == first
    assert not wait_for_no_kernels(tmp_path, timeout=10)


def test_by_default_as_many_notebooks_run_at_once_as_cores_and_memory_allow(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    gib = 1 << 30
    assert report_run._jobs(None, 9) == 4 and report_run._jobs(None, 3) == 3
    assert report_run._jobs(None, 9, data_bytes=gib // 2, available=16 * gib) == 4  # 100 k customers: memory is plenty
    assert report_run._jobs(None, 9, data_bytes=5 * gib, available=22 * gib) == 1  # 1 M: one kernel at a time
    assert report_run._jobs(None, 9, data_bytes=2 * gib, available=12 * gib) == 2
    assert report_run._jobs(None, 9, data_bytes=50 * gib, available=gib) == 1  # never none
    assert report_run._jobs(3, 9, data_bytes=50 * gib, available=gib) == 3  # --jobs is obeyed
    assert report_run._jobs(None, 9, data_bytes=None, available=None) == 4  # unknown: one per core


@slow
def test_a_report_says_when_memory_limits_the_notebooks_run_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(report_run, "_memory_available", lambda: 256 << 20)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    nbs = [_notebook(tmp_path / f"{k}.ipynb", "print('hi')") for k in "ab"]
    lines: list[str] = []
    assert report.run_report("2026-10", data_dir=SAMPLE, out=tmp_path / "out", notebooks=nbs,
                             progress=lines.append)["ok"]
    assert lines[2].startswith("1 notebook at a time: each kernel holds the data (0.0 GiB) and 0 GiB of memory")
    assert lines[3:6] == ["section 1 of 2: a …", lines[4], "section 2 of 2: b …"]  # one after the other


def test_jobs_must_be_a_positive_number(tmp_path, capsys):
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(tmp_path / "o"),
                 "--jobs", "0"]) == 2
    assert "--jobs 0: give the number of notebooks to run at once, 1 or more" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
    assert report_run._jobs(None, 9) == min(os.cpu_count() or 1, 9)
    assert report_run._jobs(8, 3) == 3 and report_run._jobs(1, 9) == 1


@slow
def test_each_section_says_the_time_so_far_and_with_an_earlier_report_about_how_long_is_left(tmp_path):
    nbs = [_notebook(tmp_path / f"{k}.ipynb", "print('hi')") for k in "ab"]
    out, first, second = tmp_path / "out", [], []
    report.run_report("2026-10", data_dir=SAMPLE, out=out, notebooks=nbs, progress=first.append, jobs=1)
    done = [ln for ln in first if " — done in " in ln]
    assert len(done) == 2 and all(ln.endswith(" s so far)") for ln in done)  # nothing to estimate from
    report.run_report("2026-10", data_dir=SAMPLE, out=out, notebooks=nbs, progress=second.append, jobs=1)
    done = [ln for ln in second if " — done in " in ln]
    assert " s so far, about " in done[0] and done[0].endswith(" s left)")  # from the earlier report's times
