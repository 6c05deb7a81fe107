import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  clientCertificate,
  clientSecret,
  createTokenProvider,
  type Clock,
  type TokenProviderOptions,
} from '@apptoken/core'
import { createRequestAuthorizer } from '@apptoken/core/adapter'
import { createTestCertificate, TEST_API_AUDIENCE, useTestApis } from '@apptoken/testing'
import { instrumentApptoken, METRIC } from '../src/index.js'

const SCOPE = `${TEST_API_AUDIENCE}/.default`
const WRONG_SECRET = 'Wr0ng~secret.value-that-must-never-show'

const s = useTestApis({ beforeAll, afterAll, beforeEach })
let spans: InMemorySpanExporter
let metricExporter: InMemoryMetricExporter
let reader: PeriodicExportingMetricReader
let meterProvider: MeterProvider
let tracerProvider: BasicTracerProvider
let stop: () => void

beforeEach(() => {
  spans = new InMemorySpanExporter()
  tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
  metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  // Exports only when the test collects (forceFlush): no timer decides what a test sees.
  reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
  meterProvider = new MeterProvider({ readers: [reader] })
  stop = instrumentApptoken({ meterProvider, tracerProvider })
})
afterEach(async () => {
  stop()
  await meterProvider.shutdown()
  await tracerProvider.shutdown()
})

function provider(options: Partial<TokenProviderOptions> = {}) {
  return createTokenProvider({
    ...s.authority.providerOptions,
    credential: clientSecret(s.authority.clientSecret),
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
  })
}

/** The data points of each metric, by name, as the SDK exported them. */
async function collect(): Promise<Map<string, DataPoint<unknown>[]>> {
  await reader.forceFlush()
  const all = metricExporter.getMetrics()
  const last = all[all.length - 1]
  const byName = new Map<string, DataPoint<unknown>[]>()
  for (const scope of last?.scopeMetrics ?? [])
    for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric.dataPoints)
  return byName
}

