# Dư Luận: `make demo` runs the main job on the embedded store; `make test` passes the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint engine-start engine-stop clean

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

lint: install
	$(BIN)/ruff check .

engine-start:
	scripts/opensearch.sh start

engine-stop:
	scripts/opensearch.sh stop

clean:
	scripts/opensearch.sh stop
	rm -rf $(VENV) .engine data .pytest_cache .ruff_cache
