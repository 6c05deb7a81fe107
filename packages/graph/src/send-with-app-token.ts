import { isReplayableBody, type Authorization, type RequestAuthorizer } from '@apptoken/core/adapter'
import { withApiErrorHint } from './api-error-hint.js'

/** One request as a Graph middleware (v3 or Kiota) sees it. */
interface Exchange {
  auth: RequestAuthorizer
  sent: Authorization | undefined
  body: unknown
  signal: AbortSignal | null | undefined
  /** Sends the request down the chain, as it is now. */
  send(): Promise<Response | undefined>
  /** Sets the request's Authorization (for the one re-send). */
  authorize(header: string): void
  /** Answers the client handles itself (Kiota's claims retry): handed back untouched. */
  leave?: (response: Response) => boolean
}

/**
 * Sends the request and hands the answer to core's `onResponse`; sends once more with the new
 * Authorization when core says so. Adds core's hint to a 401/403 answer to a request with the token.
 *
 * @example
 * ```ts
 * context.response = await sendWithAppToken({ auth, sent, body, signal, send, authorize })
 * ```
 */
export async function sendWithAppToken(x: Exchange): Promise<Response | undefined> {
  const response = await x.send()
  if (response === undefined || x.sent === undefined || x.leave?.(response)) return response
  const retry = await x.auth.onResponse({
    url: response.url || undefined, // fetch's URL after redirects; none (a made-up Response): unknown
    status: response.status,
    wwwAuthenticate: response.headers.get('www-authenticate'),
    sent: x.sent,
    replayable: isReplayableBody(x.body),
    retried: false,
    signal: x.signal ?? undefined,
  })
  if (retry === undefined) return withApiErrorHint(response)
  await response.body?.cancel()
  x.authorize(retry.header)
  const again = await x.send()
  return again && withApiErrorHint(again)
}
