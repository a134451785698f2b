# growthzones: `make demo` ranks the bundled demo, `make test` runs the whole suite.
# Both create .venv on first use; nothing else is needed but Python >= 3.11 (and npm for the
# offline Leaflet assets used by the app's offline mode and the browser tests).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test app lint format bench clean static wheel-smoke

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.core

demo: $(VENV)/.core
	$(BIN)/growthzones demo --out-dir out

test: $(VENV)/.test static
	$(BIN)/ruff check growthzones tests benchmarks app.py data/demo notebooks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.test
	$(BIN)/ruff check growthzones tests benchmarks app.py data/demo notebooks
	$(BIN)/lint-imports

format: $(VENV)/.test
	$(BIN)/ruff format growthzones tests benchmarks app.py data/demo notebooks

# Build the wheel and sdist and try the wheel in a fresh venv outside the checkout (as CI does).
wheel-smoke:
	PYTHON=$(PYTHON) .ci/wheel_smoke.sh

bench: $(VENV)/.test
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# Leaflet's JS/CSS for offline maps (government networks often block CDNs), taken from the
# npm package at set-up time and served by Streamlit's static file serving; never committed.
static: static/leaflet/leaflet.js

static/leaflet/leaflet.js:
	@if command -v npm >/dev/null 2>&1; then \
		tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent leaflet@1.9.4 >/dev/null) && \
		mkdir -p static/leaflet && tar -xzf $$tmp/leaflet-1.9.4.tgz -C $$tmp && \
		cp -r $$tmp/package/dist/. static/leaflet/ && rm -rf $$tmp || \
		echo "could not fetch leaflet with npm: offline map assets not installed (browser tests will skip)"; \
	else echo "npm not found: offline map assets not installed (the app then loads Leaflet from its CDN)"; fi

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
