# Dư Luận: `make demo` runs the main job on the embedded store; `make test` passes the tests;
# `make check` is the quick loop while changing code (no engine, browser or slow tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test check lint engine-start engine-stop clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/duluan demo

test: install
	PATH="$(abspath $(BIN)):$$PATH" scripts/test.sh

check: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not engine and not browser and not slow"

lint: install
	$(BIN)/ruff check .

engine-start:
	scripts/opensearch.sh start

engine-stop:
	scripts/opensearch.sh stop

clean:
	scripts/opensearch.sh stop
	rm -rf $(VENV) .engine data .pytest_cache .ruff_cache
