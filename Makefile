# duban — a newcomer's targets: demo, test, lint, bench, serve.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DUBAN_DATABASE_URL ?= sqlite:///$(CURDIR)/var/demo.sqlite3
export DUBAN_DATABASE_URL

.PHONY: demo test lint types bench serve install clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p var
	$(BIN)/duban demo

test: $(STAMP) lint types
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

types: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/read_corpus.py
	$(BIN)/python bench/review.py
	$(BIN)/python bench/tick.py
	$(BIN)/python bench/serve.py
	$(BIN)/python bench/cases.py
	$(BIN)/python bench/classify.py
	$(BIN)/python bench/scale.py --scale 0.01

serve: $(STAMP)
	$(BIN)/duban serve

clean:
	rm -rf $(VENV) var out .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
