# Two commands for researchers: `make report` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export OMP_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: test report workshop lab lint unit notebooks execute bench clean

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

# Re-run every notebook top to bottom and store its outputs (what nbval compares against).
# Timing metadata is dropped and printed text that reached the kernel's stdout in two chunks
# is joined (a second pass that runs nothing), so a re-run changes the file only where an
# output changed.
execute: $(INSTALLED)
	cd notebooks && for nb in [0-9][0-9]_*.ipynb; do \
	  ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.store_widget_state=False \
	    --ClearMetadataPreprocessor.enabled=True \
	    --ClearMetadataPreprocessor.clear_notebook_metadata=False \
	    --ClearMetadataPreprocessor.preserve_cell_metadata_mask=tags "$$nb" \
	  && ../$(BIN)/jupyter nbconvert --to notebook --inplace \
	    --CoalesceStreamsPreprocessor.enabled=True "$$nb" || exit 1; \
	done

report: $(INSTALLED)
	$(BIN)/python -m nqpf report --out reports

# Student notebooks (no solutions) and instructor notebooks, from notebooks/ (docs/workshop.md).
workshop: $(INSTALLED)
	$(BIN)/python -m nqpf workshop --out workshop

lab: $(INSTALLED)
	$(BIN)/jupyter lab notebooks

# Whole pipeline against peers on the benchmark corpus, then the report on all of it;
# writes benchmarks/RESULTS.md (report_scale.py replaces only its own section).
bench: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python benchmarks/run.py --repeats 3 --floor --make-report
	$(BIN)/python benchmarks/report_scale.py

clean:
	rm -rf data/processed reports workshop .pytest_cache
