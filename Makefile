# Every target creates .venv on first use (a fresh clone needs nothing but python3 and make)
# and reuses it afterwards.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: all generate test check lint typecheck unit cases clean
.PHONY: test-real test-hostile
.PHONY: serve demo
.PHONY: bench
.PHONY: lint-schemas review review-oasdiff

all: test

$(READY): pyproject.toml tests/review/published-versions.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' -e ./generated
	$(BIN)/python -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
		--dest $(VENV)/published-versions -r tests/review/published-versions.txt
	@touch $@

## generate: regenerate generated/ from schemas/
generate: $(READY)
	$(BIN)/sdkforge generate

## test: everything the build verifies: drift, lint, types, tests
test: check lint lint-schemas typecheck unit

## check: fail with a diff if generated/ is not what schemas/ generate
check: $(READY)
	$(BIN)/sdkforge generate --check

lint: $(READY)
	$(BIN)/ruff check generator tests generated
	$(BIN)/ruff format --check generator tests

typecheck: $(READY)
	$(BIN)/mypy generator generated/chatsdk tests/typing
	$(BIN)/mypy generated/tests
	$(BIN)/pyright

## unit: the tests, spread over every core (PYTEST_WORKERS=0 runs them in one process)
PYTEST_WORKERS ?= auto
unit: $(READY)
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS)

## cases: rewrite the expected output of tests/cases/ from the current generator
cases: $(READY)
	SDKFORGE_REFRESH_CASES=1 $(BIN)/python -m pytest -q tests/core/test_cases.py

## serve: run the reference server on http://127.0.0.1:$(PORT) until Ctrl-C (PORT=0: any free port)
PORT ?= 8080
serve: $(READY)
	$(BIN)/sdkforge serve --port $(PORT)

## demo: start the reference server on a free port, run examples/demo.py against it, stop it
demo: $(READY)
	$(BIN)/sdkforge serve --port 0 -- $(BIN)/python examples/demo.py

## test-hostile: the property-based hostile-schema test with 500 examples (make test runs 40)
test-hostile: $(READY)
	SDKFORGE_HYPOTHESIS=deep $(BIN)/python -m pytest -q -p no:cacheprovider --hypothesis-show-statistics tests/core/test_hostile_schemas.py

## test-real: generate, install, lint and type-check the packages of the five vendor OpenAPI documents
test-real: $(READY)
	$(BIN)/python -m pytest -q -m 'slow or not slow' tests/vendor/test_vendor_normalise.py tests/vendor/test_vendor_fixtures.py tests/vendor/test_vendor_packages.py tests/review/test_oasdiff_compare.py

## lint-schemas: check the conventions that keep schemas reviewable (sdkforge lint)
lint-schemas: $(READY)
	$(BIN)/sdkforge lint

## review: what the schema changes since the merge base with main do to the wire and to
## chatsdk (REVIEW_ARGS="--format json", "--fail-on breaking", ...; REVIEW_BASE=<ref>)
REVIEW_BASE ?= $(shell git merge-base HEAD origin/main 2>/dev/null || git merge-base HEAD main)
review: $(READY)
	@$(BIN)/sdkforge review --base $(REVIEW_BASE) $(REVIEW_ARGS)

## review-oasdiff: review oasdiff's checker cases (tests/review/oasdiff/) and count, by area, where
## sdkforge review and oasdiff agree (--details: every disagreement)
review-oasdiff: $(READY)
	$(BIN)/python tests/review/oasdiff/compare.py $(REVIEW_ARGS)

## bench: time generation, imports, parsing, streaming, memory and request overhead against the
## peer SDKs and generators in the same run; writes bench/RESULTS.md (BENCH_ARGS="--only parse")
BENCH_CLI := bench/.work/cli-venv
$(VENV)/.bench-ready: $(READY)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	@touch $@
$(BENCH_CLI)/.ready: bench/requirements-cli.txt
	@test -x $(BENCH_CLI)/bin/python || $(PYTHON) -m venv $(BENCH_CLI)
	$(BENCH_CLI)/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements-cli.txt
	@touch $@
bench: $(VENV)/.bench-ready $(BENCH_CLI)/.ready
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
