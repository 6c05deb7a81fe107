#!/usr/bin/env bash
# `npm run release`: publish the versions `changeset version` wrote (merged "Version Packages"
# commit) to npmjs with provenance. Run by the release workflow (GitHub Actions with
# `permissions: id-token: write`, so npm can sign the provenance statement), with NPM_TOKEN set
# to an npm automation (or granular, publish-rights) token for the @apptoken scope.
# Steps: build, packaging check, release rehearsal (the same versions through a local registry),
# then `changeset publish` (npm publish --provenance of each package the registry lacks, git tags).
# The token goes into a temp userconfig for this run only; ~/.npmrc is not read or written.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=env.sh
source scripts/env.sh
if [ -z "${NPM_TOKEN:-}" ]; then
  echo "npm run release: NPM_TOKEN is not set (an npm token allowed to publish @apptoken/*)" >&2
  exit 1
fi
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
npx turbo run build --output-logs=errors-only
bash scripts/packaging-check.sh --skip-build
bash scripts/release-rehearsal.sh --skip-build
userconfig="$(mktemp)"
trap 'rm -f "$userconfig"' EXIT
# Written literally: npm expands ${NPM_TOKEN} from the environment when it reads the file.
printf '%s\n' 'registry=https://registry.npmjs.org/' '//registry.npmjs.org/:_authToken=${NPM_TOKEN}' >"$userconfig"
NPM_CONFIG_USERCONFIG="$userconfig" NPM_CONFIG_PROVENANCE=true npx changeset publish
echo "npm run release: published; push the tags: git push --follow-tags" >&2
