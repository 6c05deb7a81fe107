// The packaging check (scripts/packaging-check.sh; part of `npm test` and `npm run release`).
// For every public package (packages/* without "private": true):
//   1. npm pack -> a tarball, exactly what `npm publish` would upload;
//   2. the tarball: manifest fields and shipped files, imports declared, publint --strict,
//      attw --profile esm-only;
//   3. peer ranges: every version a range admits down to its floor, and every major, is tested;
//   4. the consumer test on fresh projects outside the workspace (newest and oldest peers);
//   5. the API reference (typedoc) builds without warnings.
// Exits non-zero on any failure. Options:
//   --skip-build       do not run `turbo run build` first (npm test has just built)
//   --allow-not-ready  an unbuilt package is skipped with a warning instead of failing
//   --only=latest      consumer test on the newest peers only (skip the oldest-peers project)
//   --keep             keep the temp dirs and print where they are
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { consumerTest } from './consumer-test.mjs'
import { BIN, ROOT, indent, pool, publicPackages, removeDir, run, seconds, tempDir } from './lib.mjs'
import { checkManifest } from './manifest.mjs'
import { packAll, unpack } from './pack.mjs'
import { checkPeerRanges } from './peer-ranges.mjs'
import { prepareTypedoc } from './typedoc.mjs'

const argv = new Set(process.argv.slice(2))
const started = performance.now()
const color = process.stdout.isTTY && !process.env.NO_COLOR
const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text)
const PASS = paint(32, 'PASS')
const FAIL = paint(31, 'FAIL')
const WARN = paint(33, 'WARN')
/** @type {{ section: string, name: string, ok: boolean, ms: number }[]} */
const results = []
const temps = []
// Temp dirs go even when a step throws (unless --keep).
process.on('exit', () => {
  if (!argv.has('--keep')) for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})

function report(section, name, ok, ms, detail, note) {
  results.push({ section, name, ok, ms })
  console.log(`  ${ok ? PASS : FAIL} ${name}${ms > 0 ? paint(90, ` (${seconds(ms)})`) : ''}`)
  if (!ok && detail)
    console.log(indent(detail.length > 6000 ? `${detail.slice(0, 6000)}\n[...]` : detail, '       '))
  if (note) console.log(indent(note, `       ${WARN} `))
}

function heading(title) {
  console.log(`\n${paint(1, title)}`)
}

let packages = publicPackages()
heading(`Packaging check: ${packages.length} public packages (${packages.map((p) => p.folder).join(', ')})`)

if (!argv.has('--skip-build')) {
  const filters = packages.map((p) => `--filter=${p.name}`)
  const build = await run(join(BIN, 'turbo'), [
    'run',
    'build',
    ...filters,
    '--continue',
    '--output-logs=errors-only',
  ])
  report('build', 'turbo run build (public packages)', build.code === 0, build.ms, build.output)
  packages = publicPackages() // re-read: `ready` depends on dist/
}

const notReady = packages.filter((p) => !p.ready)
for (const pkg of notReady) {
  const line = `NOT READY: ${pkg.name} has no dist/index.js (not built) - skipped by every check below`
  console.log(`  ${argv.has('--allow-not-ready') ? WARN : FAIL} ${paint(1, line)}`)
  if (!argv.has('--allow-not-ready'))
    results.push({ section: 'build', name: `${pkg.name} NOT READY`, ok: false, ms: 0 })
}
const ready = packages.filter((p) => p.ready)

// 1. Pack.
const work = await tempDir('packaging')
temps.push(work)
const packed = await packAll(ready, work)
heading('npm pack')
for (const p of packed) {
  const size =
    p.unpackedSize === undefined
      ? ''
      : `, ${p.files.length} files, ${(p.unpackedSize / 1024).toFixed(1)} kB unpacked`
  report('pack', `${p.pkg.name}${size}`, p.error === undefined, 0, p.error)
}
const tarballs = packed.filter((p) => p.tarball !== undefined)

