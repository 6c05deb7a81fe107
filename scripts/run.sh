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
    mkdir -p .tmp
    status=0
    npx turbo run build lint typecheck test --concurrency=2 --continue=dependencies-successful --output-logs=full |
      tee .tmp/test.log || status=$?
    if [ "$status" -eq 0 ]; then bash scripts/packaging-check.sh --skip-build || status=$?; fi
    # The packed packages on Node 22, Node 24, Bun and Deno (CONTRIBUTING.md#runtimes-node-22-node-24-bun-deno).
    if [ "$status" -eq 0 ]; then node scripts/runtimes/smoke.mjs || status=$?; fi
    # The release rehearsal on the same build (its unit tests' summary joins the count below).
    if [ "$status" -eq 0 ]; then
      bash scripts/release-rehearsal.sh --skip-build 2>&1 | tee -a .tmp/test.log || status=$?
    fi
    # One closing line over every package's vitest summary ("Tests  3 failed | 135 passed (138)").
    sed 's/\x1b\[[0-9;]*m//g' .tmp/test.log | node -e '
      let passed = 0, failed = 0
      for (const line of require("fs").readFileSync(0, "utf8").split("\n")) {
        const m = / Tests +(?:(\d+) failed \| )?(\d+) passed/.exec(line)
        if (m) { failed += Number(m[1] ?? 0); passed += Number(m[2]) }
      }
      console.log(`tests: ${passed} passed, ${failed} failed`)'
    exit "$status"
    ;;
  *) echo "usage: scripts/run.sh demo|test" >&2; exit 2 ;;
esac
