/**
 * The parts of got's normalized request options that apptoken reads and writes. Structural, so
 * the same hooks type-check against got 14, 15 and 16.
 *
 * @example
 * ```ts
 * const { hooks } = appToken(provider, { scopes, prefixUrl: 'https://api.contoso.com' })
 * const options: GotRequestOptions = { url: new URL('https://api.contoso.com/todolist'), headers: {}, context: {} }
 * await hooks.beforeRequest[0](options) // options.headers.authorization is now 'Bearer ...'
 * ```
 */
export interface GotRequestOptions {
  url?: string | URL | undefined
  headers: Record<string, string | string[] | undefined>
  context: Record<string, unknown>
  body?: unknown
  signal?: AbortSignal | undefined
}

/**
 * The parts of a got response that apptoken reads.
 *
 * @example
 * ```ts
 * const res: GotResponse = await api.get('todolist') // got's Response fits
 * console.log(res.statusCode, res.url)
 * ```
 */
export interface GotResponse {
  statusCode: number
  /** The final URL, after redirects. */
  url: string
  headers: Record<string, string | string[] | undefined>
  request: { options: GotRequestOptions }
}

/**
 * What apptoken passes to got's `retryWithMergedOptions`.
 *
 * @example
 * ```ts
 * // in a got afterResponse hook:
 * const retry: GotRetryOptions = { headers: { authorization: `Bearer ${token.accessToken}` }, context: {} }
 * return retryWithMergedOptions(retry)
 * ```
 */
export interface GotRetryOptions {
  headers: Record<string, string>
  context: Record<string, unknown>
}

/**
 * Options for `got.extend(...)`: apptoken's hooks. `extend` appends them to hooks you already have.
 *
 * @example
 * ```ts
 * const api = got.extend({ prefixUrl }, appToken(provider, { scopes, prefixUrl }))
 * ```
 */
export interface GotAppTokenExtension {
  hooks: {
    beforeRequest: [(options: GotRequestOptions) => Promise<void>]
    beforeRedirect: [(updatedOptions: GotRequestOptions) => void]
    afterResponse: [
      <R extends GotResponse>(
        response: R,
        retryWithMergedOptions: (options: GotRetryOptions) => never,
      ) => Promise<R>,
    ]
  }
}
