#!/usr/bin/env bash
# Installs the pinned CloudNativePG API model (@kubernetes-models/cloudnative-pg, from npm) into
# .local/cnpg-model (ignored by git) with `npm ci` from this directory's package-lock.json; a
# no-op when the installed lock is the same. Prints the directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${CNPG_MODEL_DIR:-$here/../../../.local/cnpg-model}"
mkdir -p "$target"
if ! cmp -s "$here/package-lock.json" "$target/package-lock.json" || [ ! -d "$target/node_modules" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$target/"
  (cd "$target" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
fi
cp "$here/validate.mjs" "$target/validate.mjs"
cd "$target" && pwd
