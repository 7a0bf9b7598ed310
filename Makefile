# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: run test venv dev bench clean

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

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -p no:cacheprovider --nbmake tests $(wildcard notebooks/*.ipynb)

# Speed and quality figures (README "Performance"); each prints its reference too.
bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_text.py
	$(BIN)/python benchmarks/bench_tag.py
	$(BIN)/python benchmarks/bench_metrics.py
	$(BIN)/python benchmarks/bench_page.py
	$(BIN)/python benchmarks/bench_extract.py --sizes 500,2000

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info
