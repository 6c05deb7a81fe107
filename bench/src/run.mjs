#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [-- --json out.json]`
 *
 * One run, one process tree: the parent starts the local servers (https token authority with
 * 20 ms latency, protected API, echo server), then forks a fresh child per measurement, one at a
 * time, so contenders never share a V8 heap, a JIT profile or the CPU.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { CLIENTS, CONTENDERS, modeSettings } from './config.mjs'
import { median } from './harness.mjs'
import { measureImportTimes } from './import-time.mjs'
import { measureInstallSizes } from './install-size.mjs'
import { evaluateAdapterTargets, evaluateTargets, renderReport } from './report.mjs'
import { startServers } from './servers.mjs'
import { runChild } from './spawn-child.mjs'

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))
const REPO = resolve(BENCH_DIR, '..')

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const jsonAt = args.indexOf('--json')
const jsonPath =
  jsonAt >= 0 && args[jsonAt + 1]
    ? resolve(process.env.INIT_CWD ?? process.cwd(), args[jsonAt + 1]) // INIT_CWD: where `npm run` was typed
    : resolve(BENCH_DIR, 'results', quick ? 'quick.json' : 'latest.json')
const onlyAt = args.indexOf('--only')
const only = onlyAt >= 0 ? new Set(String(args[onlyAt + 1]).split(',')) : undefined
const wanted = (section) => only === undefined || only.has(section)
const settings = modeSettings(quick)
// What a child needs to know: plain data only (it crosses the IPC channel).
const loopSettings = {
  batchMs: settings.batchMs,
  batches: settings.batches,
  warmupMs: settings.warmupMs,
  fillConcurrency: settings.fillConcurrency,
  heapTenants: settings.heapTenants,
  settleMs: settings.settleMs,
}
const log = (line) => process.stderr.write(`${line}\n`)

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  log(`bench: Node ${process.version} is older than 22.12; run \`source scripts/env.sh\` first`)
  process.exit(1)
}

const version = (name) =>
  JSON.parse(readFileSync(resolve(REPO, 'node_modules', name, 'package.json'), 'utf8')).version
const adapterBuilt = (pkg) => {
  try {
    readFileSync(resolve(REPO, 'packages', pkg.split('/')[1], 'dist', 'index.js'))
    return true
  } catch {
    return false
  }
}

const started = Date.now()
const meta = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  node: process.version,
  nproc: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  platform: `${process.platform} ${process.arch}`,
  versions: {
    '@apptoken/core': version('@apptoken/core'),
    '@azure/msal-node': version('@azure/msal-node'),
    '@azure/msal-common': version('@azure/msal-common'),
    '@azure/identity': version('@azure/identity'),
    axios: version('axios'),
    ky: version('ky'),
    got: version('got'),
    undici: version('undici'),
  },
  settings: {
    ...settings,
    repeats: Object.fromEntries(settings.tenantCounts.map((n) => [n, settings.repeats(n)])),
  },
}

const servers = await startServers({ maxTenants: Math.max(...settings.tenantCounts) })
const { authority, env } = servers
const handlers = {
  revoke: (token) => authority.revoke(token),
  tokenRequests: () => authority.tokenRequests().length,
}

/**
 * One child; its result carries the authority requests it caused, by kind. A child that fails is
 * run once more in a fresh process (a package being rebuilt meanwhile, say); the retry is logged.
 */
async function child(task, attempt = 1) {
  const mark = authority.requests.length
  try {
    const result = await runChild(task, { caPath: servers.caPath, handlers })
    return { ...result, requests: servers.requestKinds(mark) }
  } catch (error) {
    log(`  ! ${String(error.message).split('\n')[0]}`)
    if (attempt === 1) {
      log('  ! retrying once in a fresh process')
      return child(task, 2)
    }
    return { error: String(error.message).slice(0, 2000), requests: servers.requestKinds(mark) }
  }
}

const results = {
  meta,
  cached: {},
  cold: {},
  replicas: {},
  heap: {},
  import: {},
  install: {},
  throughput: {},
  storm: {},
  diagnostics: {},
  checks: [],
}

