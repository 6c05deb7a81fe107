#!/usr/bin/env bash
# The two commands of the README go through here, so they work right after cloning:
#   npm start  -> scripts/run.sh demo [args]
#   npm test   -> scripts/run.sh test
set -euo pipefail
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
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
    mkdir -p .tmp
    echo "apptoken: building the demo and the packages it uses..." >&2
    npx turbo run build --filter=@apptoken/demo... --output-logs=errors-only >.tmp/demo-build.log 2>&1 ||
      { cat .tmp/demo-build.log >&2; exit 1; }
    exec node apps/demo/dist/main.js "$@" ;;
  test)
    # Two cores: more parallel vitest/tsc processes only thrash and push tests past their timeouts.
    npx turbo run build lint typecheck test --concurrency=2 --continue=dependencies-successful --output-logs=new-only
    bash scripts/packaging-check.sh --skip-build
    ;;
  *) echo "usage: scripts/run.sh demo|test" >&2; exit 2 ;;
esac
