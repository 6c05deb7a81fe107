// The runtime smoke suite (part of `npm test`, after the packaging check; alone: `npm run runtimes`).
// Packs @apptoken/core, fetch, axios, ky and testing (scripts/packaging/pack.mjs), installs the
// tarballs into a fresh project outside the workspace, and runs every scenario in scenarios/ in its
// own process on Node 22, Node 24, Bun and Deno (`deno run -A`). Bun and Deno are the root
// devDependencies `bun` and `deno`; a Node major other than the running one is installed from npm
// (`node@22`) into .tools/node<major>/.
//
// A run passes when the process exits by itself with code 0 after printing `ok <scenario>`.
// The kill timer is a failure, never a wait: a process still alive after KILL_AFTER_MS has
// something (a socket, a timer) that close() should have released.
//
// Last, the proof that the fetch fallback is what makes Bun work: with
// APPTOKEN_DISABLE_FETCH_FALLBACK=1 (core then uses Bun's partial undici), a scenario must fail.
// Options: --keep (keep the temp project), --runtimes=bun,deno,node22,node24 (a subset).
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import {
  BIN,
  ROOT,
  childEnv,
  indent,
  installedVersion,
  pool,
  publicPackages,
  run,
  seconds,
  tempDir,
} from '../packaging/lib.mjs'
import { installTarballs, packAll } from '../packaging/pack.mjs'

const PACKAGES = ['core', 'fetch', 'axios', 'ky', 'testing']
const NODE_MAJORS = [22, 24]
const KILL_AFTER_MS = 60_000
const SCENARIOS = join(ROOT, 'scripts/runtimes/scenarios')
const DISABLE_FALLBACK = 'APPTOKEN_DISABLE_FETCH_FALLBACK'

const args = process.argv.slice(2)
const keep = args.includes('--keep')
const only = args
  .find((a) => a.startsWith('--runtimes='))
  ?.slice('--runtimes='.length)
  .split(',')
const started = performance.now()
const color = process.stdout.isTTY && !process.env.NO_COLOR
const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text)
let failures = 0
const temps = []
process.on('exit', () => {
  if (!keep) for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})

function report(ok, name, ms, detail) {
  if (!ok) failures++
  console.log(`  ${ok ? paint(32, 'PASS') : paint(31, 'FAIL')} ${name}${paint(90, ` (${seconds(ms)})`)}`)
  if (!ok && detail)
    console.log(indent(detail.length > 4000 ? `${detail.slice(0, 4000)}\n[...]` : detail, '       '))
}

console.log(paint(1, `Runtime smoke: @apptoken/{${PACKAGES.join(',')}} from their tarballs`))

