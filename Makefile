# navigator: two commands do all set-up on a fresh machine.
#   make run    start the app on http://127.0.0.1:5000 over the shipped directory
#   make test   install everything the tests need, then run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench i18n lint directory clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core fonts-noto-cjk >/dev/null; }
	touch $@

run: $(STAMP)
	$(BIN)/navigator serve --host 127.0.0.1 --port 5000

test: $(TEST_STAMP)
	$(BIN)/ruff check navigator tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q

bench: $(TEST_STAMP)
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk for the load benchmarks"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python benchmarks/run.py

directory: $(STAMP)
	$(BIN)/navigator directory build

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache
