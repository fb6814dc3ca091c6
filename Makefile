# Kokuho developer entry points. `make` (or `make help`) lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

LOCAL := deploy/local
# uv's path, looked up where each recipe that uses it starts (after `install`, which installs uv
# when it is missing, so it works in the same make invocation even when pip put uv off PATH).
UV = $(shell $(LOCAL)/prereqs.sh uv-path)

# make token USER=u1 ROLES=a,b TERMINAL=t1  (USER defaults to your login name; ROLES and
# TERMINAL must be given). Target-specific, so the command line wins over the USER env var.
token: USER ?= $(shell id -un)
token: ROLES ?=
token: TERMINAL ?=
PYTEST_ARGS ?=
SRC_DIRS := $(wildcard libs/*/src services/*/src services/*/simulators)
SPACE := $(subst ,, )

.PHONY: help install up down run test test-faults check fmt bench token clean backup restore

help: ## list the targets
	@echo "Kokuho: make <target>"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | awk -F'\t' '{printf "  %-14s %s\n", $$1, $$2}'

install: ## install uv when missing (pip), then the Python workspace (uv sync; --frozen with uv.lock)
	@uv=$$($(LOCAL)/prereqs.sh uv) && \
	  if [ -f uv.lock ]; then "$$uv" sync --all-packages --frozen; else "$$uv" sync --all-packages; fi

up: ## start PostgreSQL and Kafka (idempotent; installs missing Java/Maven/PostgreSQL as root with apt)
	@$(LOCAL)/up.sh

down: ## stop the services, Kafka and PostgreSQL (data in .local/ is kept)
	@$(LOCAL)/down.sh

run: install up ## start everything: infrastructure, then every service (migrate, seed, serve)
	@$(LOCAL)/run.sh

test: install up ## run the test suite against the local infrastructure (extra args: PYTEST_ARGS=...)
	$(UV) run pytest $(PYTEST_ARGS)

test-faults: install up ## fault suite (ADR 0098): 20,000 commands while every process is killed; own PG + Kafka
	$(UV) run python -m tests.faults

check: ## lint, format check, type check
	uv run ruff check .
	uv run ruff format --check .
	MYPYPATH=$(subst $(SPACE),:,$(SRC_DIRS)) uv run mypy $(SRC_DIRS)

fmt: ## format the code and apply safe lint fixes
	uv run ruff check --fix .
	uv run ruff format .

bench: install up ## run the benchmarks (python -m bench)
	uv run python -m bench

backup: install ## dump every service database and the roles to .local/backups/<time>/ (ADR 0052)
	$(UV) run python deploy/local/backup.py backup

restore: install ## restore a backup: make restore BACKUP=.local/backups/<time> [REPLACE=1] (services stopped)
	@if [ -z "$(BACKUP)" ]; then echo "usage: make restore BACKUP=<dir> [REPLACE=1]" >&2; exit 2; fi
	$(UV) run python deploy/local/backup.py restore "$(BACKUP)" $(if $(REPLACE),--replace,)

token: ## mint a development token: make token USER=u1 ROLES=a,b TERMINAL=t1
	@if [ -z "$(ROLES)" ] || [ -z "$(TERMINAL)" ]; then \
	  echo "usage: make token USER=<user> ROLES=<role,role> TERMINAL=<terminal>" >&2; exit 2; fi
	uv run python -m kokuho.platform.token --user "$(USER)" --roles "$(ROLES)" --terminal "$(TERMINAL)"

clean: down ## stop everything and delete .local/ except the cached Kafka jars
	@find .local -mindepth 1 -maxdepth 1 ! -name kafka -exec rm -rf {} + 2>/dev/null || true
	@if [ -d .local/kafka ]; then find .local/kafka -mindepth 1 -maxdepth 1 ! -name libs -exec rm -rf {} +; fi
	@echo "removed .local/ (kept .local/kafka/libs, the Kafka jars; rm -rf .local to drop them too)"

# A new service from templates/service (docs/adding-a-service.md): templates/render.py writes its
# files and runs `uv lock`; then the workspace is synced so that it is installed (or, after
# delete-service, uninstalled) and deploy/k8s/generate.py writes (or removes) its k8s component.
.PHONY: new-service delete-service
new-service: install ## render a service from templates/service: make new-service NAME=<name>
	@if [ -z "$(NAME)" ]; then echo "usage: make new-service NAME=<name>" >&2; exit 2; fi
	@uv=$$($(LOCAL)/prereqs.sh uv) && UV="$$uv" python3 templates/render.py new "$(NAME)" && \
	  "$$uv" sync --all-packages --frozen && "$$uv" run python deploy/k8s/generate.py

delete-service: ## remove a rendered service and its edits: make delete-service NAME=<name>
	@if [ -z "$(NAME)" ]; then echo "usage: make delete-service NAME=<name>" >&2; exit 2; fi
	@if [ -f .local/run/$(NAME).pid ] && kill -0 "$$(cat .local/run/$(NAME).pid)" 2>/dev/null; then \
	  echo "$(NAME) is running (make run): stop it first with deploy/local/run.sh stop" >&2; exit 1; fi
	@uv=$$($(LOCAL)/prereqs.sh uv) && UV="$$uv" python3 templates/render.py delete "$(NAME)" && \
	  "$$uv" sync --all-packages --frozen && "$$uv" run python deploy/k8s/generate.py
