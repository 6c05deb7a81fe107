#!/usr/bin/env bash
# The two commands of the README go through here, so they work right after cloning:
#   npm start  -> scripts/run.sh demo [args]
#   npm test   -> scripts/run.sh test
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=env.sh
source scripts/env.sh
if [ ! -d node_modules/.bin ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
cmd="${1:-test}"; shift || true
case "$cmd" in
  demo)
    npx turbo run build --filter=@apptoken/demo... --output-logs=errors-only >&2
    exec node apps/demo/dist/main.js "$@" ;;
  test)
    npx turbo run build lint typecheck test --continue=dependencies-successful --output-logs=new-only
    bash scripts/packaging-check.sh
    ;;
  *) echo "usage: scripts/run.sh demo|test" >&2; exit 2 ;;
esac
