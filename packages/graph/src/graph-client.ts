import type { TokenProvider } from '@apptoken/core'
import type { RequestAuthorizer } from '@apptoken/core/adapter'
import { ConfigurationError } from '@apptoken/core'
import {
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type ClientOptions,
  type Middleware,
} from '@microsoft/microsoft-graph-client'
import { AppTokenMiddleware } from './app-token-middleware.js'
import { customHostsOf, graphAuthorizer, graphBaseUrl, type GraphTargetOptions } from './graph-authorizer.js'
import { HopGuard } from './hop-guard.js'

/**
 * Options of {@link createGraphClient}: the SDK's `ClientOptions` (except `authProvider`) plus the cloud and scopes.
 *
 * @example
 * ```ts
 * const options: GraphClientOptions = { cloud: AzureCloud.USGovernment, defaultVersion: 'beta' }
 * ```
 */
export interface GraphClientOptions
  extends Omit<ClientOptions, 'authProvider' | 'middleware' | 'customHosts' | 'baseUrl'>, GraphTargetOptions {
  /**
   * Handlers that replace the SDK's tail (retry, redirect, telemetry, HTTP); the app token handler
   * stays first, and a guard that drops the token on hops to other hosts goes right before the last.
   */
  middleware?: Middleware | Middleware[]
}

/**
 * A Graph v3 `Client` authenticated as the app: the token goes only to the cloud's Graph hosts,
 * `customHosts` and `baseUrl`, checked again on every hop (redirects included) on the URL fetch
 * really requests; a 401 from those is retried once after a refresh; the SDK's retry
 * (429/503/504), redirect and telemetry handlers are kept.
 *
 * @example
 * ```ts
 * const client = createGraphClient(provider)
 * const users = await client.api('/users').select('displayName').get()
 * ```
 */
export function createGraphClient(provider: TokenProvider, options: GraphClientOptions = {}): Client {
  const {
    cloud: _cloud,
    scopes: _scopes,
    tenantId: _tenantId,
    customHosts: _customHosts,
    middleware,
    ...clientOptions
  } = options
  const baseUrl = options.baseUrl ?? graphBaseUrl(options)
  const target = { ...options, baseUrl }
  const defaultAuthorizer = graphAuthorizer(provider, target, 'createGraphClient')
  const authorizers = new Map<string, RequestAuthorizer>([['', defaultAuthorizer]])
  const authorizerFor = (scopes: readonly string[] = []): RequestAuthorizer => {
    const key = scopes.join(' ')
    let auth = authorizers.get(key)
    if (auth === undefined)
      authorizers.set(key, (auth = graphAuthorizer(provider, target, 'createGraphClient', scopes)))
    return auth
  }
  const tail = [middleware ?? defaultTail()].flat()
  if (
    tail.length === 0 ||
    tail.some((m) => typeof (m as Partial<Middleware> | null)?.execute !== 'function')
  ) {
    throw new ConfigurationError(
      'middleware',
      'it is not a list of Graph middleware',
      'pass handlers such as [new RetryHandler(), new HTTPMessageHandler()], or omit it',
    )
  }
  const customHosts = customHostsOf(options)
  // Every allowed origin is the same for all scopes: the default authorizer decides for each hop.
  const guard = new HopGuard((url) => defaultAuthorizer.isAllowed(url))
  return Client.initWithMiddleware({
    ...clientOptions,
    baseUrl,
    middleware: [new AppTokenMiddleware(authorizerFor), ...tail.slice(0, -1), guard, ...tail.slice(-1)],
    ...(customHosts.length > 0 && { customHosts: new Set(customHosts) }),
  })
}

/** The SDK's default chain after authentication (MiddlewareFactory.getDefaultMiddlewareChain, Node). */
function defaultTail(): Middleware[] {
  return [
    new RetryHandler(new RetryHandlerOptions()),
    new RedirectHandler(new RedirectHandlerOptions()),
    new TelemetryHandler(),
    new HTTPMessageHandler(),
  ]
}
