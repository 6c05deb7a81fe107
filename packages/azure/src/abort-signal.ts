/** The pipeline's `AbortSignalLike` (`@azure/abort-controller`'s, or a native one). */
export interface AbortSignalLike {
  readonly aborted: boolean
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
}

/** A native `AbortSignal` following the request's signal, for core's `getToken`. */
export function toAbortSignal(like: AbortSignalLike | undefined): AbortSignal | undefined {
  if (like === undefined || like instanceof AbortSignal) return like
  const controller = new AbortController()
  if (like.aborted) controller.abort()
  else like.addEventListener('abort', () => controller.abort(), { once: true })
  return controller.signal
}
