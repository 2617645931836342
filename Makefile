# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make run    set up .venv if needed, then run the main job on the bundled sample
#   make test   set up .venv if needed, then run the tests
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test check sample lab clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/csa check data/sample

check: $(STAMP)
	$(BIN)/csa check data/sample

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

sample: $(STAMP)
	$(BIN)/csa sample --out data/sample

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) reports .pytest_cache
