# Sourced by scripts/build-tools.sh in tools/mailpit: defines how Mailpit is built.
#
# Mailpit's published module lacks its web UI bundle (server/ui/dist is built with
# npm and not committed), so a plain build would serve a blank page. Build the
# bundle from the module's own sources and lockfile, in a copy of the module.
build_tool() {
  local version
  version=$(pinned_version github.com/axllent/mailpit)
  command -v npm >/dev/null || { echo "npm is needed to build Mailpit's web UI" >&2; return 1; }
  copy_module github.com/axllent/mailpit

  echo "build-tools: building Mailpit's web UI with npm (esbuild)" >&2
  # --ignore-scripts: esbuild finds its platform package without its install script.
  (cd "$work/src" &&
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2 &&
    MINIFY=true node esbuild.config.mjs >&2) || return 1
  [[ -f "$work/src/server/ui/dist/app.js" ]] || { echo "Mailpit's web UI bundle is missing" >&2; return 1; }
  rm -rf "$work/src/node_modules"

  build_copied . "$1" -ldflags "-X github.com/axllent/mailpit/config.Version=$version"
}
