# Two commands do all set-up on a fresh machine with only Python 3.11:
#   make demo   installs, migrates, loads the demo data and runs the product on http://127.0.0.1:$(PORT)
#   make test   installs and runs the test suite (PostgreSQL when DATABASE_URL is set, else SQLite)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export PORT

.PHONY: demo test install lint bench bench-sweep messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py demo --port $(PORT)

# Coverage is measured on every run. Its floor (pyproject.toml, [tool.coverage.report] fail_under) is
# enforced where every test must run (.ci/run: REVIEW_REQUIRE_SERVICES=1 or CI=true): below it the run
# fails. Elsewhere (SQLite, no Chromium) the PostgreSQL, Redis and browser tests skip and the figure
# is only reported. See docs/security.md#coverage-floor.
COV_ENFORCED := $(filter 1,$(REVIEW_REQUIRE_SERVICES))$(filter true,$(CI))
test: install
	$(BIN)/python -m pytest --cov --cov-report=term $(if $(COV_ENFORCED),,--cov-fail-under=0) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# make bench: the calendar (no database), then every list, detail and dashboard page, the sweep and
# the throughput under gunicorn at 1,000, 100,000 and 1,000,000 applications, on PostgreSQL: one
# database per size beside BENCH_DATABASE_URL (<name>_1000, <name>_100000, <name>_1000000), filled
# once by generate_load and reused (1,000,000 takes long to generate: see docs/benchmarks.md). Its
# name must contain "bench". Each figure is printed beside its goal; a timed request that was not
# 2xx (a rate limit's 429, a 500) fails the run. The throughput's gunicorn gets SITE_URL, a
# throw-away EMAIL_URL and BENCH_REDIS_URL by itself. See docs/benchmarks.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/13
BENCH_SIZES ?= 1000,100000,1000000
bench: install
	$(BIN)/python benchmarks/calendar_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python benchmarks/pages_bench.py --sizes $(BENCH_SIZES)

# Needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/sweepbench make bench-sweep
bench-sweep: install
	$(BIN)/python benchmarks/sweep_bench.py --cases 100000

# Needs GNU gettext (msgfmt); the compiled .mo files are committed so nothing else needs it.
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=benchmarks --ignore=var
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles var
