/**
 * The token clients under test, each set up the way its users set it up for a multi-tenant daemon,
 * all against the same local authority. Every contender exposes:
 *   get(tenantId)   cached-or-fetched token for that tenant (per-call tenant)
 *   getDefault()    token for the configured tenant, no per-call options
 *   refresh()       a token that bypasses the cache (for the 401 storm)
 *   close()
 */
import { pathToFileURL } from 'node:url'
import { SCOPE } from './config.mjs'

export async function createContender(name, env) {
  switch (name) {
    case 'floor':
      return createFloor(env)
    case 'apptoken':
      return createApptoken(env)
    case 'apptoken-otel':
      return createInstrumentedApptoken(env)
    case 'apptoken-baseline':
      // Another build of @apptoken/core (APPTOKEN_BASELINE_CORE=/path/to/dist/index.js), e.g. before a change.
      return createApptoken(env, pathToFileURL(process.env.APPTOKEN_BASELINE_CORE).href)
    case 'msal':
      return createMsal(env)
    case 'identity':
      return createIdentity(env)
    default:
      throw new Error(`unknown contender ${name}`)
  }
}

/**
 * A Map lookup plus an expiry check: the least any cache can do. Its "token request" copies a
 * real token into a fresh string, so heap figures compare like with like.
 */
function createFloor(env) {
  const map = new Map()
  const sample = Buffer.from(env.sampleToken, 'latin1')
  let serial = 0
  const fetchToken = (tenantId) => {
    const bytes = Buffer.from(sample)
    bytes.write(String(serial++).padStart(10, '0'), bytes.length - 10, 'latin1')
    const entry = { accessToken: bytes.toString('latin1'), expiresAt: Date.now() + 3_600_000, tenantId }
    map.set(tenantId, entry)
    return entry
  }
  const lookup = (tenantId) => {
    const entry = map.get(tenantId)
    if (entry !== undefined && entry.expiresAt > Date.now()) return entry
    return fetchToken(tenantId)
  }
  return {
    // What a hand-written async getToken costs: the same lookup, awaited.
    get: async (tenantId) => lookup(tenantId),
    getSync: lookup,
    getDefault: async () => lookup(env.tenantId),
    refresh: async () => fetchToken(env.tenantId),
    close: async () => {},
  }
}

async function createApptoken(env, core = '@apptoken/core') {
  const { createTokenProvider, clientSecret } = await import(core)
  const provider = createTokenProvider({
    authorityHost: env.authorityHost,
    tenantId: env.tenantId,
    clientId: env.clientId,
    credential: clientSecret(env.clientSecret),
    allowedTenants: '*',
  })
  return {
    provider,
    get: (tenantId) => provider.getToken(SCOPE, { tenantId }),
    getDefault: () => provider.getToken(SCOPE),
    refresh: () => provider.getToken(SCOPE, { forceRefresh: true }),
    close: () => provider.close(),
  }
}

/**
 * apptoken with `instrumentApptoken()` active on the real OpenTelemetry SDKs (a meter provider with
 * a reader, a tracer provider with a span processor): what a cache hit costs when someone listens.
 */
async function createInstrumentedApptoken(env) {
  const { instrumentApptoken } = await import('@apptoken/opentelemetry')
  const { MeterProvider, InMemoryMetricExporter, PeriodicExportingMetricReader, AggregationTemporality } =
    await import('@opentelemetry/sdk-metrics')
  const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } =
    await import('@opentelemetry/sdk-trace-base')
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())],
  })
  const stop = instrumentApptoken({ meterProvider, tracerProvider })
  const inner = await createApptoken(env)
  return {
    ...inner,
    close: async () => {
      stop()
      await inner.close()
      await meterProvider.shutdown()
      await tracerProvider.shutdown()
    },
  }
}

/**
 * One ConfidentialClientApplication with the tenant's authority per request, as msal documents
 * for multi-tenant daemons (and as @azure/identity does internally). `knownAuthorities`,
 * `authorityMetadata` and `cloudDiscoveryMetadata` spare it every discovery call.
 */
async function createMsal(env) {
  const { ConfidentialClientApplication } = await import('@azure/msal-node')
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: env.clientId,
      clientSecret: env.clientSecret,
      authority: `${env.authorityHost}/${env.tenantId}`,
      knownAuthorities: [new URL(env.authorityHost).host],
      authorityMetadata: env.authorityMetadata,
      cloudDiscoveryMetadata: env.cloudDiscoveryMetadata,
    },
  })
  const scopes = [SCOPE]
  return {
    get: (tenantId) =>
      cca.acquireTokenByClientCredential({ scopes, authority: `${env.authorityHost}/${tenantId}` }),
    getDefault: () => cca.acquireTokenByClientCredential({ scopes }),
    refresh: () => cca.acquireTokenByClientCredential({ scopes, skipCache: true }),
    close: async () => {},
  }
}

async function createIdentity(env) {
  const { ClientSecretCredential } = await import('@azure/identity')
  const credential = new ClientSecretCredential(env.tenantId, env.clientId, env.clientSecret, {
    authorityHost: env.authorityHost,
    disableInstanceDiscovery: true,
    additionallyAllowedTenants: ['*'],
  })
  return {
    get: (tenantId) => credential.getToken(SCOPE, { tenantId }),
    getDefault: () => credential.getToken(SCOPE),
    refresh: undefined, // getToken has no way to skip its cache
    close: async () => {},
  }
}
