// The consumer test: install the packed tarballs into a fresh project outside the workspace, as a
// user would, and run every package's quick start against the packed @apptoken/testing — as ESM
// (.mjs), as CommonJS (require(esm), Node >= 22.12) and type-checked by TypeScript (nodenext,
// strict, the shipped .d.ts included). Proves the published artifacts work, not the source.
//
// Two projects: "latest" installs the peers at the versions the workspace tests (the newest
// supported), "oldest" at the oldest tested version of each peer (axios 1.8, ky 1.14, got 14,
// undici 7, Graph client 3.0.0...), so the peer ranges' floors are exercised on the artifacts.
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeExamples } from './examples.mjs'
import { ROOT, installedVersion, rootRequire, run, tempDir } from './lib.mjs'
import { installTarballs } from './pack.mjs'
import { FIXTURES, runQuickStarts, writeQuickStarts } from './quickstarts.mjs'

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc')

/** Packages a quick start needs besides the tarballs and peers (devDependencies of the package). */
const QUICK_START_EXTRAS = {
  graph: ['@microsoft/kiota-http-fetchlibrary'],
  azure: ['@azure/keyvault-secrets'],
  opentelemetry: ['@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-metrics'],
}

/**
 * @typedef {{ name: string, ok: boolean, ms: number, detail?: string, note?: string }} Step
 * @param {{ kind: 'latest' | 'oldest', packed: { pkg: import('./lib.mjs').PublicPackage, tarball: string }[],
 *   peers: import('./peer-ranges.mjs').PeerReport[], keep?: boolean }} options
 * @returns {Promise<{ dir: string, steps: Step[] }>}
 */
