# Two commands on a fresh machine: `make demo` (plan the built-in demo day) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup osrm demo double11 serve check assets test test-fast bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

# OSRM's programs for the real-OSRM tests, from the osrm-bindings wheel (built for Python 3.12+,
# the programs inside run anywhere on x86-64 Linux).
OSRM_VERSION := 26.10.0
$(VENV)/osrm/.installed: | $(VENV)/.installed
	$(BIN)/pip install --quiet --no-deps --only-binary=:all: --python-version 3.12 \
		--platform manylinux_2_28_x86_64 --target $(VENV)/osrm 'osrm-bindings==$(OSRM_VERSION)'
	touch $@

osrm: $(VENV)/osrm/.installed

demo: setup
	$(BIN)/dispatch demo --force --out out/demo-plan.json --map out/demo-plan.html

double11: setup
	$(BIN)/dispatch scenario run scenarios/examples/double11.yaml --out out/double11

serve: setup
	$(BIN)/dispatch serve

check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check optimizer dispatch geo api scenarios
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/fetch_assets.py --check

assets: setup
	$(BIN)/python scripts/fetch_assets.py

test: setup osrm
	bash scripts/system-deps
	$(MAKE) --no-print-directory check
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not slow and not browser and not postgres"

bench: setup
	$(BIN)/python -m benchmarks.solomon ../shared/benchmarks/solomon --time-limit 5 --out out/solomon

clean:
	rm -rf $(VENV) out artifacts .mypy_cache .ruff_cache .pytest_cache
