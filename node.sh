#!/bin/sh
# Starts node with the flags every service runs under, in its image, under `make dev` and in the
# tests: a script, since NODE_OPTIONS refuses these V8 flags and glibc reads its tunables at start.
# What each flag buys: docs/performance.md.
export NODE_OPTIONS="--max-semi-space-size=4 --v8-pool-size=1"
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072
exec node --heap-growing-percent=50 --liftoff-only --no-maglev "$@"
