#!/usr/bin/env bash
# Release rehearsal: the unit tests of its checks, then a real `changeset version` + `changeset
# publish` to a throwaway Verdaccio on 127.0.0.1 from a temp copy of the repo, a consumer project
# installing every package from it, and a second (patch) release picked up by `npm update`.
# Nothing outside the OS temp dir is touched (no ~/.npmrc, no git state); the registry is stopped
# on exit. See CONTRIBUTING.md#releasing. Options: scripts/release/rehearse.mjs.
# Needs the npm registry (or npm's cache) for the consumer's third-party packages.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=env.sh
source scripts/env.sh
npx vitest run --config scripts/release/vitest.config.mjs
exec node scripts/release/rehearse.mjs "$@"
