/**
 * Structural views of undici's dispatcher API (undici 7 and 8 share it), so `@apptoken/fetch`
 * does not need undici's types; undici stays an optional peer.
 */

/**
 * What an interceptor reads from undici's dispatch options.
 *
 * @example
 * ```ts
 * const opts: DispatchOptions = { origin: 'https://api.contoso.com', path: '/todolist?top=10', method: 'GET' }
 * // undici connects to opts.origin: that origin, not new URL(opts.path, opts.origin), is checked
 * const checked = new URL(String(opts.origin)).origin // 'https://api.contoso.com'
 * ```
 */
export interface DispatchOptions {
  origin?: string | URL | null | undefined
  path: string
  method: string
  headers?: unknown
  body?: unknown
  signal?: unknown
}

/**
 * undici's `DispatchController`.
 *
 * @example
 * ```ts
 * const handler: DispatchHandler = {
 *   onResponseStart(controller: DispatchController, statusCode) { if (statusCode === 429) controller.abort(new Error('throttled')) },
 * }
 * ```
 */
export interface DispatchController {
  readonly aborted: boolean
  readonly paused: boolean
  readonly reason: Error | null
  readonly rawHeaders?: unknown
  readonly rawTrailers?: unknown
  abort(reason: Error): void
  pause(): void
  resume(): void
}

/**
 * undici's `DispatchHandler` (the handler API of undici 7 and later).
 *
 * @example
 * ```ts
 * const handler: DispatchHandler = {
 *   onResponseStart: (_controller, statusCode) => console.log('status', statusCode),
 *   onResponseError: (_controller, error) => console.error(error),
 * }
 * ```
 */
export interface DispatchHandler {
  onRequestStart?(controller: DispatchController, context: unknown): void
  onRequestUpgrade?(
    controller: DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    socket: unknown,
  ): void
  onResponseStart?(
    controller: DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void
  onResponseData?(controller: DispatchController, chunk: Buffer): void
  onResponseEnd?(
    controller: DispatchController,
    trailers: Record<string, string | string[] | undefined>,
  ): void
  onResponseError?(controller: DispatchController, error: Error): void
  onResponseStarted?(): void
  onRequestSent?(): void
  onBodySent?(chunk: unknown): void
}

/**
 * undici's `Dispatcher['dispatch']`.
 *
 * @example
 * ```ts
 * const next = dispatch as Dispatch // inside an interceptor
 * const logged: Dispatch = (opts, handler) => (console.log(opts.method, opts.path), next(opts, handler))
 * ```
 */
export type Dispatch = (options: DispatchOptions, handler: DispatchHandler) => boolean

/**
 * An interceptor for `dispatcher.compose(...)`. Generic so it is assignable to the interceptor
 * type of whichever undici version the app uses.
 *
 * @example
 * ```ts
 * const interceptor: DispatchInterceptor = appTokenInterceptor(provider, { scopes, origins: ['https://api.contoso.com'] })
 * const dispatcher = new Agent().compose(interceptor)
 * ```
 */
export type DispatchInterceptor = <D extends (options: never, handler: never) => boolean>(dispatch: D) => D