// 1. Cached lookups (and fill time + heap) for each cache size.
for (const n of wanted('cached') ? settings.tenantCounts : []) {
  const runs = Object.fromEntries(CONTENDERS.map((c) => [c, []]))
  for (let rep = 0; rep < settings.repeats(n); rep++) {
    for (const contender of CONTENDERS) {
      const r = await child({ kind: 'cached', contender, tenants: n, env, settings: loopSettings })
      runs[contender].push(r)
      log(
        `cached ${n} tenants, ${contender} #${rep + 1}: ${r.error ? 'error' : `${r.lookup.usPerOp.toFixed(3)} µs/op, fill ${r.fillMs.toFixed(0)} ms`}`,
      )
    }
  }
  results.cached[n] = Object.fromEntries(CONTENDERS.map((c) => [c, summarizeCached(runs[c], c, n)]))
}
const heapN = settings.heapTenants
if (results.cached[heapN])
  results.heap = {
    tenants: heapN,
    settleMs: settings.settleMs,
    ...Object.fromEntries(
      CONTENDERS.map((c) => {
        const cell = results.cached[heapN][c]
        return [
          c,
          {
            bytesPerToken: cell.heapPerTokenBytes,
            bytesPerTokenAfterFill: cell.heapPerTokenAfterFillBytes,
            fillMs: cell.fillMs,
          },
        ]
      }),
    ),
  }

// 1b. Cached lookups with nobody listening to the diagnostics channels, and with instrumentApptoken active.
for (const n of wanted('diagnostics') ? [1, 100] : []) {
  // APPTOKEN_BASELINE_CORE: a build of @apptoken/core from before a change, measured side by side.
  const baseline = process.env.APPTOKEN_BASELINE_CORE ? ['apptoken-baseline'] : []
  const contenders = ['floor', ...baseline, 'apptoken', 'apptoken-otel']
  const runs = Object.fromEntries(contenders.map((c) => [c, []]))
  for (let rep = 0; rep < settings.repeats(n); rep++) {
    for (const contender of contenders) {
      const r = await child({ kind: 'cached', contender, tenants: n, env, settings: loopSettings })
      runs[contender].push(r)
      log(
        `diagnostics ${n} tenants, ${contender} #${rep + 1}: ${r.error ? 'error' : `${r.lookup.usPerOp.toFixed(3)} µs/op`}`,
      )
    }
  }
  results.diagnostics[n] = Object.fromEntries(contenders.map((c) => [c, summarizeCached(runs[c], c, n)]))
}

// 2. 1,000 concurrent cold calls.
for (const contender of wanted('cold') ? ['apptoken', 'msal', 'identity'] : []) {
  const runs = []
  for (let rep = 0; rep < settings.coldRepeats; rep++) {
    const r = await child({ kind: 'cold', contender, calls: settings.coldCalls, env })
    runs.push(r)
    log(
      `cold ${settings.coldCalls} calls, ${contender} #${rep + 1}: ${r.error ? 'error' : `${r.requests.token ?? 0} token requests, ${r.wallMs.toFixed(0)} ms`}`,
    )
  }
  const ok = runs.filter((r) => !r.error)
  results.cold[contender] = {
    calls: settings.coldCalls,
    tokenRequests: median(ok.map((r) => r.requests.token ?? 0)),
    tokenRequestsPerRun: runs.map((r) => r.requests.token ?? 0),
    otherRequests: mergeKinds(
      ok.map((r) => r.requests),
      ['token'],
    ),
    wallMs: median(ok.map((r) => r.wallMs)),
    failedCalls: median(ok.map((r) => r.failed)),
    firstError: runs.find((r) => r.firstError || r.error)?.firstError ?? runs.find((r) => r.error)?.error,
  }
}

// 3. HTTP client throughput with the adapter vs a static header.
for (const [client, pkg] of wanted('throughput') ? Object.entries(CLIENTS) : []) {
  if (!adapterBuilt(pkg)) {
    results.throughput[client] = { na: 'adapter not built' }
    log(`throughput ${client}: n/a (adapter not built)`)
    continue
  }
  const runs = []
  for (let rep = 0; rep < settings.throughput.repeats; rep++) {
    const r = await child({
      kind: 'throughput',
      client,
      env,
      echoUrl: servers.echo.url,
      settings: settings.throughput,
    })
    runs.push(r)
    log(
      `throughput ${client} #${rep + 1}: ${r.error ? 'error' : `seq ${r.ratioSeq.toFixed(3)}×, conc ${r.ratioConc.toFixed(3)}×`}`,
    )
  }
  const ok = runs.filter((r) => !r.error)
  if (ok.length === 0) {
    results.throughput[client] = { na: 'error', error: runs[0]?.error }
    continue
  }
  const m = (k) => median(ok.map((r) => r[k]))
  results.throughput[client] = {
    staticSeq: m('staticSeq'),
    adapterSeq: m('adapterSeq'),
    ratioSeq: m('ratioSeq'),
    staticConc: m('staticConc'),
    adapterConc: m('adapterConc'),
    ratioConc: m('ratioConc'),
    concurrency: settings.throughput.concurrency,
  }
}

