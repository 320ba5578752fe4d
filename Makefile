# The two commands: `make site` builds content/ into public/, `make test` runs the tests.
# Both create the virtual environment and install the pinned dependencies when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Installed with --no-deps (see pyproject.toml); its data-free modules need six, emoji, regex.
CAMEL_TOOLS := camel-tools==1.6.0
SEED := seeds/000_b13ded825dd51055.txt
SEED_DATE := 2019-03-19
SEED_CATEGORY := middleEast

.PHONY: site test lint bench clean seed

site: $(VENV)/.installed
	$(PY) -m generator build

test: $(VENV)/.installed-test
	$(PY) -m ruff check generator tests
	$(PY) -m pytest

lint: $(VENV)/.installed-test
	$(PY) -m ruff check generator tests

# Re-import the seed article into content/ (its text carries no date).
seed: $(VENV)/.installed
	$(PY) -m generator import $(SEED) --date $(SEED_DATE) --category $(SEED_CATEGORY)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml Makefile | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	$(PY) -m pip install --quiet --no-deps $(CAMEL_TOOLS)
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

clean:
	rm -rf public .cache .pytest_cache .ruff_cache
