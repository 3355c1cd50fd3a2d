# Targets for developing, testing and running the system. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

## help: list every target with a line of text
help:
	@grep -hE '^## ' $(MAKEFILE_LIST) | sed -e 's/^## //' | awk '{ i = index($$0, ": "); printf "  %-16s %s\n", substr($$0, 1, i - 1), substr($$0, i + 2) }'

## install: install every workspace's dependencies exactly as locked (npm ci)
install:
	npm ci --no-audit --no-fund

## build: compile every service and the shared toolkit (tsc -b, strict)
build:
	npx tsc -b

## lint: eslint over the whole repository
lint:
	npx eslint .

## typecheck: type-check the tests, the test kit and the benchmark (tsc -b covers the services)
typecheck:
	npx tsc -p tsconfig.test.json

## setup: one-time machine set-up (Postgres check, Chromium, Caddy, FerretDB, Mailpit, validators); quick once done
setup:
	scripts/setup.sh

## dev: run every service natively in the foreground, on its default port, with one log stream
dev: build
	scripts/ensure-postgres.sh users
	scripts/build-tools.sh ferretdb mailpit jaeger >/dev/null
	node scripts/dev.mjs

## test: set up, install, build, type-check, lint, check the deployment files, run every test (the browser test too), then the containers
test: setup install build typecheck lint check-deploy
	npx vitest run
	tests/containers/run.sh

## e2e: the browser test alone: the whole system natively, every button clicked in Chromium
e2e: setup build
	npx vitest run tests/e2e

## screenshot: run the browser test and refresh the README's picture (docs/test-page.png)
screenshot: setup build
	UPDATE_SCREENSHOT=1 npx vitest run tests/e2e

## bench: throughput, latency and memory of every broker route, printed (not a test)
bench: setup build
	npx tsx tests/bench/broker.bench.ts

## screenshot_metrics: load the broker's routes natively with Prometheus scraping, and photograph its graph (docs/prometheus.png)
screenshot_metrics: setup build
	npx tsx tests/bench/prometheus-screenshot.ts

## test-containers: build every image with Docker, run the stack (make up) and the swarm (make swarm_up) for real and check them from outside
test-containers: setup
	tests/containers/run.sh

## bench_containers: load every broker route of the running stack (make up first) ~20 s each; memory from docker stats
bench_containers:
	npx tsx tests/bench/containers.bench.ts

## check-deploy: what the engine cannot tell, offline: compose, swarm and Kubernetes decoding, Caddyfiles, CI, each environment against its service's schema
check-deploy: setup
	project/checks/run.sh

## docs: regenerate docs/configuration.md's tables from the services' config schemas (make check-deploy checks them)
.PHONY: docs
docs: build
	npx tsx scripts/config-table.ts --write

# ---- Containers (Docker). The course's targets, run from the repository root. ----
# They go through offline/stack.sh, which makes sure a Docker engine answers (as root on
# Debian it installs and starts one), that the public images of the services it starts exist
# (pulled, or local stand-ins where no registry answers: offline/README.md), that builds reach
# npm, that the published ports are free, and that every container ends up healthy.
# Every service image is built from the one Dockerfile, its folder passed as SERVICE.

STACK = offline/stack.sh
# docker-compose (or docker compose) with the project's files and the Docker client that builds.
DC = $(STACK) compose
DOCKER = $(STACK) docker
# Image names are $(REGISTRY)/<service>:$(TAG), in compose, swarm and `make push` alike.
REGISTRY ?= go-micro
TAG ?= 1.0.0
STACK_NAME ?= go-micro
# Extra compose files for swarm_up, after project/swarm.yml (the container tests' own, for one).
SWARM_OVERRIDE ?=
export REGISTRY TAG COMPOSE_PROJECT_NAME
# Where the stack is published (project/README.md): these variables pass through to compose.
export PUBLISH_ADDR BROKER_PORT FRONT_END_PORT MAIL_UI_PORT RABBITMQ_UI_PORT BROKER_PUBLIC_URL
export CLIENT_PORTS POSTGRES_HOST_PORT MONGO_HOST_PORT AMQP_HOST_PORT SMTP_HOST_PORT HEALTH_TIMEOUT
export CADDY_HTTP_PORT CADDY_HTTPS_PORT
# make up COMPOSE_PROFILES=observability adds Prometheus and Jaeger (README: Metrics, Tracing)
# and points the services' tracing at that Jaeger; without the profile tracing is off.
# OTEL_EXPORTER_OTLP_ENDPOINT moves the collector, and set empty turns tracing off. Not `export`ed
# here: make would export them empty when unset, and an empty endpoint means no tracing. A
# variable given on make's command line or in the environment reaches docker-compose as it is.