// 2-5 run concurrently; their reports print in order once each is done.
const peers = checkPeerRanges(ready)
const consumerKinds = argv.has('--only=latest') ? ['latest'] : ['latest', 'oldest']
const typedocRun = (async () => {
  const { args, cleanup } = await prepareTypedoc(ready, { check: true })
  const result = await run(process.execPath, [join(ROOT, 'node_modules/typedoc/bin/typedoc'), ...args], {
    timeoutMs: 180_000,
  })
  await cleanup()
  return result
})()
const consumers = consumerKinds.map((kind) => consumerTest({ kind, packed: tarballs, peers }))
const lints = pool(2, tarballs, async ({ pkg, tarball, files }) => {
  const unpacked = await unpack(tarball, join(work, 'unpacked', pkg.folder))
  const manifest = checkManifest(pkg.folder, unpacked, files)
  const publint = await run(join(BIN, 'publint'), ['run', '--strict', tarball])
  const attw = await run(join(BIN, 'attw'), [
    tarball,
    '--profile',
    'esm-only',
    '--no-color',
    '--no-emoji',
    '--format',
    'table-flipped',
  ])
  return { pkg, manifest, publint, attw }
})

heading('Tarballs: manifest + files + declared imports, publint --strict, attw --profile esm-only')
for (const { pkg, manifest, publint, attw } of await lints) {
  const manifestOk = manifest.errors.length === 0
  report(
    'tarball',
    `${pkg.name}: manifest, files, imports`,
    manifestOk,
    0,
    manifest.errors.map((e) => `- ${e}`).join('\n'),
    manifest.warnings.join('\n') || undefined,
  )
  // publint --strict exits 1 on warnings and errors; suggestions are printed but pass.
  report(
    'tarball',
    `${pkg.name}: publint --strict`,
    publint.code === 0,
    publint.ms,
    publint.output,
    publint.code === 0 && /Suggestions?:/.test(publint.output) ? publint.output : undefined,
  )
  report('tarball', `${pkg.name}: attw --profile esm-only`, attw.code === 0, attw.ms, attw.output)
}

heading('Peer ranges: every admitted version is tested (suites + consumer oldest-peers project)')
for (const r of peers) {
  const tested = r.tested.length > 0 ? `tested ${r.tested.join(', ')}` : 'not tested'
  report(
    'peers',
    `${r.pkg} -> ${r.peer} "${r.range}" (${tested})`,
    r.problems.length === 0,
    0,
    r.problems.map((p) => `- ${p}`).join('\n'),
  )
}

for (const [index, kind] of consumerKinds.entries()) {
  const { dir, steps } = await consumers[index]
  heading(`Consumer test, ${kind} peers: ${dir}`)
  temps.push(dir)
  for (const step of steps) report(`consumer-${kind}`, step.name, step.ok, step.ms, step.detail, step.note)
}

heading(
  'API reference: typedoc --treatWarningsAsErrors (entry points: src/index.ts of each package, and subpath exports)',
)
{
  const result = await typedocRun
  const ok = result.code === 0
  const examples = /(\d+) exports have no @example/.exec(result.output)?.[1]
  // The @example list is informational: keep the failure output to what fails.
  const detail = result.output
    .replace(/.*\d+ exports have no @example:\n(  .*\n)*/, '')
    .replace(/.*Loaded plugin.*\n/, '')
  report(
    'typedoc',
    `typedoc (${ready.length} packages)`,
    ok,
    result.ms,
    detail,
    examples
      ? `${examples} exports have no @example (house style; not a failure): npm run docs lists them`
      : undefined,
  )
}

// Summary.
const failed = results.filter((r) => !r.ok)
const total = performance.now() - started
heading('Summary')
const sections = [...new Set(results.map((r) => r.section))]
for (const section of sections) {
  const rows = results.filter((r) => r.section === section)
  const bad = rows.filter((r) => !r.ok).length
  console.log(`  ${bad === 0 ? PASS : FAIL} ${section.padEnd(16)} ${rows.length - bad}/${rows.length} passed`)
}
if (notReady.length > 0)
  console.log(`  ${paint(1, `NOT READY (not checked): ${notReady.map((p) => p.name).join(', ')}`)}`)
await Promise.all(temps.map((dir) => (argv.has('--keep') ? undefined : removeDir(dir))))
if (argv.has('--keep')) console.log(`  kept: ${temps.join(' ')}`)
console.log(
  failed.length === 0
    ? paint(32, `\nPackaging check passed in ${seconds(total)}.`)
    : paint(
        31,
        `\nPackaging check FAILED (${failed.length} failing: ${failed.map((f) => f.name).join('; ')}) in ${seconds(total)}.`,
      ),
)
process.exitCode = failed.length === 0 ? 0 : 1
