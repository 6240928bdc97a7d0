# graphdiff: `make run` opens the flagship graph, `make test` runs the whole suite.
# Both create .venv, install the package with its test extras, and install Graphviz's
# `dot` when it is missing and the machine allows it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Python keeps the bytecode it compiles in .venv/pycache, even where PYTHONDONTWRITEBYTECODE is
# set, so that the debugger, each test process and each graphdiff a test starts do not compile
# numpy, Textual, JAX and graphdiff again (about 10 s of CPU each); the sources' folders stay clean.
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX := $(CURDIR)/$(VENV)/pycache
TEST_JOBS ?= logical

.PHONY: run test test-slow setup dot browser tex bench assets docs clean fuzz

setup: $(STAMP) dot browser tex

$(STAMP): pyproject.toml scripts/setup-venv.sh
	PY=$(PY) bash scripts/setup-venv.sh
	touch $(STAMP)

dot:
	@bash scripts/ensure-dot.sh

# Chromium + chromedriver for the HTML page's browser test; pdflatex (TikZ, Beamer) + pdftoppm for
# the TikZ/Beamer tests. Installed when missing and allowed; setup never fails because of them.
browser:
	@bash scripts/ensure-chromium.sh

tex:
	@bash scripts/ensure-tex.sh

run: setup
	$(BIN)/graphdiff tui graphs/peyre.gd

# The tests run in TEST_JOBS processes (pytest-xdist: one per logical core, which `auto` would
# count as physical cores where psutil is installed; `make test TEST_JOBS=0` runs them in one).
# The whole suite but the tests marked slow (the same branches run on smaller inputs);
# `make test-slow` runs those too.
test: setup
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check --no-cache --quiet .
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadgroup -m "not slow"

test-slow: setup
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadgroup

# The long fuzz run (the short one is part of `make test`): generated programs through every
# command in-process, with the differential maths; counts per failure category, the seed to
# reproduce, one reproducer per root cause in fuzz-out/. E.g. make fuzz FUZZ_EXAMPLES=2000 FUZZ_SEED=7;
# FUZZ_SECONDS bounds the wall time (the examples run by then are reported).
FUZZ_EXAMPLES ?= 20000
FUZZ_SEED ?=
FUZZ_JOBS ?= 2
FUZZ_TIMEOUT ?= 10
FUZZ_SECONDS ?=
fuzz: setup
	$(BIN)/python tests/fuzz_run.py --examples $(FUZZ_EXAMPLES) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) \
		--jobs $(FUZZ_JOBS) --timeout $(FUZZ_TIMEOUT) $(if $(FUZZ_SECONDS),--seconds $(FUZZ_SECONDS)) --out fuzz-out

# The README's pictures, made by graphdiff itself.
assets: setup
	bash scripts/make_assets.sh
	bash scripts/make_walkthrough_pictures.sh

# docs/operations.md, generated from the op table (a test checks it is current).
docs: setup
	$(BIN)/python -m graphdiff.reference > docs/operations.md

# Benchmarks run in their own venv with the peers graphdiff is compared against (never deps).
bench:
	bash benchmarks/setup_peers.sh
	benchmarks/.venv-peers/bin/python benchmarks/bench_sweeps.py
	benchmarks/.venv-peers/bin/python benchmarks/bench_codegen.py

clean:
	rm -rf $(VENV) build *.egg-info
