// One release as the release job makes it, in the temp copy: `changeset version`, the fixed
// group and CHANGELOG checks, `changeset publish` (and its git tags), then `npm view` of every
// package from the registry, checked against the package.json it was published from.
import { run } from '../packaging/lib.mjs'
import { publishPackages, versionPackages } from './changesets.mjs'
import { checkPublished, checkSameVersion } from './checks.mjs'
import { heading, problemList, report } from './report.mjs'

/**
 * @param {{ title: string, repo: string, packages: import('../packaging/lib.mjs').PublicPackage[],
 *   peers: import('../packaging/peer-ranges.mjs').PeerReport[], env: Record<string, string> }} options
 *   env = the children's environment, whose NPM_CONFIG_USERCONFIG names the registry and token
 * @returns {Promise<{ version: string, integrity: Record<string, string | undefined> } | undefined>}
 *   the released version and each package's dist.integrity; undefined when a step failed (reported)
 */
export async function releaseCycle({ title, repo, packages, peers, env }) {
  heading(title)
  const versioned = await versionPackages(repo, packages, env)
  const versionName = versioned.skipped
    ? 'changeset version: no pending changesets, the versions in package.json are released as they are'
    : 'changeset version'
  if (!report(versionName, versioned.ok, versioned.ms, versioned.output)) return undefined
  const version = versioned.versions.get('@apptoken/core') ?? [...versioned.versions.values()][0]
  const listed = [...versioned.versions].map(([name, v]) => ({ name, version: v }))
  const spread = checkSameVersion(listed, version)
  if (!report(`every package.json at ${version} (fixed group)`, spread.length === 0, 0, problemList(spread)))
    return undefined
  const changelogs = versioned.problems
  const entries = 'CHANGELOG.md of each package has its changesets under the new version'
  if (!report(entries, changelogs.length === 0, 0, problemList(changelogs))) return undefined

  const published = await publishPackages(repo, env)
  const missingTags = packages
    .map((p) => `${p.name}@${version}`)
    .filter((tag) => !published.tags.includes(tag))
  const publishOk = published.ok && missingTags.length === 0
  const tagNote = missingTags.length > 0 ? `\nmissing git tags: ${missingTags.join(', ')}` : ''
  const publishName = `changeset publish (${packages.length} packages, git tags ${packages[0].name}@${version}...)`
  if (!report(publishName, publishOk, published.ms, `${published.output}${tagNote}`)) return undefined

  const t0 = performance.now()
  const views = await Promise.all(
    packages.map(async (pkg) => {
      const result = await run('npm', ['view', `${pkg.name}@${version}`, '--json'], { env })
      const view = result.code === 0 && result.output.trim() !== '' ? JSON.parse(result.output) : undefined
      const tested = Object.fromEntries(
        peers.filter((r) => r.pkg === pkg.name).map((r) => [r.peer, r.tested]),
      )
      return { name: pkg.name, view, manifest: versioned.manifests.get(pkg.name), tested }
    }),
  )
  const problems = views.flatMap((v) => checkPublished({ ...v, version }))
  const latest = views.map(({ name, view }) => ({ name, version: view?.['dist-tags']?.latest }))
  problems.push(...checkSameVersion(latest, version))
  const viewName = `npm view: ${packages.length} packages at ${version} (latest), exports, engines, license, repository, peer ranges admit the tested clients`
  if (!report(viewName, problems.length === 0, performance.now() - t0, problemList(problems)))
    return undefined
  const integrity = Object.fromEntries(views.map(({ name, view }) => [name, view?.dist?.integrity]))
  return { version, integrity }
}