// 4. 401 storm.
for (const contender of wanted('storm') ? ['apptoken', 'msal'] : []) {
  if (contender === 'apptoken' && !adapterBuilt(CLIENTS.axios)) {
    results.storm[contender] = { na: 'adapter not built' }
    continue
  }
  const runs = []
  for (let rep = 0; rep < settings.stormRepeats; rep++) {
    const r = await child({
      kind: 'storm',
      contender,
      env,
      apiUrl: servers.api.url,
      concurrency: settings.stormConcurrency,
    })
    runs.push(r)
    log(
      `401 storm, ${contender} #${rep + 1}: ${r.error ? 'error' : `${r.tokenRequests} token requests, ${r.recoverMs.toFixed(0)} ms`}`,
    )
  }
  const ok = runs.filter((r) => !r.error)
  results.storm[contender] = ok.length
    ? {
        concurrency: settings.stormConcurrency,
        tokenRequests: median(ok.map((r) => r.tokenRequests)),
        recoverMs: median(ok.map((r) => r.recoverMs)),
        statuses: ok[ok.length - 1].statuses,
      }
    : { na: 'error', error: runs[0]?.error }
}
results.storm.identity = { na: 'getToken cannot bypass its cache' }

// 5. Replicas going cold at once: apptoken on a shared Redis (standalone and Cluster) vs msal-node.
if (wanted('replicas')) results.replicas = await measureReplicas()

await servers.close()

// 5. Import time and install size (no servers needed).
log(`import time: ${settings.importRepeats} fresh processes per package`)
if (wanted('import')) results.import = await measureImportTimes(settings.importRepeats)
if (settings.install && wanted('install')) {
  log('install size: npm pack + npm install into empty projects')
  try {
    results.install = await measureInstallSizes({
      msal: meta.versions['@azure/msal-node'],
      identity: meta.versions['@azure/identity'],
    })
  } catch (error) {
    results.install = { error: String(error.message).slice(0, 2000) }
  }
} else {
  results.install = { skipped: settings.install ? 'not selected by --only' : 'skipped in --quick' }
}

results.checks = only ? [] : verify(results)
results.targets = !only
  ? evaluateTargets(results)
  : wanted('throughput')
    ? evaluateAdapterTargets(results)
    : []
meta.durationS = (Date.now() - started) / 1000