export async function consumerTest({ kind, packed, peers }) {
  const dir = await tempDir(`consumer-${kind}`)
  /** @type {Step[]} */
  const steps = []
  const folders = new Set(packed.map((p) => p.pkg.folder))

  // 1. package.json: the tarballs, their peers at the tested versions, nothing from the workspace.
  const versions = peerVersions(
    kind,
    packed.map((p) => p.pkg),
    peers,
  )
  const install = await installTarballs(dir, `apptoken-consumer-${kind}`, packed, {
    ...versions,
    '@types/node': installedVersion('@types/node', ROOT),
  })
  const peerList = Object.entries(versions)
    .map(([n, v]) => `${n}@${v}`)
    .join(' ')
  steps.push({
    name: `npm install (tarballs + ${peerList})`,
    ok: install.code === 0,
    ms: install.ms,
    detail: install.output,
  })
  if (install.code !== 0) return { dir, steps }

  // 2. The quick starts, compiled from the typed fixtures: .mts -> .mjs, .cts -> .cjs.
  const written = await writeQuickStarts(dir, folders)
  const { sources } = written
  await writeFile(join(dir, 'tsconfig.json'), await readFile(join(FIXTURES, 'tsconfig.json')))
  steps.push(...written.missing)

  // 3. Run them: ESM, each in its own process, then CommonJS.
  steps.push(
    ...(await runQuickStarts(
      dir,
      written,
      packed.map((p) => p.pkg.name),
    )),
  )

  // 4. TypeScript: the fixtures, and (latest only) each README's quick start as shipped in the tarball.
  let readmes = 0
  if (kind === 'latest') {
    await mkdir(join(dir, 'readme'))
    for (const { pkg } of packed) {
      const readme = join(dir, 'node_modules', pkg.name, 'README.md')
      const blocks = existsSync(readme) ? quickStartsOf(readFileSync(readme, 'utf8')) : []
      if (blocks.length === 0) {
        steps.push({
          name: `README quick start of ${pkg.name}`,
          ok: false,
          ms: 0,
          detail: `${pkg.name}'s README has no \`\`\`ts block under a "Quick start" heading`,
        })
        continue
      }
      // The first quick start, then any per-server one ("Quick start: Auth0", ...), each its own module.
      for (const [i, block] of blocks.entries()) {
        // A quick start for an SDK this project does not install (the Kiota-based
        // @microsoft/msgraph-sdk, hundreds of MB) is reported, not compiled.
        const missing = [...block.matchAll(/from '((?:@[^/']+\/)?[^/']+)[^']*'/g)]
          .map((m) => m[1])
          .filter((name) => !name.startsWith('node:') && !existsSync(join(dir, 'node_modules', name)))
        if (missing.length > 0) {
          steps.push({ name: `README quick start ${i + 1} of ${pkg.name}`, ok: true, ms: 0, note: `not type-checked: imports ${missing.join(', ')}, not installed here` })
          continue
        }
        await writeFile(join(dir, 'readme', `${pkg.folder}${i === 0 ? '' : `-${i}`}.mts`), withProvider(block))
        readmes++
      }
    }
  }
  // ...and (latest only) every TSDoc @example of the packages' sources, the same way.
  const examples =
    kind === 'latest'
      ? writeExamples(
          join(dir, 'examples'),
          packed.map((p) => p.pkg),
        )
      : []
  // A guard against a hung tsc, not a time budget: with skipLibCheck off it checks every SDK's
  // .d.ts (Graph, Azure core, Key Vault, ...), which takes minutes on a busy machine.
  const tsc = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir, timeoutMs: 600_000 })
  const { errors, notes } = classifyTscOutput(tsc.output)
  // An error in an example names the source line it came from.
  for (let i = 0; i < errors.length; i++) {
    const file = /^examples\/([^(]+)\(/.exec(errors[i])?.[1]
    const from = examples.find((e) => e.name === file)?.source
    if (from !== undefined) errors[i] = `${from} (@example): ${errors[i]}`
  }
  const checked = sources.length + readmes + examples.length
  steps.push({
    name: `TS   tsc --noEmit (nodenext, strict, skipLibCheck: false; ${checked} files${readmes > 0 ? `, ${readmes} of them README quick starts` : ''}${examples.length > 0 ? `, ${examples.length} TSDoc @examples` : ''})`,
    ok: errors.length === 0,
    ms: tsc.ms,
    detail: errors.join('\n'),
    note:
      notes.length > 0
        ? `errors inside third-party .d.ts, not ours (ignored):\n${notes.join('\n')}`
        : undefined,
  })
  return { dir, steps }
}

/**
 * Peer versions to install: the newest the workspace tests, or the oldest tested of each peer
 * (plus what a quick start needs besides them).
 * @param {'latest' | 'oldest'} kind
 * @param {import('./lib.mjs').PublicPackage[]} packages
 * @param {import('./peer-ranges.mjs').PeerReport[]} peers
 * @returns {Record<string, string>}
 */
export function peerVersions(kind, packages, peers) {
  const ready = new Set(packages.map((p) => p.name))
  const versions = {}
  for (const report of peers.filter((r) => ready.has(r.pkg))) {
    const version = kind === 'oldest' ? report.oldest : report.newest
    if (version === undefined) continue
    const semver = rootRequire('semver')
    // A peer shared by two packages: the later of their floors satisfies both.
    if (
      versions[report.peer] === undefined ||
      (kind === 'oldest' && semver.gt(version, versions[report.peer]))
    ) {
      versions[report.peer] = version
    }
  }
  for (const pkg of packages) {
    for (const extra of QUICK_START_EXTRAS[pkg.folder] ?? [])
      versions[extra] = installedVersion(extra, pkg.dir)
  }
  return versions
}

/** The first ```ts block under a heading that says "Quick start". */
export function quickStartOf(markdown) {
  return quickStartsOf(markdown)[0]
}

/** The first ```ts block under each heading that says "Quick start", in order. */
export function quickStartsOf(markdown) {
  const lines = markdown.split('\n')
  const blocks = []
  for (let start = 0; start < lines.length; start++) {
    if (!/^#{1,4}\s.*quick\s*start/i.test(lines[start])) continue
    const section = lines.slice(start + 1)
    const end = section.findIndex((l) => /^#{1,4}\s/.test(l))
    const body = (end === -1 ? section : section.slice(0, end)).join('\n')
    const block = /```(?:ts|typescript)\n([\s\S]*?)```/.exec(body)?.[1]
    if (block !== undefined) blocks.push(block)
  }
  return blocks
}

// Adapter READMEs may build on the core quick start's `provider` without repeating it.
function withProvider(block) {
  const usesProvider = /\bprovider\b/.test(block) && !/\b(const|let|var)\s+provider\b/.test(block)
  const prelude = usesProvider ? "declare const provider: import('@apptoken/core').TokenProvider\n" : ''
  return `${prelude}${block}\nexport {}\n`
}

/** tsc errors in our files or our .d.ts fail; errors inside other packages' .d.ts are notes. */
function classifyTscOutput(output) {
  const errors = []
  const notes = []
  let bucket = errors // lines before any error header (e.g. a config error) count as errors
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue
    const header = /^(.+?)\(\d+,\d+\): error TS\d+/.exec(line)
    if (header !== null) {
      const thirdParty =
        header[1].startsWith('node_modules/') && !header[1].startsWith('node_modules/@apptoken/')
      bucket = thirdParty ? notes : errors
    }
    bucket.push(line)
  }
  return { errors, notes }
}
