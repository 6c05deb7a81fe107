import { apiErrorHint, type TokenProvider } from '@apptoken/core'
import { attachAppToken } from '@apptoken/axios'
import { withAppToken } from '@apptoken/fetch'
import { appToken as gotAppToken } from '@apptoken/got'
import { createGraphClient } from '@apptoken/graph'
import { appToken as kyAppToken } from '@apptoken/ky'
import {
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type Client,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client'
import axios, { isAxiosError } from 'axios'
import got, { HTTPError as GotHttpError } from 'got'
import ky, { HTTPError as KyHttpError } from 'ky'
import { withSettings } from './setting-errors.js'
import type { Target } from './target.js'

/** The HTTP clients the demo drives, in the order it drives them. */
export const API_ADAPTERS = ['axios', 'ky', 'got', 'fetch'] as const
export type ApiAdapter = (typeof API_ADAPTERS)[number]
export type Adapter = 'graph' | ApiAdapter

/** Per adapter: calls the job made, and HTTP requests that really went out (401 retries included). */
export type Traffic = Record<Adapter, { calls: number; requests: number }>

/** A non-2xx answer from the API, with apptoken's hint when it has one. */
export class ApiCallError extends Error {
  readonly status: number
  readonly hint: string | undefined
  constructor(adapter: Adapter, method: string, url: string, status: number, body: string) {
    const hint = apiErrorHint(status, body)
    super(
      `${adapter} ${method} ${url} answered ${status}: ${body.slice(0, 300)}${hint ? `\nHint: ${hint}` : ''}`,
    )
    this.name = 'ApiCallError'
    this.status = status
    this.hint = hint
  }
}

/** One way of calling the TodoList API; every adapter gets the same two calls. */
export interface ApiClient {
  readonly adapter: ApiAdapter
  readonly url: string
  call(
    method: 'GET' | 'POST',
    body: object | undefined,
    signal: AbortSignal,
  ): Promise<{ status: number; data: unknown }>
}

/** The clients, each wired to the same token provider through its adapter. */
export interface Clients {
  graph: Client
  api: ApiClient[]
  traffic: Traffic
}

const userAgent = (adapter: Adapter): string => `apptoken-demo (${adapter})`

/** Counts what reaches the network: placed last before the SDK's HTTP handler. */
class CountingMiddleware implements Middleware {
  #next: Middleware | undefined
  constructor(private readonly count: () => void) {}
  async execute(context: Context): Promise<void> {
    this.count()
    await this.#next?.execute(context)
  }
  setNext(next: Middleware): void {
    this.#next = next
  }
}

/**
 * Builds the Graph client and the four TodoList API clients on one provider. Mistakes in the
 * scopes or URLs throw a `ConfigurationError` naming the setting (e.g. `MyWebApi.Scopes`).
 *
 * @example
 * ```ts
 * const { graph, api, traffic } = createClients(provider, target)
 * ```
 */
export function createClients(provider: TokenProvider, target: Target): Clients {
  const traffic = Object.fromEntries(
    (['graph', ...API_ADAPTERS] as const).map((a) => [a, { calls: 0, requests: 0 }]),
  ) as Traffic
  const sent = (adapter: Adapter) => () => void traffic[adapter].requests++
  const { settings } = target
  const graphUrl = new URL(target.graph.baseUrl)
  const version = /\/(v1\.0|beta)$/.exec(graphUrl.pathname)?.[1]
  const graph = withSettings(
    { scopes: settings.graphScopes, baseUrl: settings.graphBaseUrl, origins: settings.graphBaseUrl },
    () =>
      createGraphClient(provider, {
        baseUrl: `${graphUrl.origin}${graphUrl.pathname.slice(0, version === undefined ? undefined : -version.length - 1)}/`,
        ...(version !== undefined && { defaultVersion: version }),
        ...(target.graph.scopes !== undefined && { scopes: target.graph.scopes }),
        ...(target.graph.fetchOptions !== undefined && { fetchOptions: target.graph.fetchOptions }),
        middleware: [
          new RetryHandler(new RetryHandlerOptions()),
          new RedirectHandler(new RedirectHandlerOptions()),
          new TelemetryHandler(),
          new CountingMiddleware(sent('graph')),
          new HTTPMessageHandler(),
        ],
      }),
  )
  const { baseUrl, relativePath, scopes } = target.api
  const url = new URL(relativePath, baseUrl).href
  const options = { scopes, origins: [new URL(baseUrl).origin] }
  const names = { scopes: settings.apiScopes, '*': settings.apiBaseUrl }
  const api = withSettings(names, () => [
    axiosClient(url, baseUrl, relativePath, options, provider, sent('axios')),
    kyClient(url, baseUrl, relativePath, options, provider, sent('ky')),
    gotClient(url, baseUrl, relativePath, options, provider, sent('got')),
    fetchClient(url, options, provider, sent('fetch')),
  ])
  return { graph, api, traffic }
}

type Options = { scopes: readonly string[]; origins: string[] }

function axiosClient(
  url: string,
  baseURL: string,
  path: string,
  options: Options,
  provider: TokenProvider,
  sent: () => void,
): ApiClient {
  const instance = axios.create({ baseURL, headers: { 'user-agent': userAgent('axios') } })
  const send = axios.getAdapter(instance.defaults.adapter)
  instance.defaults.adapter = (config) => (sent(), send(config))
  attachAppToken(instance, provider, options)
  return {
    adapter: 'axios',
    url,
    async call(method, body, signal) {
      try {
        const res = await instance.request<unknown>({ method, url: path, data: body, signal })
        return { status: res.status, data: res.data }
      } catch (error) {
        if (isAxiosError(error) && error.response)
          throw new ApiCallError(
            'axios',
            method,
            url,
            error.response.status,
            JSON.stringify(error.response.data),
          )
        throw error
      }
    },
  }
}

function kyClient(
  url: string,
  baseUrl: string,
  path: string,
  options: Options,
  provider: TokenProvider,
  sent: () => void,
): ApiClient {
  const client = ky.create({
    baseUrl,
    headers: { 'user-agent': userAgent('ky') },
    fetch: (input, init) => (sent(), fetch(input, init)),
    ...kyAppToken(provider, { ...options, baseUrl }),
  })
  return {
    adapter: 'ky',
    url,
    async call(method, body, signal) {
      try {
        const res = await client(path, { method, signal, ...(body && { json: body }) })
        return { status: res.status, data: await res.json() }
      } catch (error) {
        if (error instanceof KyHttpError)
          throw new ApiCallError('ky', method, url, error.response.status, await error.response.text())
        throw error
      }
    },
  }
}

function gotClient(
  url: string,
  prefixUrl: string,
  path: string,
  options: Options,
  provider: TokenProvider,
  sent: () => void,
): ApiClient {
  const client = got.extend(
    { prefixUrl, headers: { 'user-agent': userAgent('got') } },
    gotAppToken(provider, { ...options, prefixUrl }),
    {
      hooks: { beforeRequest: [() => sent()] },
    },
  )
  return {
    adapter: 'got',
    url,
    async call(method, body, signal) {
      try {
        const res = await client(path, { method, signal, responseType: 'json', ...(body && { json: body }) })
        return { status: res.statusCode, data: res.body }
      } catch (error) {
        if (error instanceof GotHttpError)
          throw new ApiCallError('got', method, url, error.response.statusCode, String(error.response.body))
        throw error
      }
    },
  }
}

function fetchClient(url: string, options: Options, provider: TokenProvider, sent: () => void): ApiClient {
  const apiFetch = withAppToken(
    (input: string | URL | Request, init?: RequestInit) => (sent(), fetch(input, init)),
    provider,
    options,
  )
  return {
    adapter: 'fetch',
    url,
    async call(method, body, signal) {
      const headers: Record<string, string> = {
        'user-agent': userAgent('fetch'),
        ...(body && { 'content-type': 'application/json' }),
      }
      const res = await apiFetch(url, {
        method,
        signal,
        headers,
        ...(body && { body: JSON.stringify(body) }),
      })
      if (!res.ok) throw new ApiCallError('fetch', method, url, res.status, await res.text())
      return { status: res.status, data: await res.json() }
    },
  }
}
