# Sourced by scripts/build-tools.sh in tools/mailpit: defines how Mailpit is built.
#
# Mailpit's published module lacks its web UI bundle (server/ui/dist is built with
# npm and not committed), so a plain build would serve a blank page. Build the
# bundle from the module's own sources and lockfile, in a copy of the module that
# the Go build uses through a replace in a throwaway go.mod.
build_tool() {
  local out=$1 version src work
  version=$(awk '$1 == "github.com/axllent/mailpit" { print $2 } $1 == "require" && $2 == "github.com/axllent/mailpit" { print $3 }' go.mod)
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN

  command -v npm >/dev/null || { echo "npm is needed to build Mailpit's web UI" >&2; return 1; }
  src=$(go mod download github.com/axllent/mailpit && go list -m -f '{{.Dir}}' github.com/axllent/mailpit)
  cp -R "$src" "$work/mailpit"
  chmod -R u+w "$work/mailpit" # the module cache is read-only

  echo "build-tools: building Mailpit's web UI with npm (esbuild)" >&2
  # --ignore-scripts: esbuild finds its platform package without its install script.
  (cd "$work/mailpit" &&
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2 &&
    MINIFY=true node esbuild.config.mjs >&2) || return 1
  [[ -f "$work/mailpit/server/ui/dist/app.js" ]] || { echo "Mailpit's web UI bundle is missing" >&2; return 1; }
  rm -rf "$work/mailpit/node_modules"

  cp go.mod "$work/build.mod"
  cp go.sum "$work/build.sum"
  go mod edit -replace "github.com/axllent/mailpit=$work/mailpit" "$work/build.mod"
  go build -modfile="$work/build.mod" -trimpath -buildvcs=false \
    -ldflags "-X github.com/axllent/mailpit/config.Version=$version" -o "$out" .
}
