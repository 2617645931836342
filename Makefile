# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make run    set up .venv if needed, then run the main job on the bundled sample
#   make test   set up .venv if needed, then run the tests
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# the notebooks, from notebooks/index.yaml (the only list of them)
NOTEBOOKS = $(shell $(BIN)/python -m csa.catalog ipynb)
PERIOD ?= 2026-10
REPORT_LANG ?= en

.PHONY: setup run test lint check sample lab clean notebooks bench book

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

# the main job: the monthly report for the sample's last month
run: $(STAMP)
	$(BIN)/csa check data/sample
	$(BIN)/csa report --period $(PERIOD) --data data/sample --lang $(REPORT_LANG)

check: $(STAMP)
	$(BIN)/csa check data/sample

lint: $(STAMP)
	$(BIN)/ruff check .

# lint, unit tests and doctests, papermill runs of every notebook, strict nbval on every notebook;
# two processes share the tests out longest first (tests/scheduling.py: a notebook's nbval cells, the tests of a
# module, a slow test alone, tests that read the same notebook run together)
test: lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests csa $(NOTEBOOKS) --doctest-modules \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

# sync each notebook's .md source and .ipynb (the newer wins), re-execute it, strip run metadata
notebooks: $(STAMP)
	$(BIN)/python tools/notebooks.py build

sample: $(STAMP)
	$(BIN)/csa sample --out data/sample

# JupyterLab with jupytext, so that saving a notebook also saves its .md source
# JupyterLab lists each lesson once, as its executed notebook (START_HERE.ipynb first to open): the MyST sources
# (jupytext keeps them in step with the notebooks) and the build's own files are hidden from its file browser
LAB_HIDE = --ContentsManager.hide_globs="['__pycache__', '*.pyc', '*.pyo', '.DS_Store', '*~', '[0-9][0-9]*_*.md', \
	'_template.md', 'index.yaml', 'jupytext.toml']"
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_HIDE) notebooks/

# the handbook as a static website in English and Japanese, from the committed notebooks, offline:
# open build/book/index.html (book/README.md). BOOK_ARGS=--run: the Japanese book's outputs in Japanese too
BOOK_STAMP := $(VENV)/.book-stamp
$(BOOK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[book]"
	@touch $(BOOK_STAMP)

book: $(BOOK_STAMP)
	$(BIN)/python book/build.py $(BOOK_ARGS)

clean:
	rm -rf $(VENV) reports .pytest_cache

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_nps.py
