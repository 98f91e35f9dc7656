# Everything a developer or CI needs: `make run` (set up + main job), `make serve` (the API and the web page on
# 127.0.0.1:8000, until Ctrl+C), `make test` (set up + whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup system run serve test lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

# the Debian packages of the browser and PDF tests (only those missing; needs root or sudo)
system:
	bash tools/system-packages.sh

run: setup
	$(BIN)/echeancier simulate --year 2026 --profession artisan --income 40000
	@echo
	$(BIN)/echeancier schedule docs/examples/01-declaration-mensuel.yaml

serve: setup
	$(BIN)/echeancier serve

lint: setup
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy

test: system lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
