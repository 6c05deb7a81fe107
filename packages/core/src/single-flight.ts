import { AbortError } from './errors.js'

/**
 * Runs at most one task per key at a time; callers that arrive while it runs share its result.
 * Each caller may abort its own wait without cancelling the shared task.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>()

  has(key: string): boolean {
    return this.#inFlight.has(key)
  }

  run(key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let shared = this.#inFlight.get(key)
    if (shared === undefined) {
      shared = task().finally(() => this.#inFlight.delete(key))
      this.#inFlight.set(key, shared)
    }
    return signal ? abortable(shared, signal) : shared
  }
}

/** Resolves like `promise` unless `signal` aborts first; never cancels `promise` itself. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined)
    return Promise.reject(new AbortError(signal.reason))
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError(signal.reason))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(e instanceof Error ? e : new Error(String(e)))
      },
    )
  })
}
