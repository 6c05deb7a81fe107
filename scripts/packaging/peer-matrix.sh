#!/usr/bin/env bash
# `npm run matrix`: the peer dependency ranges, tested at both ends.
#  1. The adapter suites: each runs every test against the oldest and the newest supported peer,
#     installed side by side as aliases (describe.each): axios 1.8.4 (axios18) and 1.x latest,
#     ky 1.14 (ky1) and 2, got 14 (got14), 15 (got15) and 16, undici 7 (undici7) and 8; the Graph
#     v3 client 3.0.7 and Kiota.
#  2. scripts/packaging/matrix.mjs: every peer range is checked against those tested versions
#     (nothing older than the oldest tested, no untested major), then the packed packages are
#     installed into fresh projects with the oldest (including @microsoft/microsoft-graph-client
#     3.0.0) and with the newest tested peers, and the quick starts run there.
# Extra arguments go to matrix.mjs (--registry: also show each peer's latest published version).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=../env.sh
source scripts/env.sh
adapters=()
for dir in packages/*/; do
  # Public packages with peer dependencies are the adapters whose ranges need testing.
  if node -e 'const m=require(process.argv[1]);process.exit(!m.private&&m.peerDependencies?0:1)' "$root/${dir}package.json"; then
    adapters+=("--filter=$(node -p 'require(process.argv[1]).name' "$root/${dir}package.json")")
  fi
done
echo "Adapter suites (oldest and newest peers): ${adapters[*]}"
npx turbo run test "${adapters[@]}" --output-logs=errors-only
node scripts/packaging/matrix.mjs "$@"
