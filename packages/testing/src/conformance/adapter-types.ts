import type { ConformanceCore, ConformanceProvider } from './runner.js'

/**
 * What a client under test is made with.
 *
 * @example
 * ```ts
 * import axios from 'axios'
 * import type { TokenProvider } from '@apptoken/core'
 * import { attachAppToken } from '@apptoken/axios'
 * const createClient = ({ provider, baseUrl, scopes }: ClientSetup): ConformanceClient => {
 *   const api = axios.create({ baseURL: baseUrl })
 *   attachAppToken(api, provider as TokenProvider, { scopes })
 *   return { send: async (r) => ({ status: (await api.request({ url: r.path ?? r.url, method: r.method, data: r.body, validateStatus: () => true })).status }) }
 * }
 * ```
 */
export interface ClientSetup {
  /** An `@apptoken/core` token provider (a fresh one per test). */
  provider: ConformanceProvider
  /** The protected API's origin: the client's base URL, the only origin that may get the token. */
  baseUrl: string
  scopes: string
}

/**
 * One request the suite asks the client to send. Send it exactly as the client's users would.
 *
 * @example
 * ```ts
 * const request: ConformanceRequest = { method: 'POST', url: 'http://127.0.0.1:4000/api/echo', path: 'api/echo', body: '{"a":1}' }
 * ```
 */
export interface ConformanceRequest {
  method: 'GET' | 'POST'
  /** The absolute URL. */
  url: string
  /** The same URL relative to `baseUrl` (no leading slash), or `undefined` for another origin. */
  path: string | undefined
  /** A JSON text body. */
  body?: string
  /** Send `body` as a stream (a Node `Readable` or a `ReadableStream`, as the client takes it). */
  stream?: boolean
  signal?: AbortSignal
}

/**
 * What the client returned. Resolve with the status of any answer (4xx included); reject only
 * when the client itself fails (network error, abort).
 *
 * @example
 * ```ts
 * const response: ConformanceResponse = { status: 401 }
 * ```
 */
export interface ConformanceResponse {
  status: number
}

/**
 * A client bound to one provider.
 *
 * @example
 * ```ts
 * const client: ConformanceClient = { send: async (r) => ({ status: (await fetch(r.url, { method: r.method, body: r.body ?? null })).status }) }
 * ```
 */
export interface ConformanceClient {
  send(request: ConformanceRequest): Promise<ConformanceResponse>
  close?(): Promise<void> | void
}

/**
 * An adapter under test.
 *
 * @example
 * ```ts
 * import { describe, it, beforeAll, afterAll } from 'vitest'
 * import * as core from '@apptoken/core'
 * const createClient: AdapterUnderTest['createClient'] = () => ({ send: async (r) => ({ status: (await fetch(r.url)).status }) })
 * const adapter: AdapterUnderTest = { name: '@apptoken/axios', core, createClient }
 * adapterConformance(adapter, { describe, it, beforeAll, afterAll })
 * ```
 */
export interface AdapterUnderTest {
  name: string
  core: ConformanceCore
  createClient(setup: ClientSetup): ConformanceClient | Promise<ConformanceClient>
  /** Whether the client follows redirects by itself (default true); the redirect tests need it. */
  followsRedirects?: boolean
  /**
   * The redirect statuses the client follows for a GET (default all of 301, 302, 303, 307, 308);
   * e.g. Azure's pipeline follows 301, 302 and 307 only.
   */
  redirectStatuses?: readonly (301 | 302 | 303 | 307 | 308)[]
  /** Whether the client can send a stream body (default true). */
  streamBodies?: boolean
}
