#!/usr/bin/env bash
# Checks the packages as users get them: packs every public package and runs publint --strict,
# are-the-types-wrong (ESM-only profile), the manifest/peer-range checks, the consumer test
# (fresh projects outside the workspace: ESM, CommonJS require(esm), TypeScript nodenext) and
# typedoc --treatWarningsAsErrors. See CONTRIBUTING.md#packaging. Options: scripts/packaging/check.mjs.
# Needs the npm registry (or npm's cache) for the consumer projects' third-party dependencies.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=env.sh
source scripts/env.sh
exec node scripts/packaging/check.mjs "$@"
