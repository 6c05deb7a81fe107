// Smoke test of `npm run bench -- --quick`: the benchmark still runs end to end and reports
// every section. It asserts structure and request counts only, never timings.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))

describe('bench --quick', () => {
  let dir
  let results
  let stdout

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apptoken-bench-smoke-'))
    const out = join(dir, 'quick.json')
    ;({ stdout } = await promisify(execFile)(process.execPath, ['src/run.mjs', '--quick', '--json', out], {
      cwd: BENCH_DIR,
      maxBuffer: 16 * 1024 * 1024,
    }))
    results = JSON.parse(readFileSync(out, 'utf8'))
  })

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('writes every section to the JSON file', () => {
    expect(Object.keys(results).sort()).toEqual([
      'cached',
      'checks',
      'cold',
      'diagnostics',
      'heap',
      'import',
      'install',
      'meta',
      'replicas',
      'storm',
      'targets',
      'throughput',
    ])
    expect(results.meta).toMatchObject({ mode: 'quick', node: process.version })
    expect(results.meta.nproc).toBeGreaterThan(0)
  })

  it('measures a cached lookup for every contender at every cache size', () => {
    expect(Object.keys(results.cached).map(Number)).toEqual([1, 10, 100, 1000])
    for (const row of Object.values(results.cached)) {
      for (const contender of ['floor', 'apptoken', 'msal', 'identity']) {
        expect(row[contender].errors).toEqual([])
        expect(row[contender].usPerOp).toBeGreaterThan(0)
      }
    }
    expect(results.heap.tenants).toBe(1000)
    expect(results.heap.apptoken.bytesPerToken).toBeGreaterThan(0)
  })

  it('sends one token request for 1,000 concurrent cold apptoken calls, and every call gets a token', () => {
    expect(results.cold.apptoken).toMatchObject({ calls: 1000, tokenRequests: 1, failedCalls: 0 })
    expect(results.cold.msal.failedCalls).toBe(0)
    expect(results.cold.identity.failedCalls).toBe(0)
  })

  it('passes its own checks: one token request per tenant, no msal discovery calls', () => {
    expect(results.checks.length).toBeGreaterThan(0)
    expect(results.checks.filter((c) => !c.pass)).toEqual([])
  })

  it('has a throughput row per HTTP client, measured or marked n/a', () => {
    expect(Object.keys(results.throughput)).toEqual([
      'axios',
      'ky',
      'got',
      'fetch',
      'undici',
      'ky (vs no-op hooks)',
      'got (vs no-op hooks)',
      'axios A/A (static vs static)',
    ])
    for (const row of Object.values(results.throughput)) {
      if (row.na === undefined) expect(row.ratioSeq).toBeGreaterThan(0)
      else expect(row.na).toBe('adapter not built')
    }
  })

  it('recovers from the 401 storm with one token request (apptoken) against one per request (msal)', () => {
    if (results.storm.apptoken.na === undefined)
      expect(results.storm.apptoken).toMatchObject({ tokenRequests: 1, statuses: { 200: 50 } })
    expect(results.storm.msal).toMatchObject({ tokenRequests: 50, statuses: { 200: 50 } })
  })

  it('measures import time, skips install size, and judges each target', () => {
    for (const name of ['apptoken', 'msal', 'identity']) expect(results.import[name].ms).toBeGreaterThan(0)
    expect(results.install).toEqual({ skipped: 'skipped in --quick' })
    // issue 9's seven (axios among them), then the other four adapters of issue 14.
    expect(results.targets).toHaveLength(11)
    expect(results.targets.at(-1).met).toBeNull()
  })

  it('prints the Markdown report', () => {
    expect(stdout).toContain('### Cached getToken')
    expect(stdout).toContain('### Targets (issues 9 and 14)')
  })

  it('replicas: one token request however many apptoken replicas go cold, one per replica for msal-node', () => {
    expect(results.replicas.counts).toEqual([1, 10])
    for (const row of results.replicas.rows) {
      expect(row.error).toBeUndefined()
      expect(row.everyReplicaServed).toBe(true)
      expect(row.tokenRequests).toBe(row.contender === 'msal' ? row.count : 1)
    }
    expect(stdout).toContain('### Replicas going cold at once')
  })
})
