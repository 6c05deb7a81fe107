import type { ProviderHealth, TokenProviderStats } from '@apptoken/core'
import type { Adapter, Traffic } from './clients.js'
import type { JobResult } from './job.js'
import type { ServerRecords } from './offline.js'

/** The machine-readable summary (`--json`); the table shows the same numbers. */
export interface Summary {
  mode: 'offline' | 'tenant'
  authorityHost: string
  graph: { users: number; pages: number }
  /** Per adapter: calls made, HTTP requests sent, and retries after a 401 (requests − calls). */
  adapters: Record<Adapter, { calls: number; requests: number; retries: number }>
  tokens: {
    /** Token requests the provider made (provider.stats()). */
    requests: number
    /** The same, by scope (from the provider's token events). */
    byScope: Record<string, number>
    cacheHits: number
    backgroundRefreshes: number
    /** Retries of token requests after a transient failure (429, 5xx, network). */
    retries: number
  }
  revocation: JobResult['revocation']
  /** provider.health() at the end of the run: what a readiness probe would see. */
  health: ProviderHealth
  /** Offline: what the embedded servers recorded, to check the numbers above against. */
  server?: ServerRecords
  /** Wall time since the process started (start-up and shutdown of the embedded servers included). */
  durationMs: number
}

/** Everything the summary is made of. */
export interface SummaryInput {
  mode: Summary['mode']
  authorityHost: string
  result: JobResult
  traffic: Traffic
  stats: TokenProviderStats
  health: ProviderHealth
  byScope: Record<string, number>
  server: ServerRecords | undefined
  durationMs: number
}

/**
 * Puts the job's numbers together.
 *
 * @example
 * ```ts
 * const summary = buildSummary({ mode: 'offline', authorityHost, result, traffic, stats: provider.stats(), byScope, server, durationMs })
 * ```
 */
export function buildSummary(input: SummaryInput): Summary {
  const adapters = Object.fromEntries(
    Object.entries(input.traffic).map(([adapter, t]) => [
      adapter,
      { calls: t.calls, requests: t.requests, retries: Math.max(0, t.requests - t.calls) },
    ]),
  ) as Summary['adapters']
  const { tokenRequests, cacheHits, backgroundRefreshes, retries } = input.stats
  return {
    mode: input.mode,
    authorityHost: input.authorityHost,
    graph: { users: input.result.users, pages: input.result.pages },
    adapters,
    tokens: { requests: tokenRequests, byScope: input.byScope, cacheHits, backgroundRefreshes, retries },
    revocation: input.result.revocation,
    health: input.health,
    ...(input.server && { server: input.server }),
    durationMs: Math.round(input.durationMs),
  }
}

const row = (cells: readonly (string | number)[]): string =>
  `  ${String(cells[0]).padEnd(8)}${cells
    .slice(1)
    .map((c) => String(c).padStart(11))
    .join('')}`

/**
 * The summary as a table for people.
 *
 * @example
 * ```ts
 * process.stdout.write(formatSummary(summary))
 * ```
 */
export function formatSummary(summary: Summary): string {
  const lines = ['', 'Summary', row(['adapter', 'calls', 'requests', '401 retry'])]
  const totals = { calls: 0, requests: 0, retries: 0 }
  for (const [adapter, a] of Object.entries(summary.adapters)) {
    lines.push(row([adapter, a.calls, a.requests, a.retries]))
    totals.calls += a.calls
    totals.requests += a.requests
    totals.retries += a.retries
  }
  lines.push(row(['total', totals.calls, totals.requests, totals.retries]), '')
  const t = summary.tokens
  const byScope = Object.entries(t.byScope)
    .map(([scope, n]) => `${scope} ${n}`)
    .join(', ')
  lines.push(`  token requests    ${t.requests}${byScope ? `  (${byScope})` : ''}`)
  lines.push(`  cache hits        ${t.cacheHits}`)
  if (t.retries > 0 || t.backgroundRefreshes > 0)
    lines.push(`  token retries     ${t.retries}, background refreshes ${t.backgroundRefreshes}`)
  const h = summary.health
  const failing = h.tokens.filter((tk) => tk.consecutiveFailures > 0).length
  lines.push(
    `  health            ${h.status}, ${h.tokens.length} token${h.tokens.length === 1 ? '' : 's'} cached` +
      (failing > 0 ? `, ${failing} with failures` : ''),
  )
  if (summary.server) {
    const s = summary.server
    const tokens = Object.values(s.tokenRequests).reduce((a, b) => a + b, 0)
    const api = Object.values(s.apiRequests).reduce((a, b) => a + b, 0)
    lines.push(
      `  servers saw       ${tokens} token requests, ${api} API requests, ${s.graphRequests} Graph requests, ${s.unauthorized} × 401`,
    )
  }
  lines.push(`  time              ${(summary.durationMs / 1000).toFixed(2)} s`, '')
  return lines.join('\n')
}
