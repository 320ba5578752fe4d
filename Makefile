# The two commands: `make site` builds content/ into public/, `make test` runs the tests.
# Both create the virtual environment and install the pinned dependencies when needed;
# the pins live in pyproject.toml and nothing is reinstalled until it changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SEED := seeds/000_b13ded825dd51055.txt
SEED_DATE := 2019-03-19
SEED_CATEGORY := middleEast

# Print one group of pins from pyproject.toml: deps, test, no-deps, ner-train or npm.
PINS = $(PY) -c "import sys, tomllib; p = tomllib.load(open('pyproject.toml', 'rb')); \
	g = {'deps': p['project']['dependencies'], 'test': p['project']['optional-dependencies']['test'], \
	'no-deps': p['tool']['archive']['no-deps'], 'npm': p['tool']['archive']['npm'], \
	'ner-train': p['project']['optional-dependencies']['ner-train']}; print('\n'.join(g[sys.argv[1]]))"

.PHONY: site check serve test lint bench seed clean ner-model stopwords

site: $(VENV)/.installed
	$(PY) -m generator build

# Edit with live reload: http://127.0.0.1:8000/ (PORT=8001 make serve for another port).
serve: $(VENV)/.installed
	$(PY) -m generator serve $(if $(PORT),--port $(PORT))

test: $(VENV)/.installed-test $(VENV)/node/.installed
	$(PY) -m ruff check generator tests
	$(PY) -m pytest

# Build if needed, then prove the output: links, anchors, sitemap, feeds, JSON-LD, the Nu HTML
# Checker and axe-core (Java, Node and Chromium come from Debian; .ci/run installs them).
check: $(VENV)/.installed-test $(VENV)/node/.installed
	$(PY) -m generator check

lint: $(VENV)/.installed-test
	$(PY) -m ruff check generator tests

# Speed, memory and search quality, measured on ../shared/corpus (see tests/bench/): 2,000
# articles, then the whole corpus (about 40 minutes on 2 cores). Results: tests/bench/RESULTS.md.
bench: $(VENV)/.installed-test
	$(PY) tests/bench/bench_build.py --articles 2000 --runs 3
	$(PY) tests/bench/bench_build.py --articles 0 --runs 2
	$(PY) tests/bench/search_quality.py --articles 2000
	$(PY) tests/bench/search_quality.py --articles 0
	$(PY) tests/bench/bench_serve.py --articles 2000
	$(PY) tests/bench/bench_serve.py --articles 0
	$(PY) tests/bench/bench_ner.py --articles 2000 --runs 3

# Train the named-entity model shipped in generator/ner/model/ from ../shared/ner (ANERcorp,
# its development split held out) and ../shared/corpus (word clusters): about 3 minutes.
ner-model: $(VENV)/.installed-ner
	$(PY) -m generator.ner.train --data ../shared/ner --corpus ../shared/corpus \
		--out generator/ner/model

# The words a registered name may not be on its own (generator/entities/stopwords.txt), from
# ../shared/corpus and ANERcorp: about 10 seconds.
stopwords: $(VENV)/.installed
	$(PY) -m generator.entities.stopwords

# Re-import the seed article into content/ (its text carries no date).
seed: $(VENV)/.installed
	$(PY) -m generator import $(SEED) --date $(SEED_DATE) --category $(SEED_CATEGORY)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PINS) deps > $(VENV)/requirements.txt
	$(PINS) no-deps > $(VENV)/requirements-no-deps.txt
	$(PY) -m pip install --quiet -r $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --no-deps -r $(VENV)/requirements-no-deps.txt
	touch $@

$(VENV)/.installed-ner: $(VENV)/.installed
	$(PINS) ner-train > $(VENV)/requirements-ner.txt
	$(PY) -m pip install --quiet -r $(VENV)/requirements-ner.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PINS) test > $(VENV)/requirements-test.txt
	$(PY) -m pip install --quiet -r $(VENV)/requirements-test.txt
	touch $@

$(VENV)/node/.installed: pyproject.toml | $(VENV)/bin/python
	mkdir -p $(VENV)/node
	npm install --prefix $(VENV)/node --no-audit --no-fund --silent $$($(PINS) npm)
	touch $@

clean:
	rm -rf public .cache .pytest_cache .ruff_cache
