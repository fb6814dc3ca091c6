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
  command -v go >/dev/null || { echo "kustomize $VERSION needs Go to install (go install)" >&2; exit 2; }
  mkdir -p "$bin"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  GOBIN="$tmp" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$VERSION" >&2
  mv "$tmp/kustomize" "$exe"
fi
echo "$exe"
