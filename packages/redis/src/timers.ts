import { AbortError, type Clock } from '@apptoken/core'

/** A Redis command that took longer than `commandTimeoutMs`. */
export class CommandTimeoutError extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`)
    this.name = 'CommandTimeoutError'
  }
}

/**
 * Runs `start` and rejects if it takes longer than `ms`. The signal handed to `start` aborts at
 * that moment, so a client that supports it can drop the command; a late reply is ignored.
 */
export function withTimeout<T>(ms: number, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const controller = new AbortController()
    const timer = setTimeout(() => {
      const error = new CommandTimeoutError(ms)
      controller.abort(error)
      reject(error)
    }, ms)
    const settle = (done: () => void) => {
      clearTimeout(timer)
      done()
    }
    let pending: Promise<T>
    try {
      pending = start(controller.signal)
    } catch (error) {
      settle(() => reject(error instanceof Error ? error : new Error(String(error))))
      return
    }
    pending.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error instanceof Error ? error : new Error(String(error)))),
    )
  })
}

/** Waits `ms`, or rejects with core's `AbortError` as soon as `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new AbortError(signal.reason))
    const onAbort = () => {
      clearTimeout(timer)
      reject(new AbortError(signal.reason))
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** `Date.now` and {@link pause}: the default clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => pause(ms, signal ?? new AbortController().signal),
}
