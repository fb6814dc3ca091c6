#!/usr/bin/env bash
# Installs the pinned AsyncAPI parser into .local/asyncapi (ignored by git) with `npm ci` from
# this directory's package-lock.json; a no-op when the installed lock is the same.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${ASYNCAPI_TOOLS_DIR:-$here/../../.local/asyncapi}"
mkdir -p "$target"
if ! cmp -s "$here/package-lock.json" "$target/package-lock.json" || [ ! -d "$target/node_modules" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$target/"
  (cd "$target" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
cp "$here/validate.mjs" "$target/validate.mjs"
