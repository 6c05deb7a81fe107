/**
 * The parts of got's normalized request options that apptoken reads and writes. Structural, so
 * the same hooks type-check against got 14, 15 and 16.
 */
export interface GotRequestOptions {
  url?: string | URL | undefined
  headers: Record<string, string | string[] | undefined>
  context: Record<string, unknown>
  body?: unknown
  signal?: AbortSignal | undefined
}

/** The parts of a got response that apptoken reads. */
export interface GotResponse {
  statusCode: number
  /** The final URL, after redirects. */
  url: string
  headers: Record<string, string | string[] | undefined>
  request: { options: GotRequestOptions }
}

/** What apptoken passes to got's `retryWithMergedOptions`. */
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
