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
