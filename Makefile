# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make run    set up .venv if needed, then run the main job on the bundled sample
#   make test   set up .venv if needed, then run the tests
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test check sample lab clean notebooks bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

# the main job: the monthly report for the sample's last month
run: $(STAMP)
	$(BIN)/csa check data/sample
	$(BIN)/csa report --period 2026-10 --data data/sample --out reports/2026-10

check: $(STAMP)
	$(BIN)/csa check data/sample

# unit tests, notebook runs, and strict nbval on every committed notebook
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile tests notebooks csa --doctest-modules \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

# rebuild the NPS notebook from its source script and re-execute every notebook in place
notebooks: $(STAMP)
	$(BIN)/python tools/build_nps_notebook.py
	$(BIN)/python tools/refresh_notebooks.py

sample: $(STAMP)
	$(BIN)/csa sample --out data/sample

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) reports .pytest_cache

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_nps.py
