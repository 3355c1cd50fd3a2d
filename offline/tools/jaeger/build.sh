# Sourced by scripts/build-tools.sh in tools/jaeger: defines how Jaeger is built.
#
# The newest Jaeger the module proxy serves (v1.76.0, released as v2.13.0) needs
# OpenTelemetry Collector modules at versions the proxy does not serve: go.mod takes
# the served ones, and jaeger.patch adapts Jaeger to their API (and adds
# GO_MICRO_EXIT_ON_STDIN_EOF). See tools/README.md.
build_tool() {
  local version patch=$PWD/jaeger.patch
  version=$(pinned_version github.com/jaegertracing/jaeger)
  copy_module github.com/jaegertracing/jaeger
  (cd "$work/src" && git init -q && git apply "$patch") ||
    { echo "tools/jaeger/jaeger.patch does not apply to Jaeger $version" >&2; return 1; }
  build_copied github.com/jaegertracing/jaeger/cmd/jaeger "$1" \
    -ldflags "-X github.com/jaegertracing/jaeger/internal/version.latestVersion=$version+go-micro-ts"
}
