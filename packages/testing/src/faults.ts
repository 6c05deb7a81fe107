import type { ServerResponse } from 'node:http'
import { delay, send, sendJson } from './http.js'
import type { RecordedRequest } from './recording.js'

/**
 * A failure to inject into the next token (or managed identity) request(s). Faults queue in FIFO
 * order per `kind`. With `status`, `error`, `aadsts`, `retryAfter`, `headers` or `body` the
 * authority answers with that failure; with only `delayMs` it waits and then answers normally;
 * with `drop` it destroys the connection without answering.
 *
 * @example
 * ```ts
 * // Throttled twice, then served:
 * authority.failNext({ status: 429, error: 'temporarily_unavailable', retryAfter: 1, count: 2 })
 * // IMDS still booting:
 * authority.failNext({ kind: 'imds', status: 503 })
 * ```
 */
export interface Fault {
  /** HTTP status; default 503 (400 when `error` is given). */
  status?: number
  /** OAuth error code, e.g. `'temporarily_unavailable'`; default derived from the status. */
  error?: string
  /** AADSTS number for the description and `error_codes`, e.g. `50196`. */
  aadsts?: number
  /** Sent as the `Retry-After` header (seconds or an HTTP date). */
  retryAfter?: number | string
  /** Extra response headers. */
  headers?: Record<string, string>
  /** Wait this long first (with nothing else set, then answer normally). */
  delayMs?: number
  /** How many requests this fault applies to; default 1. */
  count?: number
  /** Raw response body instead of the JSON error, e.g. `'not json'`. */
  body?: string
  /** Destroy the socket without a response. */
  drop?: boolean
  /** Which endpoint it applies to; default `'token'`. */
  kind?: 'token' | 'imds' | 'appservice'
}

/** What to do with a request a fault applies to. */
export interface FaultAction {
  delayMs: number
  drop: boolean
  /** The failure to send; undefined means "answer normally" (after the delay). */
  response?: {
    status: number
    error: string
    aadsts: number | undefined
    body: string | undefined
    headers: Record<string, string>
  }
}

/** FIFO queue of pending faults. */
export class FaultQueue {
  private readonly pending: { fault: Fault; left: number }[] = []

  add(fault: Fault): void {
    const count = fault.count ?? 1
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`Fault count must be a positive integer, got ${String(fault.count)}`)
    this.pending.push({ fault, left: count })
  }

  clear(): void {
    this.pending.length = 0
  }

  /** Takes the next fault for this kind of request, if any. */
  take(kind: 'token' | 'imds' | 'appservice'): FaultAction | undefined {
    const index = this.pending.findIndex((p) => (p.fault.kind ?? 'token') === kind)
    const entry = this.pending[index]
    if (!entry) return undefined
    if (--entry.left === 0) this.pending.splice(index, 1)
    return toAction(entry.fault)
  }
}

function toAction(fault: Fault): FaultAction {
  const action: FaultAction = { delayMs: fault.delayMs ?? 0, drop: fault.drop === true }
  const responds = [
    fault.status,
    fault.error,
    fault.aadsts,
    fault.retryAfter,
    fault.headers,
    fault.body,
  ].some((v) => v !== undefined)
  if (!responds) return action
  const status = fault.status ?? (fault.error === undefined ? 503 : 400)
  const headers = { ...fault.headers }
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter)
  action.response = {
    status,
    error: fault.error ?? defaultError(status),
    aadsts: fault.aadsts,
    body: fault.body,
    headers,
  }
  return action
}

function defaultError(status: number): string {
  if (status === 401) return 'invalid_client'
  if (status === 429 || status >= 500) return 'temporarily_unavailable'
  return 'invalid_request'
}

/**
 * Carries out a fault: waits, then drops the socket or sends the failure. Returns true when the
 * request is finished, false when it should now be answered normally.
 */
export async function answerFault(
  action: FaultAction,
  res: ServerResponse,
  signal: AbortSignal,
  record: RecordedRequest,
  errorBody: (failure: { error: string; aadsts: number | undefined }) => unknown,
  baseHeaders: Record<string, string> = {},
): Promise<boolean> {
  if (!(await delay(action.delayMs, signal))) return true
  if (action.drop) {
    record.status = 0
    res.socket?.destroy()
    res.destroy()
    return true
  }
  const failure = action.response
  if (!failure) return false
  record.status = failure.status
  record.error = failure.error
  const headers = { ...baseHeaders, ...failure.headers }
  if (failure.body === undefined) sendJson(res, failure.status, errorBody(failure), headers)
  else send(res, failure.status, failure.body, { 'content-type': 'text/plain; charset=utf-8', ...headers })
  return true
}
