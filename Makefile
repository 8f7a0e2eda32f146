# graphspec: the two-command set-up is `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
GS := $(VENV)/bin/graphspec
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 3
# `make test` runs the suite in this many pytest-xdist processes, each test file in one of them
# (module fixtures shared as before); 0 to run it in this one process.
TEST_WORKERS ?= 2
# Bytecode caches on: a shell with PYTHONDONTWRITEBYTECODE set would make pip install TensorFlow
# without them and every process recompile it on import (11 s instead of 5 s per `import keras`
# on the 2-core machine; the test suite starts dozens of such processes).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: export-support architecture help setup sysdeps-test demo test test-all test-ray flops-oracle test-torch lint format bench fuzz catalog oracle-draws applications diagrams schema clean dot screenshot view

help:
	@echo "make demo      set up .venv (package, dependencies, Graphviz) and run the main job"
	@echo "make test      set up, then lint and run the whole test suite (but the slow tests)"
	@echo "make test-all  the same, with the slow tests (every keras.applications round trip)"
	@echo "make test-ray  the Ray Tune engine of graphspec sweep (a few minutes)"
	@echo "make flops-oracle  static FLOPs against XLA on every shipped spec and application"
	@echo "make test-torch  install PyTorch (CPU, torch==2.13.0) and run the backend tests on it"
	@echo "make bench     benchmarks against Keras (writes benchmarks/results.json)"
	@echo "make fuzz      run the atheris fuzz target on the loader (not part of CI)"
	@echo "make catalog   regenerate the Keras layer catalog (and the shape-rule coverage in the docs)"
	@echo "make oracle-draws  measure the valid draws of the shape oracle per class (docs/testing.md)"
	@echo "make applications  regenerate the shipped keras.applications specs (a few minutes)"
	@echo "make diagrams  regenerate the SVG diagrams under docs/diagrams/"
	@echo "make export-support  re-measure which layer types each export format takes (docs/export.md)"
	@echo "make architecture  redraw the layer picture in docs/architecture.md from the imports"
	@echo "make view      live diagram in the browser (VIEW_SPECS='a.yaml b.yaml' to choose)"
	@echo "make screenshot  screenshot \`graphspec view\` in headless Chromium (docs/diagrams/viewer.png)"

setup: $(STAMP) dot

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "graphspec needs Python 3.11+"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# System programs, installed with apt-get when missing and permitted (root or sudo -n):
# `dot` (Graphviz) for diagrams; for the test suite also Chromium + ChromeDriver (viewer tests in a
# real browser) and Neovim (a real LSP client). Tests that need a missing one skip with a reason.
SYSDEPS_DEMO := dot:graphviz
SYSDEPS_TEST := $(SYSDEPS_DEMO) chromium:chromium chromedriver:chromium-driver nvim:neovim

dot:
	@bash scripts/sysdeps.sh $(SYSDEPS_DEMO)

sysdeps-test:
	@bash scripts/sysdeps.sh $(SYSDEPS_TEST)

demo: setup
	@mkdir -p out
	$(GS) validate specs/*.yaml
	-$(GS) validate specs/bad/seed_skip_original.yaml
	$(GS) summary specs/seed_skip.yaml
	$(GS) compile specs/seed_skip.yaml -o out/seed_skip.keras --summary
	$(GS) render specs/seed_skip.yaml -o out/seed_skip.svg
	$(GS) render specs/seed_skip.yaml -o out/seed_skip.png
	@echo "demo done: out/seed_skip.keras, out/seed_skip.svg, out/seed_skip.png"

# mypy reads its settings from pyproject.toml and caches in .mypy_cache (cold 10-20 s, then 1 s);
# lint-imports checks the import contracts (layers, independence, private modules, no cycles).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: setup sysdeps-test lint
	$(PY) scripts/gen_catalog.py --check
	$(PY) scripts/gen_applications.py --check
	$(PY) scripts/gen_architecture.py --check
	$(VENV)/bin/pytest -p no:cacheprovider --doctest-modules -m "not slow" --durations=25 \
		-n $(TEST_WORKERS) --dist loadfile graphspec tests

# The Ray Tune engine of `graphspec sweep` on a local Ray instance: Ray's own processes and a
# TensorFlow import per trial worker take minutes on a small machine (tests/train/test_sweep_ray.py).
test-ray: setup
	$(VENV)/bin/pytest -p no:cacheprovider -m ray tests/train/test_sweep_ray.py

# The static FLOPs against XLA's cost_analysis() on JAX: every shipped spec and the 40
# keras.applications (about an hour on 2 cores); writes the table in docs/flops-oracle.md.
flops-oracle: setup
	KERAS_BACKEND=jax $(PY) scripts/flops_oracle.py --specs --applications all --markdown docs/flops-oracle.md

test-all: setup sysdeps-test lint
	GRAPHSPEC_SHAPES=all $(VENV)/bin/pytest -p no:cacheprovider --doctest-modules graphspec tests

# PyTorch's wheel is large, so `make test` leaves it out (its backend tests skip, saying so).
# torch==2.13.0 is the CPU build; a bare `torch` may pull a multi-GB CUDA build.
TORCH_PIN := torch==2.13.0

test-torch: setup
	$(PY) -m pip install --quiet $(TORCH_PIN)
	$(VENV)/bin/pytest -p no:cacheprovider -m "not slow" tests/backends

bench: setup
	$(PY) -m benchmarks

fuzz: setup
	$(PY) -m pip install --quiet atheris
	$(PY) tests/fuzz/fuzz_loader.py -max_total_time=300

catalog: setup
	$(PY) scripts/gen_catalog.py
	$(PY) scripts/gen_coverage.py

oracle-draws: setup
	$(PY) scripts/oracle_draws.py

applications: setup
	$(PY) scripts/gen_applications.py

architecture: setup
	$(PY) scripts/gen_architecture.py

diagrams: setup
	$(PY) scripts/render_docs.py

VIEW_SPECS ?= specs/resnet_mini.yaml
view: setup
	$(GS) view $(VIEW_SPECS)

screenshot: setup sysdeps-test
	$(PY) scripts/screenshot_view.py --no-fit --zoom 0.4 --collapse stage1 --collapse down3
	$(PY) scripts/screenshot_view.py --spec specs/unet.yaml --node '' --collapse enc2 --collapse dec3 -o docs/diagrams/viewer_toggle.png

schema: setup
	$(GS) schema -o docs/graphspec.schema.json --force

clean:
	rm -rf out .pytest_cache .mypy_cache build *.egg-info

# export formats: one tiny model per sample layer exported and run in each runtime (~20 min)
export-support: setup
	$(PY) scripts/gen_export_support.py
