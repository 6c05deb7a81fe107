import { DEFAULT_CLIENT_SECRET } from '@apptoken/testing'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Summary } from '../src/summary.js'
import { JWT, runDemo, type DemoRun } from './support.js'

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default'
const API_SCOPE = 'api://apptoken-test-api/.default'
const FIRST_LINE =
  /^apptoken demo — offline: using the embedded test authority at http:\/\/127\.0\.0\.1:\d+ \(no tenant needed\)$/

describe('offline, --json', () => {
  let run: DemoRun
  let summary: Summary

  beforeAll(async () => {
    run = await runDemo(['--json'])
    summary = JSON.parse(run.stdout) as Summary
  })

  it('exits 0 with only the JSON summary on stdout, the narration on stderr', () => {
    expect(run.code).toBe(0)
    expect(run.stdout.trim().startsWith('{')).toBe(true)
    expect(run.stderr.split('\n')[0]).toMatch(FIRST_LINE)
    expect(summary.mode).toBe('offline')
  })

  it('makes one token request per resource, one more after the revocation, and no others', () => {
    expect(summary.tokens.requests).toBe(3)
    expect(summary.tokens.byScope).toEqual({ [GRAPH_SCOPE]: 1, [API_SCOPE]: 2 })
    // The authority agrees.
    expect(summary.server!.tokenRequests).toEqual({ [API_SCOPE]: 2, [GRAPH_SCOPE]: 1 })
    expect(summary.tokens.retries).toBe(0)
    expect(summary.tokens.backgroundRefreshes).toBe(0)
  })

  it('pages through every user of the directory with the Graph SDK, one request per page', () => {
    expect(summary.graph).toEqual({ users: 420, pages: 5 })
    expect(summary.adapters.graph).toEqual({ calls: 5, requests: 5, retries: 0 })
    expect(summary.server!.graphRequests).toBe(5)
  })

  it('calls the API twice through each adapter, then once more after the revocation; only the first of those retries', () => {
    expect(summary.adapters.axios).toEqual({ calls: 3, requests: 4, retries: 1 })
    for (const adapter of ['ky', 'got', 'fetch'] as const)
      expect(summary.adapters[adapter]).toEqual({ calls: 3, requests: 3, retries: 0 })
    expect(summary.revocation).toEqual({ simulated: true, retried: ['axios'] })
    // What the API received, by the adapter named in each request's User-Agent.
    expect(summary.server!.apiRequests).toEqual({ axios: 4, ky: 3, got: 3, fetch: 3 })
    expect(summary.server!.unauthorized).toBe(1)
  })

  it('serves every other token from the cache: one lookup per call, minus the two first requests', () => {
    const calls = Object.values(summary.adapters).reduce((n, a) => n + a.calls, 0)
    expect(summary.tokens.cacheHits).toBe(calls - 2)
  })

  it('reports health(): ok, with the two cached tokens and no failures', () => {
    expect(summary.health.status).toBe('ok')
    expect(summary.health.tokens.map((t) => t.scopes).sort()).toEqual([[API_SCOPE], [GRAPH_SCOPE]].sort())
    for (const t of summary.health.tokens) {
      expect(t.consecutiveFailures).toBe(0)
      expect(t.expiresAt).toBeGreaterThan(Date.now())
    }
  })

  it('reports how long the run took', () => {
    expect(summary.durationMs).toBeGreaterThan(0)
  })

  it('never prints a token', () => {
    expect(run.stdout + run.stderr).not.toMatch(JWT)
  })
})

describe('offline, for people', () => {
  it('narrates each step and ends with the summary table', async () => {
    const run = await runDemo([])
    expect(run.code).toBe(0)
    const lines = run.stdout.split('\n')
    expect(lines[0]).toMatch(FIRST_LINE)
    // Not a terminal: one plain line per page instead of a progress bar.
    expect(run.stdout).toContain('  page 1: 100 users (100 so far)')
    expect(run.stdout).toContain('  420 users in 5 pages')
    expect(run.stdout).not.toContain('\r')
    expect(run.stdout).toMatch(/ {2}health {12}ok, 2 tokens cached\n/)
    expect(run.stdout).toMatch(/axios\s+GET 401 → one forced refresh → retried once → 200/)
    expect(run.stdout).toMatch(/ky\s+GET using the refreshed token from the cache → 200/)
    expect(lines).toContainEqual(expect.stringMatching(/^\s+axios\s+3\s+4\s+1$/))
    expect(lines).toContainEqual(expect.stringMatching(/^\s+total\s+17\s+18\s+1$/))
    expect(run.stdout).toMatch(
      /token requests\s+3 {2}\(https:\/\/graph\.microsoft\.com\/\.default 1, api:\/\/apptoken-test-api\/\.default 2\)/,
    )
    expect(run.stderr).toBe('')
  })

  it('--verbose logs token events to stderr, never a token or the secret', async () => {
    const run = await runDemo(['--verbose'])
    expect(run.code).toBe(0)
    const acquired = run.stderr.split('\n').filter((l) => l.includes('token_acquired'))
    expect(acquired).toHaveLength(3)
    expect(acquired[0]).toMatch(
      /^\[apptoken\] info +token_acquired source=authority .*scopes=https:\/\/graph\.microsoft\.com\/\.default/,
    )
    expect(run.stderr).toContain('cache_hit')
    expect(run.stdout + run.stderr).not.toMatch(JWT)
    expect(run.stdout + run.stderr).not.toContain(DEFAULT_CLIENT_SECRET)
  })
})

describe('flags', () => {
  it('--help lists the flags and exits 0', async () => {
    const run = await runDemo(['--help'])
    expect(run.code).toBe(0)
    for (const flag of ['--config <file>', '--offline', '--json', '--verbose', '--help'])
      expect(run.stdout).toContain(flag)
    expect(run.stderr).toBe('')
  })

  it('an unknown flag is a usage error: exit 2', async () => {
    const run = await runDemo(['--jsno'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("Unknown option '--jsno'")
    expect(run.stdout).toBe('')
  })
})
