"""environment.yml gives conda users the same packages as pyproject.toml."""

from __future__ import annotations

import re
import tomllib

import yaml

from .conftest import ROOT

CONDA_NAMES = {"duckdb": "python-duckdb"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ]", req, maxsplit=1)[0].strip().lower()


def test_environment_yml_has_every_dependency_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    pip = {_name(d) for block in env["dependencies"] if isinstance(block, dict) for d in block["pip"]}
    missing = {w for w in wanted if CONDA_NAMES.get(w, w) not in conda and w not in pip}
    assert not missing, f"environment.yml lacks {sorted(missing)}"
    assert "-e .[dev]" in {d.strip() for block in env["dependencies"] if isinstance(block, dict) for d in block["pip"]}
