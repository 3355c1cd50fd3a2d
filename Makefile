# Targets for developing, testing and running the system. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

## help: list every target with a line of text
help:
	@grep -hE '^## ' $(MAKEFILE_LIST) | sed -e 's/^## //' | awk -F': ' '{ printf "  %-14s %s\n", $$1, $$2 }'

## install: install every workspace's dependencies exactly as locked (npm ci)
install:
	npm ci --no-audit --no-fund

## build: compile every service and the shared toolkit (tsc -b, strict)
build:
	npx tsc -b

## lint: eslint over the whole repository
lint:
	npx eslint .

## dev: run every service natively in the foreground, on its default port, with one log stream
dev: build
	scripts/ensure-postgres.sh users
	node scripts/dev.mjs

## test: install, build, type-check, lint, bring up what the tests need, run every test
test: install build lint
	scripts/ensure-postgres.sh postgres
	npx vitest run

.PHONY: help install build lint dev test
