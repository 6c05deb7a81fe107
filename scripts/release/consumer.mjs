// The user's side of the rehearsal: a project in the OS temp dir (outside the workspace) whose
// .npmrc sends only the @apptoken scope to the rehearsal registry. It installs every public
// package by version (saved as ^version, as `npm install @apptoken/core@x.y.z` would) with the
// clients the suites test (axios, ky, got, undici, Graph client, redis/ioredis...), then runs the
// README quick starts from scripts/packaging/consumer (ESM and CommonJS) against the installed
// @apptoken/testing. After the second release, `npm update` must move every package.
import { readFileSync, readdirSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { peerVersions } from '../packaging/consumer-test.mjs'
import { childEnv, run } from '../packaging/lib.mjs'
import { runQuickStarts, writeQuickStarts } from '../packaging/quickstarts.mjs'
import { checkInstalledVersions, checkShippedFiles } from './checks.mjs'

const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=error']

/**
 * @typedef {import('../packaging/quickstarts.mjs').Step} Step
 * @param {{ dir: string, registryUrl: string, packages: import('../packaging/lib.mjs').PublicPackage[],
 *   version: string, integrity: Record<string, string | undefined>,
 *   peers: import('../packaging/peer-ranges.mjs').PeerReport[] }} options
 *   dir = an empty temp dir outside the workspace;
 *   integrity = name -> dist.integrity the registry serves for `version`
 * @returns {Promise<Step[]>}
 */
export async function installConsumer({ dir, registryUrl, packages, version, integrity, peers }) {
  const steps = []
  const names = packages.map((p) => p.name)
  const clients = peerVersions('latest', packages, peers)
  const dependencies = { ...Object.fromEntries(names.map((n) => [n, `^${version}`])), ...clients }
  await writeFile(join(dir, '.npmrc'), `@apptoken:registry=${registryUrl}/\n`)
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify(
      { name: 'apptoken-rehearsal-consumer', private: true, type: 'module', dependencies },
      null,
      2,
    ),
  )
  // Third-party packages from npm's cache when it has them; @apptoken ones are new to the cache
  // (the registry's port is part of their URL).
  const install = await run('npm', ['install', '--prefer-offline', ...NPM_FLAGS], {
    cwd: dir,
    env: childEnv(),
  })
  const clientList = Object.entries(clients)
    .map(([n, v]) => `${n}@${v}`)
    .join(' ')
  steps.push({
    name: `npm install ${names.map((n) => `${n}@^${version}`).join(' ')} + ${clientList}`,
    ok: install.code === 0,
    ms: install.ms,
    detail: install.output,
  })
  if (install.code !== 0) return steps
  steps.push(lockStep(dir, integrity, version, 'the registry serves'))

  const shipped = packages.flatMap((pkg) => {
    const root = join(dir, 'node_modules', pkg.name)
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    const files = readdirSync(root, { recursive: true }).map((f) => String(f).replaceAll('\\', '/'))
    return checkShippedFiles(pkg.name, manifest, files)
  })
  steps.push({
    name: `installed packages have every file their "exports" name`,
    ok: shipped.length === 0,
    ms: 0,
    detail: shipped.map((p) => `- ${p}`).join('\n'),
  })
  if (shipped.length > 0) return steps

  const written = await writeQuickStarts(dir, new Set(packages.map((p) => p.folder)))
  steps.push(...written.missing, ...(await runQuickStarts(dir, written, names)))
  return steps
}

/**
 * `npm update` after the second release: every @apptoken package (nested copies too) moves to
 * `version`; then the CommonJS quick start (which loads every package) runs on the upgrade.
 * @param {string} dir
 * @param {import('../packaging/lib.mjs').PublicPackage[]} packages
 * @param {string} version
 * @param {Record<string, string | undefined>} integrity name -> dist.integrity of `version`
 * @returns {Promise<Step[]>}
 */
export async function updateConsumer(dir, packages, version, integrity) {
  const names = packages.map((p) => p.name)
  // --prefer-online: revalidate the cached packuments, which predate the second publish.
  const update = await run('npm', ['update', '--prefer-online', ...NPM_FLAGS], { cwd: dir, env: childEnv() })
  const steps = [{ name: 'npm update', ok: update.code === 0, ms: update.ms, detail: update.output }]
  if (update.code !== 0) return steps
  steps.push(lockStep(dir, integrity, version, 'the registry serves, after npm update'))
  const written = await writeQuickStarts(dir, new Set(packages.map((p) => p.folder)))
  steps.push(...(await runQuickStarts(dir, written, names, { esm: false })))
  return steps
}

function lockStep(dir, integrity, version, when) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'))
  const problems = checkInstalledVersions(lock, integrity, version)
  return {
    name: `package-lock.json: every @apptoken package (and nested copy) is ${version}, the tarball ${when}`,
    ok: problems.length === 0,
    ms: 0,
    detail: problems.map((p) => `- ${p}`).join('\n'),
  }
}
