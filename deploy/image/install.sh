#!/usr/bin/env bash
# Install one service as its image holds it: the locked, non-editable wheels into a fresh virtual
# environment, and the service's migrations where its installed `migrate` command looks for them
# (asked of the installed code itself, so the two cannot drift apart again: issue 17).
#
#   deploy/image/install.sh <service> <venv>      (from the repository root; needs uv)
#
# deploy/Dockerfile runs it; tests/test_k8s_image_layout.py runs it and then `migrate` from the
# environment against the local PostgreSQL.
set -euo pipefail
service=${1:?usage: install.sh <service> <venv>}
venv=${2:?usage: install.sh <service> <venv>}
uv=${UV:-uv}
[ -d "services/$service/migrations" ] || { echo "no services/$service/migrations here" >&2; exit 2; }

requirements=$(mktemp)
trap 'rm -f "$requirements"' EXIT
"$uv" export --frozen --no-dev --no-editable --no-hashes --package "kokuho-$service" \
  -o "$requirements" >/dev/null
"$uv" venv --quiet --python "${PYTHON:-python3}" "$venv"
"$uv" pip install --quiet --python "$venv/bin/python" -r "$requirements"

module="kokuho.${service//-/_}.__main__"
target=$("$venv/bin/python" - "$module" <<'PY'
import importlib, sys
main = importlib.import_module(sys.argv[1])
definition = main.DEFINITION if hasattr(main, "DEFINITION") else main.definition()
print(definition.migrations)
PY
)
case "$target" in
  "$(cd "$venv" && pwd)"/*) ;;
  *) echo "the installed service looks for its migrations outside $venv: $target" >&2; exit 1 ;;
esac
mkdir -p "$target"
cp "services/$service/migrations/"*.sql "$target/"
echo "$service installed in $venv; migrations in $target"
