#!/usr/bin/env bash
# Print the path of the pinned promtool, installing it into .local/bin first when it is missing
# (go install of Prometheus's own cmd/promtool from the Go module proxy: a fresh clone needs only
# Go; the first build takes several minutes). tests/test_observability.py calls it; so can you:
#   "$(deploy/tools/promtool.sh)" check rules deploy/observability/alerts.yaml
set -euo pipefail
# Prometheus v3.x is published on the Go module proxy as v0.3xx.y (v0.316.0 is Prometheus 3.16.0).
VERSION=v0.316.0
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/.local/bin"
exe="$bin/promtool-$VERSION"
if [ ! -x "$exe" ]; then
  go=$(command -v go || true)
  [ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; } || true
  if [ -z "$go" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "promtool $VERSION needs Go: installing golang-go with apt-get" >&2
    apt-get install -y -q golang-go >&2 || { apt-get update -q >&2 && apt-get install -y -q golang-go >&2; }
    go=$(command -v go || true)
  fi
  [ -n "$go" ] || { echo "promtool $VERSION needs Go to install (go install); none found" >&2; exit 2; }
  mkdir -p "$bin"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "installing promtool $VERSION with go install (once; several minutes)" >&2
  # remove_all_sd: without the cloud service-discovery plugins (half the build); checking and
  # testing rules does not use them.
  GOBIN="$tmp" GOFLAGS=-mod=mod "$go" install -tags remove_all_sd \
    "github.com/prometheus/prometheus/cmd/promtool@$VERSION" >&2
  mv "$tmp/promtool" "$exe"
fi
echo "$exe"
