/**
 * The parts of got's normalized request options that apptoken reads and writes; structural, so
 * the same hooks type-check against got 14, 15 and 16.
 * @example `const options: GotRequestOptions = { url: new URL('https://api.contoso.com/x'), prefixUrl: '', headers: {}, context: {} }`
 */
export interface GotRequestOptions {
  url?: string | URL | undefined
  /** got's `prefixUrl` as this request sees it (`''` when none). */
  prefixUrl?: string | URL | undefined
  headers: Record<string, string | string[] | undefined>
  context: Record<string, unknown>
  body?: unknown
  signal?: AbortSignal | undefined
  /** The request method (got upper-cases it), named by DPoP proofs. */
  method?: string | undefined
  /** This request's own hooks (got copies the instance's per request). */
  hooks: { beforeRequest: unknown[]; afterResponse: unknown[] }
  /** `got.stream(...)`: no `afterResponse` hooks run. */
  isStream?: boolean | undefined
}

/**
 * The parts of a got response that apptoken reads.
 * @example `const { statusCode, url }: GotResponse = await api.get('todolist')`
 */
export interface GotResponse {
  statusCode: number
  /** The URL that answered, after redirects. */
  url: string
  headers: Record<string, string | string[] | undefined>
  request: { options: GotRequestOptions }
}

/**
 * What apptoken passes to got's `retryWithMergedOptions`.
 * @example `retryWithMergedOptions({ headers: { authorization: retry.header }, context: {} } satisfies GotRetryOptions)`
 */
export interface GotRetryOptions {
  headers: Record<string, string>
  context: Record<string, unknown>
}

/**
 * Options for `got.extend(...)`: apptoken's handler and hooks, appended to those the instance has.
 * @example `const api = got.extend({ prefixUrl: 'https://api.contoso.com' }, appToken(provider, { scopes }))`
 */
export interface GotAppTokenExtension {
  handlers: [<O extends GotRequestOptions, T>(options: O, next: (options: O) => T) => T]
  hooks: {
    beforeRedirect: [(options: GotRequestOptions) => void]
    beforeRetry: [(error: { options?: GotRequestOptions }) => void]
  }
}
