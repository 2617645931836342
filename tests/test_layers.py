"""The package's floors: nothing imports upward, and every public name is in its module's ``__all__``."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import csa

PKG = Path(csa.__file__).parent
MODULES = sorted(m.name for m in pkgutil.walk_packages([str(PKG)], "csa."))

# what each layer may not import (csa modules by prefix, and display libraries)
FORBIDDEN = {
    "csa.stats": ("csa.metrics", "csa.views", "csa.display", "csa.report", "csa.cli", "csa.io", "matplotlib",
                  "seaborn", "IPython"),
    "csa.metrics": ("csa.views", "csa.display", "csa.report", "csa.cli", "csa.io", "matplotlib", "seaborn",
                    "IPython"),
    "csa.labels": ("csa.metrics", "csa.views", "csa.display", "csa.report", "csa.stats"),
    "csa.views": ("csa.display", "csa.report", "csa.cli", "matplotlib", "seaborn"),
    "csa.display": ("csa.views", "csa.metrics", "csa.report", "csa.cli", "csa.io"),
    # the loader (csa/io/) reads and checks data; it knows nothing of metrics, views, charts or the report
    "csa.io": ("csa.metrics", "csa.engines", "csa.views", "csa.display", "csa.report", "csa.cli", "matplotlib",
               "seaborn", "IPython"),
    "csa.cache": ("csa.metrics", "csa.engines", "csa.views", "csa.display", "csa.report", "csa.cli", "matplotlib",
                  "seaborn", "IPython"),
    # the KPI catalogue and its engines: below the registry, the scorecard, the views and the report
    "csa.kpi": ("csa.registry", "csa.scorecard", "csa.views", "csa.display", "csa.report", "csa.cli", "csa.headline",
                "matplotlib", "seaborn", "IPython"),
    # the one formatter and the glossary read nothing above them
    "csa.numbers": ("csa.metrics", "csa.kpi", "csa.views", "csa.display", "csa.report", "csa.io", "csa.engines"),
    "csa.glossary": ("csa.views", "csa.display", "csa.report", "csa.cli", "csa.scorecard", "csa.registry"),
    # the evaluation of the registry's actions (DiD, ITS) computes below the views: no words, no pictures
    "csa.evaluation": ("csa.views", "csa.display", "csa.report", "csa.cli", "csa.labels", "csa.headline",
                       "matplotlib", "seaborn", "IPython"),
}


def _imports(module: str) -> set[str]:
    spec = importlib.util.find_spec(module)
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    package = module if spec.origin.endswith("__init__.py") else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) if node.level \
                else node.module
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return out


@pytest.mark.parametrize("module", [m for m in MODULES if any(m.startswith(k) for k in FORBIDDEN)])
def test_nothing_imports_upward(module):
    rule = next(v for k, v in FORBIDDEN.items() if module == k or module.startswith(k + "."))
    bad = sorted(i for i in _imports(module) if any(i == f or i.startswith(f + ".") for f in rule))
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("module", MODULES)
def test_public_names_are_in_all(module):
    mod = importlib.import_module(module)
    names = getattr(mod, "__all__", None)
    public = {n for n, obj in vars(mod).items() if not n.startswith("_") and (inspect.isfunction(obj) or
              inspect.isclass(obj)) and getattr(obj, "__module__", "") == module and obj.__name__ == n}
    if names is None:
        assert not public, f"{module} has public functions or classes but no __all__"
        return
    assert not public - set(names), f"{module}: missing from __all__: {sorted(public - set(names))}"
    assert all(hasattr(mod, n) for n in names), f"{module}: __all__ names something that does not exist"


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith(("csa.metrics.", "csa.stats"))])
def test_metric_functions_document_parameters_returns_and_examples(module):
    mod = importlib.import_module(module)
    for name in mod.__all__:
        obj = getattr(mod, name)
        if inspect.isfunction(obj) and inspect.signature(obj).parameters:
            doc = inspect.getdoc(obj) or ""
            assert "Examples" in doc or ">>>" in doc, f"{module}.{name}: no example"
            if len(inspect.signature(obj).parameters) > 1:
                documented = "Parameters" in doc or "same" in doc.lower() or "form of" in doc
                assert documented, f"{module}.{name}: no Parameters"


def test_the_cache_uses_only_the_dataset_and_mapping_modules_of_the_loader():
    """``csa.load`` calls the cache, so the cache may not import the loader (a cycle): only what it stores."""
    loader_modules = {i for i in _imports("csa.cache") if i in MODULES and i.startswith("csa.io")}
    assert loader_modules <= {"csa.io.dataset", "csa.io.mapping"}, loader_modules


def _file_imports(module: str) -> set[str]:
    """The files of csa that ``module``'s file imports, local imports included: ``from pkg import module`` is
    that module, a name imported from a module is the module."""
    spec = importlib.util.find_spec(module)
    package = module if spec.origin.endswith("__init__.py") else module.rpartition(".")[0]
    files = {*MODULES, "csa"}
    out = set()
    for node in ast.walk(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) if node.level \
                else node.module
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in files:
                name = name.rpartition(".")[0]
            if name and name != module:
                out.add(name)
    return out


def test_no_import_cycles_between_files():
    """No file of csa imports, directly or through others, a file that imports it (``csa/__init__.py`` included)."""
    import networkx as nx

    graph = nx.DiGraph([(m, i) for m in [*MODULES, "csa"] for i in _file_imports(m)])
    cycles = [" -> ".join([*c, c[0]]) for c in nx.simple_cycles(graph)]
    assert not cycles, cycles
