// The release rehearsal (scripts/release-rehearsal.sh; part of `npm test`, alone with
// `npm run release:rehearse`). In a temp copy of the repo, with a throwaway Verdaccio registry:
//   1. the fixed group of .changeset/config.json holds every public package;
//   2. first release: `changeset version` with the pending changesets (CHANGELOG entries checked),
//      `changeset publish`, then `npm view` of every package: one version, the repo's exports,
//      engines, license, repository and peer ranges, which admit every tested client version;
//   3. a consumer project outside the workspace installs every package from the registry with its
//      client and runs the README quick starts (ESM and CommonJS) against @apptoken/testing;
//   4. second release: a patch changeset for @apptoken/core alone; the whole group moves to the
//      new version and the consumer's `npm update` picks it up.
// Options: --skip-build (npm test has just built), --keep (keep the temp dirs),
// --break=<fault> (see faults.mjs: make a release mistake in the copy and watch it fail).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  BIN,
  childEnv,
  publicPackages,
  removeDir,
  rootRequire,
  run,
  seconds,
  stopChildren,
  tempDir,
} from '../packaging/lib.mjs'
import { checkPeerRanges } from '../packaging/peer-ranges.mjs'
import { addChangeset } from './changesets.mjs'
import { checkFixedGroup } from './checks.mjs'
import { installConsumer, updateConsumer } from './consumer.mjs'
import { FAULTS, applyFault } from './faults.mjs'
import { startRegistry } from './registry.mjs'
import { releaseCycle } from './release-cycle.mjs'
import { failures, heading, paint, problemList, report } from './report.mjs'
import { GIT_ENV, copyWorkspace } from './workspace-copy.mjs'

const semver = rootRequire('semver')
const args = process.argv.slice(2)
const fault = args.find((a) => a.startsWith('--break='))?.slice('--break='.length)
const keep = args.includes('--keep')
if (fault !== undefined && !(fault in FAULTS)) {
  console.error(
    `--break=${fault}: unknown; one of:\n${Object.entries(FAULTS)
      .map(([k, v]) => `  ${k}: ${v}`)
      .join('\n')}`,
  )
  process.exit(2)
}
const started = performance.now()

/** @type {import('./registry.mjs').Registry | undefined} */
let registry
const temps = []
let cleaning
const cleanup = () =>
  (cleaning ??= (async () => {
    await registry?.stop()
    if (keep) console.log(`  kept: ${temps.join(' ')}`)
    else await Promise.all(temps.map((dir) => removeDir(dir)))
  })())
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    console.error(`\nrelease rehearsal: ${signal}, stopping the registry and removing temp dirs`)
    stopChildren()
    void cleanup().finally(() =>
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)),
    )
  })
}

try {
  await rehearse()
} catch (error) {
  report(
    'release rehearsal',
    false,
    0,
    error instanceof Error ? (error.stack ?? error.message) : String(error),
  )
} finally {
  await cleanup()
}
const total = seconds(performance.now() - started)
console.log(
  failures.length === 0
    ? paint(32, `\nRelease rehearsal passed in ${total}.`)
    : paint(31, `\nRelease rehearsal FAILED (${failures.join('; ')}) in ${total}.`),
)
process.exitCode = failures.length === 0 ? 0 : 1

async function rehearse() {
  let packages = publicPackages()
  heading(
    `Release rehearsal: ${packages.length} public packages${fault ? `, with the fault --break=${fault}` : ''}`,
  )
  if (!args.includes('--skip-build')) {
    const filters = packages.map((p) => `--filter=${p.name}`)
    const build = await run(join(BIN, 'turbo'), ['run', 'build', ...filters, '--output-logs=errors-only'])
    if (!report('turbo run build (public packages)', build.code === 0, build.ms, build.output)) return
    packages = publicPackages()
  }
  const unbuilt = packages.filter((p) => !p.ready).map((p) => p.name)
  if (
    !report(
      'every public package is built (dist/index.js)',
      unbuilt.length === 0,
      0,
      `not built: ${unbuilt.join(', ')}`,
    )
  )
    return
  const peers = checkPeerRanges(packages)
  const names = packages.map((p) => p.name)

  const work = await tempDir('rehearsal')
  temps.push(work)
  const repo = join(work, 'repo')
  const t0 = performance.now()
  const copied = await copyWorkspace(repo, packages)
  if (fault !== undefined) await applyFault(repo, fault, packages, peers)
  report(
    `temp copy of the repo: ${copied} files from git + dist/ of each package${fault ? ` (fault: ${FAULTS[fault]})` : ''}`,
    true,
    performance.now() - t0,
  )
  const config = JSON.parse(readFileSync(join(repo, '.changeset/config.json'), 'utf8'))
  const fixed = checkFixedGroup(config, names)
  if (
    !report(
      '.changeset/config.json: every public package in one "fixed" group',
      fixed.length === 0,
      0,
      problemList(fixed),
    )
  )
    return

  const uplink =
    (await run('npm', ['config', 'get', 'registry'])).output.trim() || 'https://registry.npmjs.org/'
  const t1 = performance.now()
  registry = await startRegistry(join(work, 'registry'), { uplink })
  report(
    `Verdaccio at ${registry.url} (@apptoken/* local, the rest proxied to ${uplink}), throwaway user and token`,
    true,
    performance.now() - t1,
  )
  const env = childEnv(GIT_ENV)
  env.NPM_CONFIG_USERCONFIG = registry.userconfig // only the changesets/npm children see the registry and token

  const first = await releaseCycle({
    title: 'First release: changeset version (pending changesets) + changeset publish',
    ...{ repo, packages, peers, env },
  })
  if (first === undefined) return
  heading(`Consumer: installs ${first.version} from ${registry.url} and runs the README quick starts`)
  const consumer = await tempDir('rehearsal-consumer')
  temps.push(consumer)
  const installed = await installConsumer({
    dir: consumer,
    registryUrl: registry.url,
    packages,
    peers,
    ...first,
  })
  if (!installed.map((s) => report(s.name, s.ok, s.ms, s.detail)).every(Boolean)) return

  const expected = semver.inc(first.version, 'patch')
  const summary = 'Rehearsal: a patch release of `@apptoken/core` alone.'
  await addChangeset(repo, 'rehearsal-core-patch.md', { '@apptoken/core': 'patch' }, summary)
  const second = await releaseCycle({
    title: 'Second release: a patch changeset for @apptoken/core only',
    ...{ repo, packages, peers, env },
  })
  if (second === undefined) return
  const moved = `the whole fixed group moved from ${first.version} to ${expected}`
  if (!report(moved, second.version === expected, 0, `it is at ${second.version}`)) return
  heading(`Consumer: npm update to ${second.version}`)
  for (const s of await updateConsumer(consumer, packages, second.version, second.integrity))
    report(s.name, s.ok, s.ms, s.detail)
}
