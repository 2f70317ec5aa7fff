# Two commands: `make run` (baseline with plots) and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup bench clean assets chromium viz reference docs

setup: $(STAMP) assets

# The visualiser's browser assets, unpacked from npm into Solara's cache (works offline after; see DEVELOPERS.md).
assets: $(STAMP)
	$(PY) -m casim.viz.assets

# Debian's Chromium for the browser tests, when we may install it.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" -eq 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else echo "browser tests need Debian's chromium: sudo apt-get install chromium"; fi; }

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,ema]'
	touch $(STAMP)

run: setup
	$(VENV)/bin/casim run scenarios/baseline.yaml --out out/baseline

test: $(STAMP) assets chromium
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/ensemble.py
	$(PY) benchmarks/ensemble_floor.py
	$(PY) benchmarks/batch.py
	$(PY) benchmarks/verify.py
	$(PY) benchmarks/viz_step.py
	$(PY) benchmarks/memory_estimate.py

# The API reference from the docstrings (pdoc) into docs/api/; fails on any pdoc warning (tests/test_docs.py too).
docs: $(STAMP)
	$(PY) docs/build_api.py docs/api

# Regenerate the regression reference (tests/data/reference/) on purpose, after a change meant to move the model.
reference: $(STAMP)
	$(PY) tests/reference.py

viz: setup
	$(VENV)/bin/casim viz

clean:
	rm -rf out docs/api .pytest_cache .hypothesis
