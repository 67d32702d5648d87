# Two commands for researchers: `make report` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export OMP_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: test report lab lint unit notebooks bench clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

test: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .

unit: $(INSTALLED)
	$(BIN)/pytest tests

notebooks: $(INSTALLED)
	$(BIN)/pytest notebooks

report: $(INSTALLED)
	$(BIN)/python -m nqpf report --out reports

lab: $(INSTALLED)
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf data/processed reports .pytest_cache
