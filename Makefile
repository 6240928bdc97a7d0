# graphdiff: `make run` opens the flagship graph, `make test` runs the whole suite.
# Both create .venv, install the package with its test extras, and install Graphviz's
# `dot` when it is missing and the machine allows it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup dot bench assets clean fuzz

setup: $(STAMP) dot

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

dot:
	@bash scripts/ensure-dot.sh

run: setup
	$(BIN)/graphdiff tui graphs/peyre.gd

test: setup
	$(BIN)/python -m pytest -q

# The long fuzz run (the short one is part of `make test`): generated programs through every
# command in-process, with the differential maths; counts per failure category, the seed to
# reproduce, one reproducer per root cause in fuzz-out/. E.g. make fuzz FUZZ_EXAMPLES=2000 FUZZ_SEED=7
FUZZ_EXAMPLES ?= 20000
FUZZ_SEED ?=
FUZZ_JOBS ?= 2
FUZZ_TIMEOUT ?= 10
fuzz: setup
	$(BIN)/python tests/fuzz_run.py --examples $(FUZZ_EXAMPLES) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) \
		--jobs $(FUZZ_JOBS) --timeout $(FUZZ_TIMEOUT) --out fuzz-out

# The README's pictures, made by graphdiff itself.
assets: setup
	bash scripts/make_assets.sh
	bash scripts/make_walkthrough_pictures.sh

# Benchmarks run in their own venv with the peers graphdiff is compared against (never deps).
bench:
	bash benchmarks/setup_peers.sh
	benchmarks/.venv-peers/bin/python benchmarks/bench_sweeps.py
	benchmarks/.venv-peers/bin/python benchmarks/bench_codegen.py

clean:
	rm -rf $(VENV) build *.egg-info