mkdirSync(dirname(jsonPath), { recursive: true })
writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`)
process.stdout.write(renderReport(results))
log(`\nJSON written to ${jsonPath} (${meta.durationS.toFixed(0)} s)`)
// Keep-alive sockets of the clients above must not hold the process open.
process.exit(0)

/**
 * Starts a redis-server and a 6-node Redis Cluster on loopback (the helpers of @apptoken/redis's
 * tests), then for each replica count one child per contender and topology.
 */
async function measureReplicas() {
  const out = { counts: settings.replicaCounts, repeats: settings.replicaRepeats, rows: [] }
  if (!adapterBuilt('@apptoken/redis')) return { ...out, na: 'adapter not built' }
  const redisTest = (file) => pathToFileURL(resolve(REPO, 'packages/redis/test', file)).href
  const { startRedisServer } = await import(redisTest('redis-server.ts'))
  const { startRedisCluster } = await import(redisTest('redis-cluster.ts'))
  let standalone
  let cluster
  try {
    standalone = await startRedisServer()
    cluster = await startRedisCluster()
    const cells = [
      ['apptoken', 'standalone', { topology: 'standalone', port: standalone.port }],
      ['apptoken', 'cluster', { topology: 'cluster', ports: cluster.ports }],
      ['msal', 'none', undefined],
    ]
    for (const count of settings.replicaCounts) {
      for (const [contender, topology, endpoint] of cells) {
        const r = await child({
          kind: 'replicas',
          contender,
          count,
          env,
          endpoint,
          repeats: settings.replicaRepeats,
        })
        const ok = r.error ? [] : r.runs
        const row = {
          contender,
          topology,
          count,
          tokenRequests: median(ok.map((x) => x.tokenRequests)),
          tokenRequestsPerRun: ok.map((x) => x.tokenRequests),
          wallMs: median(ok.map((x) => x.wallMs)),
          everyReplicaServed: ok.length > 0 && ok.every((x) => x.holders === count),
          fallbacks: ok.reduce((n, x) => n + (x.fallbacks ?? 0), 0),
          ...(r.error ? { error: r.error.split('\n')[0] } : {}),
        }
        out.rows.push(row)
        log(
          `replicas ${count}, ${contender} ${topology}: ${r.error ? 'error' : `${row.tokenRequests} token requests, ${row.wallMs.toFixed(0)} ms`}`,
        )
      }
    }
  } catch (error) {
    out.error = String(error.message).slice(0, 2000)
  } finally {
    await standalone?.stop()
    await cluster?.stop()
  }
  return out
}

function summarizeCached(runs, contender, n) {
  const ok = runs.filter((r) => !r.error)
  const m = (pick) => median(ok.map(pick).filter((v) => v !== undefined))
  return {
    usPerOp: m((r) => r.lookup.usPerOp),
    usPerOpSamples: ok.map((r) => r.lookup.usPerOp),
    syncUsPerOp: m((r) => r.syncLookup?.usPerOp),
    defaultUsPerOp: m((r) => r.defaultLookup?.usPerOp),
    fillMs: m((r) => r.fillMs),
    heapPerTokenBytes: m((r) => r.heapPerTokenBytes),
    heapPerTokenAfterFillBytes: m((r) => r.heapPerTokenAfterFillBytes),
    servedFromCache: ok[0]?.servedFromCache,
    requests: mergeKinds(
      runs.map((r) => r.requests),
      [],
    ),
    expectedTokenRequests: contender === 'floor' ? 0 : n + (n === 1 ? 1 : 0),
    repeats: runs.length,
    errors: runs.filter((r) => r.error).map((r) => r.error.split('\n')[0]),
  }
}

/** The largest count of each request kind over the runs (runs are expected to be alike). */
function mergeKinds(list, exclude) {
  const out = {}
  for (const kinds of list)
    for (const [k, v] of Object.entries(kinds ?? {}))
      if (!exclude.includes(k)) out[k] = Math.max(out[k] ?? 0, v)
  return out
}

/** Facts the figures rely on: nobody got a free ride, msal made no discovery calls. */
function verify(r) {
  const checks = []
  const add = (name, pass, detail) => checks.push({ name, pass, detail })
  for (const [n, row] of Object.entries(r.cached)) {
    for (const c of ['apptoken', 'msal', 'identity']) {
      const cell = row[c]
      const token = cell.requests.token ?? 0
      add(
        `cached ${n}: ${c} made one token request per tenant`,
        token === cell.expectedTokenRequests && cell.errors.length === 0,
        `${token} token requests, expected ${cell.expectedTokenRequests}${cell.errors.length ? `; errors: ${cell.errors[0]}` : ''}`,
      )
    }
    const msalOther = Object.entries(row.msal.requests).filter(([k]) => k !== 'token')
    add(
      `cached ${n}: msal-node made no discovery calls`,
      msalOther.length === 0,
      msalOther.length ? JSON.stringify(Object.fromEntries(msalOther)) : 'token requests only',
    )
  }
  const msalColdOther = Object.keys(r.cold.msal?.otherRequests ?? {})
  add(
    'cold: msal-node made no discovery calls',
    msalColdOther.length === 0,
    msalColdOther.length ? JSON.stringify(r.cold.msal.otherRequests) : 'token requests only',
  )
  for (const c of ['apptoken', 'msal', 'identity']) {
    const cold = r.cold[c]
    add(
      `cold: every ${c} call got a token`,
      cold.failedCalls === 0,
      cold.firstError ? `first error: ${cold.firstError}` : `${cold.calls} tokens`,
    )
  }
  return checks
}
