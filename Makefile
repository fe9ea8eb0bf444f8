# Gongzhi: `make run` sets up everything and serves the demo; `make test` runs the suite; a bare `make`
# lists the targets (it installs nothing).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# WeasyPrint needs HarfBuzz subsetting (else ~25x slower) and a CJK font (else empty boxes);
# gettext compiles translations; Chromium drives the browser tests; poppler checks PDFs;
# nginx fronts the workers of `make run-prod`; wrk is the load generator of `make bench`;
# Java runs the Nu HTML Checker (vnu-jar from npm) in the browser tests.
APT_PACKAGES := libharfbuzz-subset0 fonts-noto-cjk gettext chromium poppler-utils nginx-light wrk default-jre-headless

.PHONY: help run run-prod stop-prod test bench lighthouse system messages migrate demo lint format

help: ## List the targets
	@echo "Usage: make <target>   (see README.md)"
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 14

run: system $(VENV)/.runtime messages migrate ## Install what is missing, migrate, seed the demo if absent, serve on 127.0.0.1:8000 (PORT=…)
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "Gongzhi is starting on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@# The background worker (opinion maps and other tasks) runs beside the server; Ctrl-C or the server's exit stops both.
	@$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The production topology on this machine: nginx on 127.0.0.1:$(PORT) in front of $(WORKERS) uvicorn
# workers, $(WORKERS_TASKS) background task workers (RQ's `rqworker` on Redis; TASKS_BACKEND=database for
# `db_worker`), a page-cache redis-server, PostgreSQL and Redis (DATABASE_URL, REDIS_URL; every process is
# listed in site/deploy/prodctl.py).
WORKERS ?= 2
REPLICA ?=
WORKERS_TASKS ?= 2
run-prod: system $(VENV)/.runtime messages ## The production topology (nginx, uvicorn and task workers; REPLICA=1 adds a streaming read replica) on 127.0.0.1:8000
	WORKERS=$(WORKERS) WORKERS_TASKS=$(WORKERS_TASKS) PORT=$(PORT) REPLICA=$(REPLICA) $(BIN)/python site/deploy/prodctl.py start

stop-prod: ## Stop the production topology
	$(BIN)/python site/deploy/prodctl.py stop

test: system $(VENV)/.dev node_modules/.installed messages ## The whole test suite (browser tests included)
	$(BIN)/pytest

system: ## Install the Debian packages that are missing (sudo)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

# --ignore-scripts: vnu-jar's postinstall would download a Java runtime; the Debian one (APT_PACKAGES) is used.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent --ignore-scripts
	touch $@

messages: $(VENV)/.runtime ## Compile the translations
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

migrate: $(VENV)/.runtime ## Apply the database migrations
	$(BIN)/python manage.py migrate --no-input -v0

demo: migrate ## Seed the demo site (manage.py seed_demo)
	$(BIN)/python manage.py seed_demo

# Benchmarks P1–P6 against the production topology, in their own database (bench/run.py); ~15 minutes.
bench: system $(VENV)/.dev messages ## Benchmarks P1–P8 (~20 minutes, own database)
	$(BIN)/python -m bench.run

# Lighthouse (mobile) on every public page type of the demo behind the production topology, in its own
# database (bench/lighthouse.py); not in `make test`: the performance score follows the machine's load.
lighthouse: system $(VENV)/.dev node_modules/.installed messages ## Lighthouse scores per public page type (~10 minutes, own database)
	$(BIN)/python -m bench.lighthouse

# Imports between apps follow the floors (the contracts in pyproject.toml); templates are indented by
# djhtml, 2 spaces (it changes leading whitespace only).
TEMPLATE_DIRS := $(wildcard */templates)

lint: $(VENV)/.dev ## Ruff, the import contracts (lint-imports) and template indentation (djhtml), checked
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/djhtml --check --tabwidth 2 $(TEMPLATE_DIRS)

format: $(VENV)/.dev ## Ruff fixes and formatting, template indentation, applied
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml --tabwidth 2 $(TEMPLATE_DIRS)

# Backup and restore of the database named by DATABASE_URL (PostgreSQL: pg_dump -Fc / pg_restore --clean;
# SQLite: the online backup API). `make backup [BACKUP_FILE=…]`; `make restore BACKUP_FILE=…` (required).
.PHONY: backup restore
backup: ## Back up the database (BACKUP_FILE=…)
	$(BIN)/python manage.py backup $(if $(BACKUP_FILE),--output "$(BACKUP_FILE)")

restore: ## Restore the database from BACKUP_FILE=… (replaces it)
	@if [ -z "$(BACKUP_FILE)" ]; then echo "make restore needs BACKUP_FILE=path/to/backup (it replaces the whole database)." >&2; exit 2; fi
	$(BIN)/python manage.py restore "$(BACKUP_FILE)"