// 1. The runtimes, each checked to really run here (bun and deno ship their binaries as
//    optional dependencies: a platform without one has a stub that fails).
const runtimes = []
for (const major of NODE_MAJORS) {
  const node = await nodeOfMajor(major)
  runtimes.push({ id: `node${major}`, command: node, args: [] })
}
runtimes.push({ id: 'bun', command: join(BIN, 'bun'), args: [] })
runtimes.push({
  id: 'deno',
  command: join(BIN, 'deno'),
  args: ['run', '-A', '--node-modules-dir=manual', '--no-lock'],
  env: { DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' },
})
const selected = runtimes.filter((r) => only === undefined || only.includes(r.id))
for (const id of only ?? [])
  if (!runtimes.some((r) => r.id === id)) report(false, `--runtimes: unknown runtime ${id}`, 0)
for (const runtime of selected) {
  const version = await run(runtime.command, ['--version'], { timeoutMs: 30_000 })
  runtime.ok = version.code === 0
  runtime.label = `${runtime.id.replace(/\d+$/, '')} ${/\d+\.\d+\.\d+/.exec(version.output)?.[0] ?? '?'}`
  report(runtime.ok, `${runtime.label} runs (${runtime.command})`, version.ms, version.output)
}
const usable = selected.filter((r) => r.ok)

// 2. Pack and install, as a user would.
const work = await tempDir('runtimes')
temps.push(work)
const chosen = publicPackages().filter((p) => PACKAGES.includes(p.folder))
const notBuilt = chosen.filter((p) => !p.ready).map((p) => p.name)
if (notBuilt.length > 0) {
  report(false, `packages built`, 0, `not built: ${notBuilt.join(', ')} (run npx turbo run build)`)
  process.exit(1)
}
const packStarted = performance.now()
const packed = await packAll(chosen, work)
const packFailed = packed.filter((p) => p.error !== undefined)
report(
  packFailed.length === 0,
  `npm pack ${chosen.length} packages`,
  performance.now() - packStarted,
  packFailed.map((p) => p.error).join('\n'),
)
const project = join(work, 'project')
await mkdir(project)
const peers = {
  axios: installedVersion('axios', join(ROOT, 'packages/axios')),
  ky: installedVersion('ky', join(ROOT, 'packages/ky')),
  jose: installedVersion('jose', join(ROOT, 'packages/core')), // the scenarios sign federated tokens
}
const install = await installTarballs(project, 'apptoken-runtime-smoke', packed, peers)
const peerList = Object.entries(peers)
  .map(([n, v]) => `${n}@${v}`)
  .join(' ')
report(install.code === 0, `npm install (tarballs + ${peerList})`, install.ms, install.output)
if (install.code !== 0 || packFailed.length > 0) process.exit(1)
const scenarios = readdirSync(SCENARIOS).filter((f) => f.endsWith('.mjs'))
for (const file of scenarios) await copyFile(join(SCENARIOS, file), join(project, file))

// 3. Every scenario on every runtime, two processes at a time (two cores, shared).
const runs = usable.flatMap((runtime) =>
  scenarios.filter((f) => !f.startsWith('_')).map((file) => ({ runtime, file })),
)
console.log(paint(1, `\nScenarios (${runs.length} processes; each must exit by itself, code 0)`))
const results = await pool(2, runs, ({ runtime, file }) => runScenario(runtime, file))
for (const [index, { runtime, file }] of runs.entries()) {
  const { ok, ms, detail } = results[index]
  report(ok, `${runtime.label.padEnd(22)} ${file}`, ms, detail)
}

// 4. The fallback matters: Bun without it fails.
const bun = usable.find((r) => r.id === 'bun')
if (bun !== undefined) {
  console.log(paint(1, `\nWithout the fetch fallback (${DISABLE_FALLBACK}=1), Bun must fail`))
  const result = await runScenario(bun, 'client-secret.mjs', { [DISABLE_FALLBACK]: '1' })
  const failedAsExpected = !result.ok
  const firstError = /\b\w*Error\b.*$/m.exec(result.output)?.[0] ?? result.output.trim().split('\n').pop()
  report(
    failedAsExpected,
    `${bun.label} client-secret.mjs fails: ${failedAsExpected ? firstError : 'it passed'}`,
    result.ms,
    failedAsExpected ? undefined : `expected a failure without the fallback; got:\n${result.output}`,
  )
}

const total = performance.now() - started
if (keep) console.log(`  kept: ${project}`)
console.log(
  failures === 0
    ? paint(32, `\nRuntime smoke passed in ${seconds(total)} (${usable.map((r) => r.label).join(', ')}).`)
    : paint(31, `\nRuntime smoke FAILED: ${failures} failing, in ${seconds(total)}.`),
)
process.exitCode = failures === 0 ? 0 : 1

/** Runs one scenario file; ok = exited by itself, code 0, and printed its `ok` line. */
async function runScenario(runtime, file, extraEnv = {}) {
  const env = childEnv({ ...runtime.env, ...extraEnv })
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy'])
    delete env[name] // only the transport scenario sets a proxy, its own
  const result = await run(runtime.command, [...runtime.args, file], {
    cwd: project,
    env,
    timeoutMs: KILL_AFTER_MS,
  })
  const killed = result.output.includes(`[killed after ${KILL_AFTER_MS} ms]`)
  const printedOk = /^ok /m.test(result.output)
  const ok = result.code === 0 && printedOk && !killed
  let detail = result.output
  if (killed)
    detail = `${printedOk ? 'finished, but did not exit by itself' : 'did not finish'}: killed after ${KILL_AFTER_MS / 1000}s\n${result.output}`
  else if (result.code === 0 && !printedOk) detail = `exited 0 before the scenario finished\n${result.output}`
  return { ok, killed, ms: result.ms, output: result.output, detail }
}

/** A node binary of `major`: this one, or `node@<major>` from npm in .tools/node<major>/. */
async function nodeOfMajor(major) {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath
  const prefix = join(ROOT, '.tools', `node${major}`)
  const binary = join(prefix, 'node_modules/.bin/node')
  if (!existsSync(binary)) {
    const result = await run(
      'npm',
      ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', `node@${major}`],
      { env: childEnv() },
    )
    report(result.code === 0, `npm install node@${major} into .tools/node${major}/`, result.ms, result.output)
  }
  return binary
}
