# graphdiff: `make run` opens the flagship graph, `make test` runs the whole suite.
# Both create .venv, install the package with its test extras, and install Graphviz's
# `dot` when it is missing and the machine allows it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup dot browser tex bench assets clean

setup: $(STAMP) dot browser tex

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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

test: setup
	$(BIN)/python -m pytest -q

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
