// The release rehearsal's verdicts, as pure functions over manifests, `npm view --json` output,
// changesets and changelogs: each returns a list of messages that name the package and what is
// wrong (empty = fine), so they are unit-tested on crafted input (test/checks.test.mjs) and the
// rehearsal only gathers the data.
import { isDeepStrictEqual } from 'node:util'
import { rootRequire } from '../packaging/lib.mjs'

const semver = rootRequire('semver')

/** Fields a user's tooling reads from the registry; each must be published as the repo has it. */
export const PUBLISHED_FIELDS = ['exports', 'engines', 'license', 'repository', 'peerDependencies']

/**
 * Every public package must be in one `fixed` group of .changeset/config.json, all in the same one:
 * the adapters are tested against one core version and released in lockstep.
 * @param {{ fixed?: string[][] }} config .changeset/config.json
 * @param {string[]} names the public packages
 * @returns {string[]}
 */
export function checkFixedGroup(config, names) {
  const groups = Array.isArray(config.fixed) ? config.fixed : []
  const groupOf = (name) => groups.findIndex((group) => group.some((pattern) => matches(pattern, name)))
  const problems = []
  const found = new Set()
  for (const name of names) {
    const index = groupOf(name)
    if (index === -1) {
      problems.push(
        `${name} is not in the "fixed" group of .changeset/config.json: it would be versioned on its own, out of lockstep with @apptoken/core (add it to the group, or use the "@apptoken/*" pattern)`,
      )
    } else found.add(index)
  }
  if (found.size > 1) {
    const listing = [...found].map((i) => JSON.stringify(groups[i])).join(' and ')
    problems.push(`the public packages are split over ${found.size} "fixed" groups (${listing}): use one`)
  }
  return problems
}

/** Changesets' package patterns: an exact name, or a glob with `*` (as in "@apptoken/*"). */
function matches(pattern, name) {
  if (!pattern.includes('*')) return pattern === name
  const re = pattern.replace(/[.+?^${}()|[\]\\/]/g, '\\$&').replaceAll('*', '[^/]*')
  return new RegExp(`^${re}$`).test(name)
}

/**
 * What `npm view <name>@<version> --json` shows must be what the repo's package.json says, at the
 * release's version, with peer ranges that admit every client version the tests run against.
 * @param {{ name: string, version: string, view: Record<string, any> | undefined,
 *   manifest: Record<string, any>, tested: Record<string, string[]> }} input
 *   manifest = the package.json that was published (after `changeset version`);
 *   tested = peer -> the versions the suites and the consumer test install
 * @returns {string[]}
 */
export function checkPublished({ name, version, view, manifest, tested }) {
  if (view === undefined || view === null)
    return [`${name}@${version} is not in the registry (npm view found nothing): was it published?`]
  const problems = []
  const at = `${name}@${version}`
  if (view.version !== version)
    problems.push(`${name}: the registry serves ${view.version}, expected ${version}`)
  if (view['dist-tags']?.latest !== version)
    problems.push(`${name}: dist-tag "latest" is ${view['dist-tags']?.latest}, expected ${version}`)
  for (const field of PUBLISHED_FIELDS) {
    if (manifest[field] === undefined && view[field] === undefined) {
      if (field !== 'peerDependencies') problems.push(`${at} has no "${field}" (nor does its package.json)`)
    } else if (view[field] === undefined) problems.push(`${at} was published without "${field}"`)
    else if (!isDeepStrictEqual(view[field], manifest[field]))
      problems.push(
        `${at} "${field}" is ${JSON.stringify(view[field])} in the registry but ${JSON.stringify(manifest[field])} in package.json`,
      )
  }
  for (const [peer, range] of Object.entries(view.peerDependencies ?? {})) {
    if (semver.validRange(range) === null) {
      problems.push(`${at} peerDependencies.${peer} "${range}" is not a valid range`)
      continue
    }
    const excluded = (tested[peer] ?? []).filter(
      (v) => !semver.satisfies(v, range, { includePrerelease: true }),
    )
    if (excluded.length > 0)
      problems.push(
        `${at} peerDependencies.${peer} "${range}" excludes ${peer} ${excluded.join(', ')}, which the tests run against: users on it get a peer conflict`,
      )
  }
  for (const [dep, spec] of Object.entries(view.dependencies ?? {})) {
    if (dep.startsWith('@apptoken/') && spec !== version)
      problems.push(`${at} depends on ${dep}@${spec}, not the lockstep version ${version}`)
  }
  return problems
}

/**
 * The fixed group as the registry serves it: every package at one version.
 * @param {{ name: string, version: string | undefined }[]} published name -> latest version served
 * @param {string} expected
 * @returns {string[]}
 */
export function checkSameVersion(published, expected) {
  return published
    .filter((p) => p.version !== expected)
    .map(
      (p) =>
        `${p.name} is at ${p.version ?? '(nothing)'} in the registry, not ${expected} like the rest of the fixed group`,
    )
}

/**
 * The installed package (what a user's node_modules holds) has every file its `exports` names;
 * a `files` list that drops `dist/` ships a manifest pointing at nothing.
 * @param {string} name
 * @param {Record<string, any>} manifest the installed package.json
 * @param {string[]} files paths inside the installed package, '/'-separated
 * @returns {string[]}
 */
export function checkShippedFiles(name, manifest, files) {
  const have = new Set(files)
  const missing = [...new Set(exportTargets(manifest.exports))]
    .map((target) => target.replace(/^\.\//, ''))
    .filter((target) => !have.has(target))
  if (missing.length === 0) return []
  const shipsDist = files.some((f) => f.startsWith('dist/'))
  const why = shipsDist
    ? 'its build is incomplete'
    : `its package.json "files" (${JSON.stringify(manifest.files)}) does not ship dist/`
  return [
    `${name}@${manifest.version} as installed has no ${missing.join(', ')} (named by "exports"): ${why}`,
  ]
}

function exportTargets(exports) {
  if (typeof exports === 'string') return [exports]
  if (exports === null || typeof exports !== 'object') return []
  return Object.values(exports).flatMap(exportTargets)
}

/**
 * A changeset file: front matter of `"<package>": major|minor|patch` lines, then the summary.
 * @param {string} text
 * @returns {{ releases: { name: string, type: string }[], summary: string }}
 */
export function parseChangeset(text) {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text.trimStart())
  if (match === null) return { releases: [], summary: text.trim() }
  const releases = []
  for (const line of match[1].split('\n')) {
    const release = /^\s*["']?([^"':]+)["']?\s*:\s*(major|minor|patch|none)\s*$/.exec(line)
    if (release !== null) releases.push({ name: release[1], type: release[2] })
  }
  return { releases, summary: match[2].trim() }
}

/**
 * After `changeset version`: the package's CHANGELOG.md has a section for `version` holding the
 * first line of every changeset that names the package.
 * @param {string} name
 * @param {string | undefined} changelog CHANGELOG.md text
 * @param {string} version
 * @param {string[]} summaries
 * @returns {string[]}
 */
export function checkChangelog(name, changelog, version, summaries) {
  if (changelog === undefined) return [`${name} has no CHANGELOG.md`]
  const lines = changelog.split('\n')
  const start = lines.findIndex((l) => new RegExp(`^## ${version.replaceAll('.', '\\.')}\\s*$`).test(l))
  if (start === -1) return [`${name}: CHANGELOG.md has no "## ${version}" section`]
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l))
  const section = lines.slice(start, end === -1 ? undefined : end).join('\n')
  return summaries
    .map((summary) => summary.split('\n')[0].trim())
    .filter((first) => !section.includes(first))
    .map((first) => `${name}: CHANGELOG.md "## ${version}" lacks the changeset entry "${first.slice(0, 80)}"`)
}

/**
 * The consumer's package-lock.json after install/update: every copy of every @apptoken package
 * (top level and nested) is at `version`, so one core is loaded and the upgrade reached all, and
 * is the tarball the rehearsal registry serves (its integrity, from `npm view`), not another one.
 * @param {{ packages?: Record<string, { version?: string, integrity?: string }> }} lock
 * @param {Record<string, string | undefined>} integrity name -> dist.integrity of `version`
 * @param {string} version
 * @returns {string[]}
 */
export function checkInstalledVersions(lock, integrity, version) {
  const problems = []
  const entries = Object.entries(lock.packages ?? {})
  for (const [name, expected] of Object.entries(integrity)) {
    const copies = entries.filter(
      ([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`),
    )
    if (copies.length === 0) problems.push(`${name} is not installed in the consumer project`)
    for (const [path, entry] of copies) {
      if (entry.version !== version) problems.push(`${path} is ${entry.version}, expected ${version}`)
      else if (expected !== undefined && entry.integrity !== expected)
        problems.push(`${path} ${version} is not the tarball the registry serves (integrity differs)`)
    }
  }
  return problems
}