describe('instrumentApptoken', () => {
  it('records a CLIENT span per network token request, none per cache hit, and the request metrics', async () => {
    const p = provider()
    s.authority.failNext({ status: 503 })
    const token = await p.getToken(SCOPE)
    await p.getToken(SCOPE)
    await p.getToken(SCOPE)

    const finished = spans.getFinishedSpans()
    expect(finished).toHaveLength(1)
    const span = finished[0]!
    expect(span.name).toBe('apptoken token_request')
    expect(span.kind).toBe(SpanKind.CLIENT)
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR)
    expect(span.attributes).toEqual({
      'server.address': new URL(s.authority.authorityHost).host,
      'apptoken.tenant.id': s.authority.tenantId,
      'apptoken.client.id': s.authority.clientId,
      'apptoken.scopes': [SCOPE],
      'apptoken.credential.kind': 'client_secret',
      'apptoken.request.reason': 'missing',
      'apptoken.outcome': 'success',
      'apptoken.retry_count': 1,
    })

    const metrics = await collect()
    expect(metrics.get(METRIC.requests)).toEqual([
      expect.objectContaining({
        attributes: { 'apptoken.outcome': 'success', 'apptoken.credential.kind': 'client_secret' },
        value: 1,
      }),
    ])
    expect(metrics.get(METRIC.duration)![0]!.value).toMatchObject({ count: 1 })
    const lookups = Object.fromEntries(
      metrics.get(METRIC.cacheLookups)!.map((d) => [d.attributes['apptoken.cache.result'], d.value]),
    )
    expect(lookups).toEqual({ miss: 1, hit: 2 })
    const [expiry] = metrics.get(METRIC.tokenExpiry)!
    expect(expiry!.attributes).toEqual({
      'apptoken.tenant.id': s.authority.tenantId,
      'apptoken.scopes': SCOPE,
    })
    expect(expiry!.value).toBeGreaterThan(3500)
    expect(expiry!.value).toBeLessThanOrEqual((token.expiresAt - Date.now()) / 1000 + 1)
    await p.close()
  })

  it('records an error span with the status and AADSTS code, and no secret in any attribute', async () => {
    const p = provider({ credential: clientSecret(WRONG_SECRET) })
    await expect(p.getToken(SCOPE)).rejects.toMatchObject({ aadsts: 'AADSTS7000215' })

    const [span] = spans.getFinishedSpans()
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'ERR_TOKEN_REQUEST AADSTS7000215' })
    expect(span!.attributes).toMatchObject({
      'apptoken.outcome': 'error',
      'error.type': 'ERR_TOKEN_REQUEST',
      'http.response.status_code': 401,
      'apptoken.aadsts': 'AADSTS7000215',
    })
    const metrics = await collect()
    expect(metrics.get(METRIC.requests)).toEqual([
      expect.objectContaining({
        attributes: {
          'apptoken.outcome': 'error',
          'apptoken.credential.kind': 'client_secret',
          'error.type': 'ERR_TOKEN_REQUEST',
        },
        value: 1,
      }),
    ])
    const exported = JSON.stringify({
      spans: spans
        .getFinishedSpans()
        .map((s) => ({ attributes: s.attributes, status: s.status, events: s.events })),
      metrics: [...metrics.values()],
    })
    expect(exported).not.toContain(WRONG_SECRET)
    expect(exported).not.toMatch(/eyJ[A-Za-z0-9_-]{8}/)
    await p.close()
  })

  it('counts failed background refreshes and 401 retries', async () => {
    let now = Date.now()
    const clock: Clock = { now: () => now, sleep: () => Promise.resolve() }
    const p = provider({ clock, retry: { maxRetries: 0 } })
    const first = await p.getToken(SCOPE)
    s.authority.failNext({ status: 400, error: 'invalid_client', aadsts: 7000222 })
    now = first.refreshAt + 1
    await p.getToken(SCOPE)
    await expect.poll(() => p.health().status).toBe('degraded')

    const auth = createRequestAuthorizer(p, { scopes: SCOPE }, { baseUrl: s.api.url, adapter: 'test' })
    const sent = await auth.authorize(`${s.api.url}/api/todolist`)
    await auth.onUnauthorized({
      url: `${s.api.url}/api/todolist`,
      wwwAuthenticate: undefined,
      token: sent!.token,
      retried: false,
    })

    const metrics = await collect()
    expect(metrics.get(METRIC.refreshFailures)).toEqual([
      expect.objectContaining({ attributes: { 'error.type': 'ERR_TOKEN_REQUEST' }, value: 1 }),
    ])
    expect(metrics.get(METRIC.unauthorizedRetries)).toEqual([
      expect.objectContaining({
        attributes: { 'server.address': new URL(s.api.url).host, 'apptoken.claims_challenge': false },
        value: 1,
      }),
    ])
    const reasons = spans.getFinishedSpans().map((s) => s.attributes['apptoken.request.reason'])
    expect(reasons).toEqual(['missing', 'background', 'forced'])
    await p.close()
  })

  it("reports seconds until the certificate's notAfter", async () => {
    const cert = await createTestCertificate({ days: 20 })
    s.authority.registerClient({
      clientId: '6c1f0b52-0d1e-4c3a-9f5e-3b7d2a8e4c61',
      certificates: [cert.certificate],
    })
    const p = provider({
      clientId: '6c1f0b52-0d1e-4c3a-9f5e-3b7d2a8e4c61',
      credential: clientCertificate({ certificate: cert.combinedPem }),
    })
    await p.getToken(SCOPE).catch(() => undefined) // no roles needed: the gauge is about the certificate
    const [point] = (await collect()).get(METRIC.credentialExpiry)!
    expect(point!.attributes).toEqual({
      'apptoken.credential.kind': 'client_certificate',
      'apptoken.certificate.thumbprint': cert.x5tS256,
    })
    expect(point!.value).toBeGreaterThan(19 * 86_400)
    expect(point!.value).toBeLessThanOrEqual(20 * 86_400)
    await p.close()
  })

  it('stops recording once disposed', async () => {
    stop()
    const p = provider()
    await p.getToken(SCOPE)
    expect(spans.getFinishedSpans()).toEqual([])
    expect((await collect()).get(METRIC.requests)).toBeUndefined()
    await p.close()
  })
})
