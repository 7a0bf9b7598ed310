# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: run test test-fast lint format venv dev bench clean

# The stamp files re-run pip only when the package metadata changes.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
dev: $(VENV)/.installed-dev

run: $(VENV)/.installed
	$(BIN)/cchc-nlp extract corpus/samples --out $(OUT)

PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider

# The whole suite: lint, unit and CLI tests, the package's doctests, the notebooks.
test: lint
	$(PYTEST) --nbmake tests cchc_nlp $(wildcard notebooks/*.ipynb)

# The quick loop while editing: no tests marked slow, no notebooks.
test-fast: $(VENV)/.installed-dev
	$(PYTEST) -m "not slow" tests cchc_nlp

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Rewrites files: the formatter, then the linter's safe fixes.
format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Speed and quality figures (README "Performance"); each prints its reference too.
bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_text.py
	$(BIN)/python benchmarks/bench_tag.py
	$(BIN)/python benchmarks/bench_metrics.py
	$(BIN)/python benchmarks/bench_page.py
	$(BIN)/python benchmarks/bench_extract.py
	$(BIN)/python benchmarks/bench_dedup.py

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info
