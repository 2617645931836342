"""How ``pytest -n 2 --dist loadgroup`` (``make test``) shares the tests out between its processes.

Units of work (a unit goes whole to one process, its tests in collection order):

* a notebook checked by nbval: all its cells (they run in order in one kernel);
* the tests marked ``xdist_group(name)`` with the same name (tests that read the same notebook run,
  ``helpers.same_run``);
* a slow test (``@pytest.mark.slow``: a notebook, a report, Spark) that takes no module- or class-scoped
  fixture: that test alone, so that the two processes share the slow tests of one module;
* the slow tests of a module that take module- or class-scoped fixtures (a report built once for several
  tests, a Spark session): together, so that each fixture is built once;
* every other test: with the other tests of its module, as ``--dist loadfile`` does.

Units start longest first: each test's duration in the last run is kept in pytest's cache (``csa/durations``);
a test not seen before counts 10 s if slow, 0.5 s if an nbval cell, 0.05 s otherwise. The process that is free
takes the next unit, so both end with short units at about the same time.

The processes that run the tests collect them, so they make the units and put the tests in the order to start
them, from the same durations (the main process reads them and hands them over). They write the units to a file
that the main process's scheduler (:func:`pytest_xdist_make_scheduler`) reads: xdist's own way, a ``@group``
suffix on the test ids, does nothing since pytest 9.2 (pytest-xdist issue 1386).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

__all__ = ["pytest_collection_modifyitems", "pytest_configure", "pytest_configure_node", "pytest_runtest_logreport",
           "pytest_sessionfinish", "pytest_unconfigure", "pytest_xdist_make_scheduler"]

DURATIONS = "csa/durations"
_SLOW, _CELL, _OTHER = 10.0, 0.5, 0.05
_durations: dict[str, float] = {}  # this run's, by test id (in the main process: the tests of every process)
_UNITS = pytest.StashKey[str]()  # the main process's folder for the units files


def _plain(nodeid: str) -> str:
    """The test id without a ``@group`` suffix (xdist's loadgroup adds one where pytest lets it)."""
    return nodeid.rsplit("@", 1)[0] if nodeid.rfind("@") > nodeid.rfind("]") else nodeid


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _unit(item) -> str:
    mark = item.get_closest_marker("xdist_group")
    if mark is not None:
        return "group:" + str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
    if not item.get_closest_marker("slow"):
        return _module(item.nodeid)
    info = getattr(item, "_fixtureinfo", None)
    shared = any(defs and defs[-1].scope in ("module", "class", "package")
                 for defs in (info.name2fixturedefs.values() if info else ()))
    return f"fixtures:{_module(item.nodeid)}" if shared else item.nodeid


def _guess(item) -> float:
    if item.get_closest_marker("slow"):
        return _SLOW
    return _CELL if type(item).__module__.startswith("nbval") else _OTHER


@pytest.hookimpl(trylast=True)  # after -k/-m have deselected
def pytest_collection_modifyitems(config, items):
    workerinput = getattr(config, "workerinput", None)
    if not workerinput or not workerinput.get("csa_units"):
        return
    last = workerinput.get("csa_durations") or {}
    units: dict[str, list] = {}
    for item in items:
        units.setdefault(_unit(item), []).append(item)
    cost = {k: sum(last.get(i.nodeid, _guess(i)) for i in v) for k, v in units.items()}
    items[:] = [i for k in sorted(units, key=lambda k: -cost[k]) for i in units[k]]  # stable: ties keep their order
    out = Path(workerinput["csa_units"]) / f"{workerinput['workerid']}.json"
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps({i.nodeid: k for k, v in units.items() for i in v}), encoding="utf-8")
    os.replace(tmp, out)


def pytest_configure(config):
    if getattr(config, "workerinput", None) is None and config.getoption("dist", "no") == "loadgroup":
        config.stash[_UNITS] = tempfile.mkdtemp(prefix="pytest-units-")


def pytest_unconfigure(config):
    folder = config.stash.get(_UNITS, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """Where the processes write their units, and the last run's durations, read once here so that every process
    orders the tests the same way."""
    cache = getattr(node.config, "cache", None)
    node.workerinput["csa_units"] = node.config.stash.get(_UNITS, "")
    node.workerinput["csa_durations"] = cache.get(DURATIONS, {}) if cache is not None else {}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    folder = config.stash.get(_UNITS, None)
    if config.getvalue("dist") != "loadgroup" or not folder:
        return None
    from xdist.scheduler import LoadGroupScheduling

    class Units(LoadGroupScheduling):
        """loadgroup with the units above, read from the file a test process wrote."""

        units: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.units is None:  # every process has collected by now (schedule() runs then)
                files = sorted(Path(folder).glob("*.json"))
                self.units = json.loads(files[0].read_text(encoding="utf-8")) if files else {}
            return self.units.get(nodeid) or self.units.get(_plain(nodeid)) or _module(nodeid)

    config.option.loadscopereorder = False  # the processes collected the units in the order to start them
    return Units(config, log)


def pytest_runtest_logreport(report):
    key = _plain(report.nodeid)
    _durations[key] = _durations.get(key, 0.0) + report.duration


def pytest_sessionfinish(session):
    """Keep this run's durations (setup, call and teardown of each test) for the next run's order."""
    cache = getattr(session.config, "cache", None)
    if hasattr(session.config, "workerinput") or cache is None or not _durations:
        return
    cache.set(DURATIONS, {**cache.get(DURATIONS, {}), **{k: round(v, 3) for k, v in _durations.items()}})
