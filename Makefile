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

# Catalogs: navigator/translations/<locale>/LC_MESSAGES/messages.po, one per resident language.
# `make i18n` extracts the English source strings, starts a catalog for any new locale, updates
# every catalog (new strings come in empty or fuzzy; tests/test_i18n.py fails until they are
# translated) and compiles the .mo files, which are committed so `make run` needs no extra step.
TRANSLATIONS := navigator/translations
I18N_LOCALES := en fr_CA ar zh_Hans pa ur es pt pl tl hi ko

i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o $(TRANSLATIONS)/messages.pot --add-location=file \
	  --add-comments=Translators: --project=navigator --version=0.1.0 --copyright-holder="Halton Region" navigator
	@for locale in $(I18N_LOCALES); do \
	  test -f $(TRANSLATIONS)/$$locale/LC_MESSAGES/messages.po || \
	    $(BIN)/pybabel init -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $$locale; \
	done
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-obsolete \
	  --ignore-pot-creation-date
	$(BIN)/pybabel compile -d $(TRANSLATIONS) --statistics

directory: $(STAMP)
	$(BIN)/navigator directory build

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache
