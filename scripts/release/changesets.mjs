// What the release job runs, in the temp copy: `changeset version` (consumes .changeset/*.md,
// bumps the fixed group, writes CHANGELOG.md) and `changeset publish` (npm publish of every
// package whose version the registry lacks, then git tags). Plus reading the pending changesets
// and what `changeset version` produced, for the checks.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BIN, run } from '../packaging/lib.mjs'
import { checkChangelog, parseChangeset } from './checks.mjs'
import { commitAll } from './workspace-copy.mjs'

/**
 * The pending changesets of the temp copy: package name -> summaries naming it.
 * @param {string} repo
 * @returns {Map<string, string[]>}
 */
export function pendingChangesets(repo) {
  const byPackage = new Map()
  for (const file of changesetFiles(repo)) {
    const { releases, summary } = parseChangeset(readFileSync(file, 'utf8'))
    for (const { name, type } of releases) {
      if (type === 'none') continue
      byPackage.set(name, [...(byPackage.get(name) ?? []), summary])
    }
  }
  return byPackage
}

function changesetFiles(repo) {
  const dir = join(repo, '.changeset')
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((f) => join(dir, f))
}

/** Adds a changeset to the temp copy (and commits it, as a merged PR would). */
export async function addChangeset(repo, file, releases, summary) {
  const front = Object.entries(releases)
    .map(([name, type]) => `'${name}': ${type}`)
    .join('\n')
  await writeFile(join(repo, '.changeset', file), `---\n${front}\n---\n\n${summary}\n`)
  await commitAll(repo, `changeset: ${file}`)
}

/**
 * `changeset version`, then the CHANGELOG check for each package, then a commit ("Version
 * Packages", as the release PR would be).
 * @param {string} repo
 * @param {import('../packaging/lib.mjs').PublicPackage[]} packages
 * @param {Record<string, string>} env
 * @returns {Promise<{ ok: boolean, skipped: boolean, ms: number, output: string, versions: Map<string, string>,
 *   manifests: Map<string, Record<string, any>>, problems: string[] }>}
 */
export async function versionPackages(repo, packages, env) {
  const pending = pendingChangesets(repo)
  // After a "Version Packages" commit (npm run release) nothing is pending: `changeset version`
  // would exit 1, and the versions in package.json are the ones to publish.
  const skipped = changesetFiles(repo).length === 0
  const result = skipped
    ? { code: 0, ms: 0, output: '' }
    : await run(join(BIN, 'changeset'), ['version'], { cwd: repo, env })
  const versions = new Map()
  const manifests = new Map()
  const problems = []
  for (const pkg of packages) {
    const dir = join(repo, 'packages', pkg.folder)
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    manifests.set(pkg.name, manifest)
    versions.set(pkg.name, manifest.version)
    const changelog = existsSync(join(dir, 'CHANGELOG.md'))
      ? readFileSync(join(dir, 'CHANGELOG.md'), 'utf8')
      : undefined
    if (result.code === 0)
      problems.push(...checkChangelog(pkg.name, changelog, manifest.version, pending.get(pkg.name) ?? []))
  }
  if (result.code === 0 && !skipped) await commitAll(repo, 'Version Packages')
  return {
    ok: result.code === 0,
    skipped,
    ms: result.ms,
    output: result.output,
    versions,
    manifests,
    problems,
  }
}

/**
 * `changeset publish` to the registry the env's userconfig names; lists the git tags it made.
 * @param {string} repo
 * @param {Record<string, string>} env
 */
export async function publishPackages(repo, env) {
  const result = await run(join(BIN, 'changeset'), ['publish'], { cwd: repo, env, timeoutMs: 300_000 })
  const tags = await run('git', ['tag', '--list', '--points-at', 'HEAD'], { cwd: repo, env })
  return {
    ok: result.code === 0,
    ms: result.ms,
    output: result.output,
    tags: tags.output.split('\n').filter(Boolean),
  }
}
