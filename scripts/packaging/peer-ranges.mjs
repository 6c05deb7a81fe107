// "Peer ranges tested, not guessed": a peer range may only admit versions a test runs against.
// The tested versions of a peer are the ones the package's suite installs (the peer itself and
// its `npm:<peer>@...` aliases, e.g. axios18 = axios 1.8.4) plus peer-matrix.json (run by the
// consumer test's "oldest" project).
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, installedVersion, rootRequire } from './lib.mjs'

const semver = rootRequire('semver')
const EXTRA = JSON.parse(readFileSync(join(ROOT, 'scripts/packaging/peer-matrix.json'), 'utf8')).tested

/**
 * @typedef {{ pkg: string, peer: string, range: string, tested: string[], oldest?: string, newest?: string, problems: string[] }} PeerReport
 * @param {import('./lib.mjs').PublicPackage[]} packages
 * @returns {PeerReport[]}
 */
export function checkPeerRanges(packages) {
  const reports = []
  for (const { name: pkg, dir, manifest } of packages) {
    const dev = manifest.devDependencies ?? {}
    for (const [peer, range] of Object.entries(manifest.peerDependencies ?? {})) {
      const problems = []
      const sources = Object.entries(dev).filter(
        ([dep, spec]) => dep === peer || String(spec).startsWith(`npm:${peer}@`),
      )
      // An alias only counts when a test imports it.
      const testSources = testFilesOf(dir)
      const unused = sources.filter(
        ([dep]) => dep !== peer && !testSources.some((s) => s.includes(`'${dep}'`) || s.includes(`"${dep}"`)),
      )
      for (const [dep] of unused)
        problems.push(`devDependency ${dep} (${peer}) is installed but no file in test/ imports it`)
      const used = sources.filter((s) => !unused.includes(s))
      const tested = [
        ...new Set([
          ...used.map(([dep]) => installedVersion(dep, dir)).filter(Boolean),
          ...(EXTRA[peer] ?? []),
        ]),
      ]
      tested.sort(semver.compare)
      const [oldest, newest] = [tested[0], tested.at(-1)]
      if (semver.validRange(range) === null) problems.push(`"${range}" is not a valid range`)
      else if (oldest === undefined)
        problems.push(
          'no test installs it (add it, or an npm: alias of an older version, to devDependencies)',
        )
      else {
        for (const version of tested) {
          if (!semver.satisfies(version, range, { includePrerelease: true }))
            problems.push(`tested ${version} is outside "${range}"`)
        }
        const min = semver.minVersion(range)
        const floor = semver.prerelease(oldest) ? oldest : `${semver.major(oldest)}.${semver.minor(oldest)}.0`
        if (min !== null && semver.lt(min, floor)) {
          problems.push(
            `"${range}" admits ${min.version}, older than the oldest tested ${oldest}: raise the floor to ${floor} or test that version`,
          )
        }
        // Every major the range admits must have a tested version (including the next, unreleased one).
        for (let major = min?.major ?? 0; major <= semver.major(newest) + 1; major++) {
          const admits = semver.intersects(range, `>=${major}.0.0-0 <${major + 1}.0.0-0`, {
            includePrerelease: true,
          })
          if (admits && !tested.some((v) => semver.major(v) === major)) {
            problems.push(`"${range}" admits ${peer} ${major}.x, which no test runs against`)
          }
        }
      }
      reports.push({ pkg, peer, range, tested, oldest, newest, problems })
    }
  }
  return reports
}

const testFiles = new Map()
/** The sources of a package's test/ dir (cached). */
function testFilesOf(dir) {
  let found = testFiles.get(dir)
  if (found === undefined) {
    const testDir = join(dir, 'test')
    found = existsSync(testDir)
      ? readdirSync(testDir, { recursive: true })
          .filter((f) => /\.[cm]?[jt]s$/.test(String(f)))
          .map((f) => readFileSync(join(testDir, String(f)), 'utf8'))
      : []
    testFiles.set(dir, found)
  }
  return found
}
