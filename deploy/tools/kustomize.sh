#!/usr/bin/env bash
# Print the path of the pinned kustomize, installing it into .local/bin first when it is missing
# (go install from the Go module proxy: a fresh clone needs only Go). tests/test_k8s_render.py
# calls it; so can you: "$(deploy/tools/kustomize.sh)" build deploy/k8s/overlays/production
set -euo pipefail
VERSION=v5.7.1
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/.local/bin"
exe="$bin/kustomize-$VERSION"
if [ ! -x "$exe" ]; then
  go=$(command -v go || true)
  [ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; } || true
  if [ -z "$go" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "kustomize $VERSION needs Go: installing golang-go with apt-get" >&2
    apt-get install -y -q golang-go >&2 || { apt-get update -q >&2 && apt-get install -y -q golang-go >&2; }
    go=$(command -v go || true)
  fi
  [ -n "$go" ] || { echo "kustomize $VERSION needs Go to install (go install); none found" >&2; exit 2; }
  mkdir -p "$bin"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  GOBIN="$tmp" GOFLAGS=-mod=mod "$go" install "sigs.k8s.io/kustomize/kustomize/v5@$VERSION" >&2
  mv "$tmp/kustomize" "$exe"
fi
echo "$exe"
