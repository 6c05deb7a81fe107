import type { DispatchController } from './dispatch-types.js'

/**
 * The one controller the caller's handler sees for the whole exchange: the first attempt, the
 * wait for a token and the retry each have their own connection controller underneath.
 */
export class StableController implements DispatchController {
  #target: DispatchController | undefined
  #reason: Error | null = null
  #paused = false

  constructor(private readonly onAbort: (reason: Error) => void) {}

  get aborted(): boolean {
    return this.#reason !== null || (this.#target?.aborted ?? false)
  }

  get paused(): boolean {
    return this.#paused
  }

  get reason(): Error | null {
    return this.#reason ?? this.#target?.reason ?? null
  }

  get rawHeaders(): unknown {
    return this.#target?.rawHeaders
  }

  get rawTrailers(): unknown {
    return this.#target?.rawTrailers
  }

  /** Points at the controller of the attempt now on the wire. */
  attach(target: DispatchController): void {
    this.#target = target
    if (this.#reason !== null) target.abort(this.#reason)
    else if (this.#paused) target.pause()
  }

  abort(reason: Error): void {
    this.#reason ??= reason
    this.onAbort(reason)
    this.#target?.abort(reason)
  }

  pause(): void {
    this.#paused = true
    this.#target?.pause()
  }

  resume(): void {
    this.#paused = false
    this.#target?.resume()
  }
}
