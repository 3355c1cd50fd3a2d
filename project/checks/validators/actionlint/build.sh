# Sourced by scripts/build-tools.sh in project/checks/validators/actionlint: actionlint comes whole from its module (the `tool` line of go.mod).
build_tool() { go build -trimpath -buildvcs=false -o "$1" github.com/rhysd/actionlint/cmd/actionlint; }
