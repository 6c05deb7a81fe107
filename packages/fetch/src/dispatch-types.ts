/**
 * Structural views of undici's dispatcher API (undici 7 and 8 share it), so `@apptoken/fetch`
 * does not need undici's types; undici stays an optional peer.
 */

/** What an interceptor reads from undici's dispatch options. */
export interface DispatchOptions {
  origin?: string | URL | null | undefined
  path: string
  method: string
  headers?: unknown
  body?: unknown
  signal?: unknown
}

/** undici's `DispatchController`. */
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

/** undici's `DispatchHandler` (the handler API of undici 7 and later). */
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

/** undici's `Dispatcher['dispatch']`. */
export type Dispatch = (options: DispatchOptions, handler: DispatchHandler) => boolean

/**
 * An interceptor for `dispatcher.compose(...)`. Generic so it is assignable to the interceptor
 * type of whichever undici version the app uses.
 */
export type DispatchInterceptor = <D extends (options: never, handler: never) => boolean>(dispatch: D) => D
