import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type MeterProvider,
  type Span,
  type TracerProvider,
} from '@opentelemetry/api'
import {
  ApptokenChannels,
  type CacheLookupEvent,
  type CredentialValidityEvent,
  type RefreshEvent,
  type TokenAcquiredEvent,
  type TokenRequestContext,
  type UnauthorizedRetryEvent,
} from '@apptoken/core'
import { ATTR, INSTRUMENTATION_NAME, METRIC } from './names.js'

/**
 * Options of {@link instrumentApptoken}.
 *
 * @example
 * ```ts
 * const { metrics, trace } = await import('@opentelemetry/api')
 * const options: InstrumentApptokenOptions = { meterProvider: metrics.getMeterProvider(), tracerProvider: trace.getTracerProvider() }
 * ```
 */
export interface InstrumentApptokenOptions {
  /** Where metrics go. Default: the global meter provider (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider
  /** Where spans go. Default: the global tracer provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider
}

const scopesKey = (scopes: string | readonly string[]): string =>
  typeof scopes === 'string' ? scopes : scopes.join(' ')

/**
 * Subscribes to apptoken's `node:diagnostics_channel` events and records them as OpenTelemetry
 * metrics and spans: `apptoken.token.requests`, `apptoken.token.request.duration`,
 * `apptoken.cache.lookups`, `apptoken.token.refresh.failures`,
 * `apptoken.http.unauthorized_retries`, the gauges `apptoken.token.expiry` and
 * `apptoken.credential.expiry`, and one `apptoken token_request` span (kind CLIENT) per token
 * request that reaches the network — never per cache hit. No attribute holds a token or secret.
 * Call it before the first token request, so the gauges see every token and certificate.
 * Returns a function that unsubscribes.
 *
 * @example
 * ```ts
 * import { instrumentApptoken } from '@apptoken/opentelemetry'
 * const stop = instrumentApptoken() // the global meter and tracer providers
 * // ... on shutdown:
 * stop()
 * ```
 */
export function instrumentApptoken(options: InstrumentApptokenOptions = {}): () => void {
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_NAME)
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME)

  const requests = meter.createCounter(METRIC.requests, {
    description: 'Token requests that reached the authority, by outcome',
    unit: '{request}',
  })
  const duration = meter.createHistogram(METRIC.duration, {
    description: 'Duration of token requests, retries included',
    unit: 's',
  })
  // Observed, not added per call: a cache hit costs one increment here, not an SDK `add`.
  const lookups = meter.createObservableCounter(METRIC.cacheLookups, {
    description: 'getToken calls answered (hit, stale) or missed by the in-process cache',
    unit: '{lookup}',
  })
  const refreshFailures = meter.createCounter(METRIC.refreshFailures, {
    description: 'Background refreshes that failed while a valid token was still served',
    unit: '{failure}',
  })
  const unauthorized = meter.createCounter(METRIC.unauthorizedRetries, {
    description: 'Requests re-sent with a new token after an API answered 401',
    unit: '{retry}',
  })
  const tokenExpiry = meter.createObservableGauge(METRIC.tokenExpiry, {
    description: 'Seconds until the cached token of each tenant and scopes expires',
    unit: 's',
  })
  const credentialExpiry = meter.createObservableGauge(METRIC.credentialExpiry, {
    description: "Seconds until the client certificate's notAfter",
    unit: 's',
  })

  const tokens = new Map<string, { attributes: Attributes; expiresAt: number }>()
  const certificates = new Map<string, { attributes: Attributes; notAfter: number }>()
  const observeTokens = (result: { observe(value: number, attributes?: Attributes): void }) => {
    const now = Date.now()
    for (const t of tokens.values()) result.observe((t.expiresAt - now) / 1000, t.attributes)
  }
  const observeCertificates = (result: { observe(value: number, attributes?: Attributes): void }) => {
    const now = Date.now()
    for (const c of certificates.values()) result.observe((c.notAfter - now) / 1000, c.attributes)
  }
  const lookupCounts = { hit: 0, miss: 0, stale: 0 }
  const observeLookups = (result: { observe(value: number, attributes?: Attributes): void }) => {
    for (const [key, count] of Object.entries(lookupCounts))
      if (count > 0) result.observe(count, { [ATTR.cacheResult]: key })
  }
  lookups.addCallback(observeLookups)
  tokenExpiry.addCallback(observeTokens)
  credentialExpiry.addCallback(observeCertificates)

  const spans = new WeakMap<object, { span: Span; started: number }>()
  const channel = tracingChannel<unknown, TokenRequestContext>(ApptokenChannels.tokenRequest)
  const handlers = {
    start(ctx: TokenRequestContext) {
      const span = tracer.startSpan(
        'apptoken token_request',
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR.serverAddress]: ctx.authorityHost,
            [ATTR.tenant]: ctx.tenantId,
            [ATTR.clientId]: ctx.clientId,
            [ATTR.scopes]: [...ctx.scopes],
            [ATTR.credentialKind]: ctx.credentialKind,
            [ATTR.reason]: ctx.reason,
          },
        },
        context.active(),
      )
      spans.set(ctx, { span, started: performance.now() })
    },
    end() {},
    asyncStart() {},
    error() {},
    asyncEnd(ctx: TokenRequestContext) {
      const open = spans.get(ctx)
      if (open === undefined) return
      spans.delete(ctx)
      const { span, started } = open
      const outcome = ctx.outcome ?? (ctx.error === undefined ? 'success' : 'error')
      const attributes: Attributes = { [ATTR.outcome]: outcome, [ATTR.credentialKind]: ctx.credentialKind }
      if (outcome === 'error') attributes[ATTR.errorType] = ctx.errorType ?? 'Error'
      requests.add(1, attributes)
      duration.record((performance.now() - started) / 1000, attributes)
      span.setAttribute(ATTR.outcome, outcome)
      span.setAttribute(ATTR.retryCount, ctx.retries)
      if (outcome === 'error') {
        span.setAttribute(ATTR.errorType, ctx.errorType ?? 'Error')
        if (ctx.status !== undefined) span.setAttribute(ATTR.httpStatus, ctx.status)
        if (ctx.aadsts !== undefined) span.setAttribute(ATTR.aadsts, ctx.aadsts)
        // The code only: an error's message may quote what the authority said.
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: [ctx.errorType, ctx.aadsts].filter(Boolean).join(' '),
        })
      }
      span.end()
    },
  }
  channel.subscribe(handlers)

  const plain: [string, (message: unknown) => void][] = [
    [ApptokenChannels.cacheLookup, (m) => void lookupCounts[(m as CacheLookupEvent).result]++],
    [
      ApptokenChannels.refreshFailed,
      (m) => refreshFailures.add(1, { [ATTR.errorType]: (m as RefreshEvent).errorType ?? 'Error' }),
    ],
    [
      ApptokenChannels.unauthorizedRetry,
      (m) => {
        const e = m as UnauthorizedRetryEvent
        unauthorized.add(1, {
          [ATTR.serverAddress]: hostOf(e.origin),
          [ATTR.claimsChallenge]: e.claimsChallenge,
        })
      },
    ],
    [
      ApptokenChannels.tokenAcquired,
      (m) => {
        const e = m as TokenAcquiredEvent
        const scopes = scopesKey(e.scopes)
        tokens.set(`${e.clientId}\u0000${e.tenantId}\u0000${scopes}`, {
          attributes: { [ATTR.tenant]: e.tenantId, [ATTR.scopes]: scopes },
          expiresAt: e.expiresAt,
        })
      },
    ],
    [
      ApptokenChannels.credentialValidity,
      (m) => {
        const e = m as CredentialValidityEvent
        certificates.set(e.thumbprint, {
          attributes: { [ATTR.credentialKind]: e.credentialKind, [ATTR.thumbprint]: e.thumbprint },
          notAfter: e.notAfter,
        })
      },
    ],
  ]
  for (const [name, fn] of plain) subscribe(name, fn)

  let stopped = false
  return () => {
    if (stopped) return
    stopped = true
    channel.unsubscribe(handlers)
    for (const [name, fn] of plain) unsubscribe(name, fn)
    lookups.removeCallback(observeLookups)
    tokenExpiry.removeCallback(observeTokens)
    credentialExpiry.removeCallback(observeCertificates)
  }
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).host
  } catch {
    return ''
  }
}