## up: start every container in the background (building what is missing), wait until all are healthy
up:
	$(STACK) up

## up_build: stop the containers, rebuild every image, start them again and wait until healthy
up_build:
	$(STACK) up --build

## down: stop and remove the containers (named volumes keep the data)
down:
	$(STACK) down

## build_broker: build the broker-service image
build_broker:
	$(STACK) build broker-service

## build_auth: build the authentication-service image
build_auth:
	$(STACK) build authentication-service

## build_logger: build the logger-service image
build_logger:
	$(STACK) build logger-service

## build_listener: build the listener-service image
build_listener:
	$(STACK) build listener-service

## build_mail: build the mail-service image (compose service mailer-service)
build_mail:
	$(STACK) build mailer-service

## build_front: build the front-end image
build_front:
	$(STACK) build front-end

## build_caddy: build the Caddy images of swarm.yml and swarm.production.yml
build_caddy:
	offline/engine.sh ensure
	offline/images.sh ensure caddy
	$(DOCKER) build -f project/caddy.dockerfile -t $(REGISTRY)/micro-caddy:$(TAG) project
	$(DOCKER) build -f project/caddy.dockerfile --build-arg CADDYFILE=Caddyfile.production -t $(REGISTRY)/micro-caddy-production:$(TAG) project

## broker: rebuild the broker-service image and restart its container
broker: build_broker
	$(DC) up -d --no-deps broker-service

## auth: rebuild the authentication-service image and restart its container
auth: build_auth
	$(DC) up -d --no-deps authentication-service

## logger: rebuild the logger-service image and restart its container
logger: build_logger
	$(DC) up -d --no-deps logger-service

## listener: rebuild the listener-service image and restart its container
listener: build_listener
	$(DC) up -d --no-deps listener-service

## mail: rebuild the mail-service image and restart its container
mail: build_mail
	$(DC) up -d --no-deps mailer-service

## push: build every image and push it to REGISTRY for the swarm nodes to pull (e.g. REGISTRY=docker.io/you)
push: build_caddy
	$(STACK) build
	$(DC) push
	$(DOCKER) push $(REGISTRY)/micro-caddy:$(TAG)
	$(DOCKER) push $(REGISTRY)/micro-caddy-production:$(TAG)

## swarm_up: deploy project/swarm.yml as stack go-micro (after docker swarm init, make up_build and build_caddy)
swarm_up:
	offline/images.sh ensure swarm
	$(DOCKER) volume create caddy_data >/dev/null
	$(DOCKER) volume create caddy_config >/dev/null
	$(DOCKER) stack deploy -c project/swarm.yml $(foreach file,$(SWARM_OVERRIDE),-c $(file)) $(STACK_NAME)

## swarm_down: remove the go-micro stack from the swarm
swarm_down:
	$(DOCKER) stack rm $(STACK_NAME)

## standins: list the public images and whether each is real, a local stand-in or missing
standins:
	offline/images.sh list

## standins_remove: delete the local stand-ins, so that the next make up pulls the real images
standins_remove:
	offline/images.sh remove

## engine_stop: stop the Docker engine and the npm cache that make up started (nothing else)
engine_stop:
	offline/npm-cache.sh stop
	offline/engine.sh stop

# ---- The front end alone, natively, in the background (as the course's start/stop). ----
FRONT_PID := .cache/front-end.pid

## start: build and start the front end natively in the background on :8081 (log in .cache/front-end.log)
start:
	npx tsc -b front-end
	@mkdir -p .cache
	@if [ -f $(FRONT_PID) ] && kill -0 "$$(cat $(FRONT_PID))" 2>/dev/null; then \
		echo "front end already running (pid $$(cat $(FRONT_PID)))"; \
	else \
		nohup node front-end/dist/main.js >.cache/front-end.log 2>&1 & echo $$! >$(FRONT_PID); \
		echo "front end started (pid $$(cat $(FRONT_PID))): http://localhost:8081"; \
	fi

## stop: stop the front end started by make start
stop:
	@if [ -f $(FRONT_PID) ] && kill -0 "$$(cat $(FRONT_PID))" 2>/dev/null; then \
		kill -TERM "$$(cat $(FRONT_PID))" && echo "front end stopped"; \
	else \
		echo "front end not running"; \
	fi
	@rm -f $(FRONT_PID)

.PHONY: help setup install build lint typecheck dev test test-containers e2e screenshot bench bench_containers check-deploy up up_build down build_broker build_auth build_logger build_listener build_mail build_front build_caddy broker auth logger listener mail push swarm_up swarm_down standins standins_remove engine_stop start stop
