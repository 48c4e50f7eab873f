# Reelsmith. `make run` and `make test` work on a fresh clone with nothing but python3.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help install run test lint fmt typecheck bench bench-pipeline bench-tools docker-config schema check-deploy browsers clients clean

help:
	@echo "make run            the whole app on embedded defaults (SQLite, filesystem broker, local disk)"
	@echo "                    on http://127.0.0.1:8000 (make run PORT=8001); provider sandbox on (PROVIDER_SANDBOX=0: off)"
	@echo "make test           the whole suite (uses PostgreSQL/Redis on localhost when they answer)"
	@echo "make lint | fmt | typecheck | bench | bench-pipeline | docker-config | schema | check-deploy"

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Re-sync whenever the lock changes.
$(VENV)/.synced: uv.lock pyproject.toml clients/python/pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

install: $(VENV)/.synced

run: install fonts
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_setup
	$(PY) manage.py runstack

# PostgreSQL and Redis are used when DATABASE_URL/REDIS_URL are set, or when they answer on
# localhost (the suite's concurrency and money tests need PostgreSQL); otherwise SQLite.
test: install browsers fonts clients
	@eval "$$($(PY) .ci/detect_services.py)"; \
	echo "make test: database=$${DATABASE_URL:-sqlite} redis=$${REDIS_URL:-none}"; \
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@if [ -f ../shared/tools/check_layers.py ]; then $(PY) ../shared/tools/check_layers.py .; fi
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

typecheck: install
	$(VENV)/bin/mypy apps/*/services.py apps/*/services/*.py apps/*/selectors.py
	$(VENV)/bin/mypy --config-file clients/python/pyproject.toml clients/python/src

fmt: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Media engine vs the ffmpeg CLI; upload throughput and memory; API throughput (wrk, PostgreSQL)
# and the floors of a synchronous submit (bench/submit_floor.py); webhook delivery latency (a real worker, PostgreSQL and Redis); GET /api/v1/usage latency
# and query plans at 100k jobs (PostgreSQL).
bench: install bench-tools
	$(PY) bench/media.py
	$(PY) bench/uploads.py
	$(PY) bench/jobs_api.py
	$(PY) bench/submit_floor.py
	@createdb -h 127.0.0.1 -U postgres reelsmith_bench 2>/dev/null || true
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/reelsmith_bench} \
	REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/9} $(PY) bench/webhooks.py
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/reelsmith_bench} \
	$(PY) bench/usage.py
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/reelsmith_bench} \
	$(PY) bench/gallery.py

# The job pipeline through the API and 1, 2 and 4 Celery worker processes (docs/scaling.md).
# Long (2,000 + 2,000 jobs per worker count: an hour or more on 2 cores), so not part of
# `make bench`; smaller: make bench-pipeline BENCH_PIPELINE_ARGS="--local-jobs 200 --provider-jobs 500"
bench-pipeline: install
	$(PY) bench/jobs_pipeline.py $(BENCH_PIPELINE_ARGS)

bench-tools:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || echo "wrk not installed: bench/jobs_api.py will stop"

schema: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets;print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=reelsmith.example.com $(PY) manage.py check --deploy --fail-level WARNING

# `docker compose config` where the compose plugin exists; else the Compose Specification's
# JSON schema (vendored by check-jsonschema), which is what `config` validates against.
docker-config: install
	@if docker compose version >/dev/null 2>&1; then \
	  DJANGO_SECRET_KEY=x docker compose -f docker/compose.yml config --quiet; \
	else \
	  $(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker/compose.yml; \
	fi
	@echo "docker/compose.yml: valid"

# Fonts for every script a prompt may be written in (the local engine draws prompts:
# apps/media/fonts.py): DejaVu + Noto for Latin, Hebrew, Arabic, Indic..., Noto CJK.
.PHONY: fonts
FONT_PACKAGES := fonts-dejavu-core fonts-noto-core fonts-noto-cjk
fonts:
	@dpkg -s $(FONT_PACKAGES) >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(FONT_PACKAGES) >/dev/null; } || echo "fonts not installed ($(FONT_PACKAGES)): non-Latin prompts draw as boxes"

browsers:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || echo "chromium not installed: browser tests will be skipped"

# The TypeScript client's packages (pinned in its package-lock.json) and its tsc build; its
# tests run from pytest (tests/clients/typescript). Node comes from Debian when missing.
clients:
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; } || echo "node not installed: TypeScript client tests will be skipped"
	@if command -v npm >/dev/null; then \
	  cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build; \
	fi

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache clients/typescript/node_modules clients/typescript/dist clients/typescript/build
