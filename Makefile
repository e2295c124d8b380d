# Trellis developer tasks. Run `make` (or `make help`) to list them.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:
MAKEFLAGS += --no-print-directory
# SwiftPM writes package-trait flags in a random order unless hashing is deterministic, which
# makes about half of all builds recompile Hummingbird (DESIGN.md, toolchain facts).
export SWIFT_DETERMINISTIC_HASHING := 1

# Always build with exactly these flags so every target shares one build plan.
SWIFT_BUILD := swift build --build-tests
# generate and check build only the CLI (the app does not compile while a migration is missing),
# in a build folder of its own so switching between them and the test build recompiles nothing.
CLI_BUILD   := swift build --product TrellisCLI --scratch-path .build-cli
CLI         := .build-cli/debug/TrellisCLI
BIN         := .build/debug
TRELLIS     := $(BIN)/TrellisCLI
SERVER      := $(BIN)/Server
DB          := scripts/db.sh
VALIDATOR   := $(CURDIR)/.venv/bin/openapi-spec-validator
OPENAPI     := generated/openapi.yaml
# The kitchen sink: every spec feature, a Trellis project of its own that the test build compiles.
KITCHEN_SINK := --specs Tests/KitchenSink/specs --templates Tests/KitchenSink/templates --output Tests/KitchenSink/generated
PORT        ?= 8080
EMAIL       ?= owner@acme.test
# Development only: `make run` and `make token` sign tokens with this key. Production sets its own.
DEV_JWT_SECRET := trellis-development-secret-do-not-use-in-production
BENCH_PORT  ?= 8089
SOAK_PORT   ?= 8090
# soak (and run's release users) build into RELEASE_PATH; bench keeps its own, .build-bench (see below).
RELEASE_PATH  ?= .build
RELEASE_BUILD := swift build -c release --product Server --scratch-path $(RELEASE_PATH)

.PHONY: help setup build generate check lint format run token test bench soak \
        db.start db.stop db.reset db.url db.psql clean

help: ## List the targets
	@echo "Usage: make <target> [PORT=8080]"
	@echo
	@grep -hE '^[a-zA-Z0-9_.-]+:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "} {printf "  %-15s %s\n", $$1, $$2}'

setup: ## Install system packages and the Python venv (.venv) if missing
	@scripts/setup.sh

build: ## Build everything, tests included (swift build --build-tests)
	$(SWIFT_BUILD)

generate: ## Write the migration for spec changes and regenerate generated/ (ARGS=--allow-destructive)
	$(CLI_BUILD)
	$(CLI) embed-templates
	$(CLI_BUILD)
	$(CLI) generate $(ARGS)
	$(CLI) generate $(KITCHEN_SINK) $(ARGS)

check: setup ## Fail if a migration is missing or edited or generated/ is stale; validate the OpenAPI document
	$(CLI_BUILD)
	$(CLI) embed-templates --check
	$(CLI) check
	$(CLI) check $(KITCHEN_SINK)
	$(VALIDATOR) $(OPENAPI)
	$(VALIDATOR) Tests/KitchenSink/generated/openapi.yaml

lint: ## Lint the specs
	$(CLI_BUILD)
	$(CLI) lint
	$(CLI) lint --specs Tests/KitchenSink/specs

format: ## Format Swift sources with swift format (skipped if unavailable)
	@if swift format --version >/dev/null 2>&1; then \
		swift format --in-place --recursive Sources Tests Plugins $(wildcard specs/*.swift); \
	else \
		echo "swift format is unavailable; skipping"; \
	fi

run: setup build db.start ## Migrate, seed and serve on PORT (default 8080)
	DATABASE_URL="$$($(DB) url)" $(SERVER) migrate
	DATABASE_URL="$$($(DB) url)" $(SERVER) seed
	DATABASE_URL="$$($(DB) url)" JWT_SECRET="$(DEV_JWT_SECRET)" TRELLIS_ENV=development exec $(SERVER) serve --port $(PORT)

.PHONY: migrate migrate.status
migrate: setup build db.start ## Apply pending migrations to the development database
	DATABASE_URL="$$($(DB) url)" $(SERVER) migrate

migrate.status: setup build db.start ## List applied and pending migrations; fails while any is pending
	DATABASE_URL="$$($(DB) url)" $(SERVER) migrate status

token: ## Print an access token for a seeded user (EMAIL=owner@acme.test); progress goes to stderr
	@$(SWIFT_BUILD) >&2
	@$(DB) start >&2
	@DATABASE_URL="$$($(DB) url)" JWT_SECRET="$(DEV_JWT_SECRET)" $(SERVER) token --email $(EMAIL)

test: setup build db.start ## Run the tests against the test database, validate the OpenAPI document
	DATABASE_URL="$$($(DB) test-url)" TRELLIS_OPENAPI_VALIDATOR="$(VALIDATOR)" \
		swift test --skip-build --disable-xctest
	$(VALIDATOR) $(OPENAPI)

# bench: Trellis vs the hand-written peer vs pgbench (Benchmarks/README.md). Every build runs under
# nice and in a folder of its own, so that it never locks .build: the release server in
# .build-bench (RELEASE_PATH on the command line still wins), the peer in its package's .build,
# the debug generator in .build-bench-cli.
bench: RELEASE_PATH = .build-bench
BENCH_PEER      := Benchmarks/peers/hummingbird-postgres
BENCH_CLI_PATH  := .build-bench-cli
BENCH_PEER_PORT ?= 8091

bench: setup ## Trellis vs a hand-written peer vs pgbench, one table in Benchmarks/results/ (BENCH_BUILD=1: also a rebuild)
	nice -n 10 swift build -c release --product Server --scratch-path $(RELEASE_PATH)
	nice -n 10 swift build -c release --package-path $(BENCH_PEER)
	nice -n 10 swift build --product TrellisCLI --scratch-path $(BENCH_CLI_PATH)
	@$(DB) start
	BENCH_PORT=$(BENCH_PORT) BENCH_PEER_PORT=$(BENCH_PEER_PORT) SERVER_BIN=$(RELEASE_PATH)/release/Server \
		PEER_BIN=$(BENCH_PEER)/.build/release/BenchPeer TRELLIS_CLI=$(BENCH_CLI_PATH)/debug/TrellisCLI scripts/bench.sh

soak: setup ## Fail if a release server's memory grows under 10 min at 80% of peak (SOAK_MINUTES, SOAK_PORT)
	$(RELEASE_BUILD)
	@$(DB) start
	SOAK_PORT=$(SOAK_PORT) SERVER_BIN=$(RELEASE_PATH)/release/Server scripts/soak.sh

db.start: ## Start the local PostgreSQL (creates it on first use)
	@$(DB) start

db.stop: ## Stop the local PostgreSQL
	@$(DB) stop

db.reset: ## Drop and recreate the development database
	@$(DB) reset

db.url: ## Print the development database URL
	@$(DB) url

db.psql: ## Open psql on the development database
	@$(DB) psql

clean: ## Remove build products (.build, .build-cli)
	rm -rf .build .build-cli
