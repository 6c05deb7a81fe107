// Where core publishes on the channels that diagnostics.ts names: created once, so a publish point
// pays one `hasSubscribers` read when nobody listens.
import { channel, tracingChannel } from 'node:diagnostics_channel'
import {
  ApptokenChannels,
  type RefreshEvent,
  type TokenRequestContext,
  type UnauthorizedRetryEvent,
} from './diagnostics.js'

/** The channels as objects, created once: `hasSubscribers` is one property read. */
export const tokenRequestChannel = tracingChannel<unknown, TokenRequestContext>(ApptokenChannels.tokenRequest)
export const cacheLookupChannel = channel(ApptokenChannels.cacheLookup)
export const tokenAcquiredChannel = channel(ApptokenChannels.tokenAcquired)
export const refreshStartChannel = channel(ApptokenChannels.refreshStart)
export const refreshFailedChannel = channel(ApptokenChannels.refreshFailed)
export const unauthorizedRetryChannel = channel(ApptokenChannels.unauthorizedRetry)
export const credentialReloadChannel = channel(ApptokenChannels.credentialReload)
export const credentialValidityChannel = channel(ApptokenChannels.credentialValidity)
export const credentialExpiringChannel = channel(ApptokenChannels.credentialExpiring)

const hostOf = (url: string | undefined): string => {
  if (url === undefined || url === '') return ''
  try {
    return new URL(url).host
  } catch {
    return ''
  }
}

/**
 * Runs one network token request inside the `apptoken:token-request` tracing channel when
 * someone listens (else just runs it). `run` gets a callback that counts the request's retries.
 */
export async function traceTokenRequest<T extends { expiresAt: number }>(
  options: {
    clientId: string
    authorityHost?: string | undefined
    tokenEndpoint?: string | undefined
    issuer?: string | undefined
  },
  credentialKind: string,
  req: { tenantId: string; scopes: readonly string[]; reason?: TokenRequestContext['reason'] },
  run: (onRetry?: () => void) => Promise<T>,
): Promise<T> {
  // Bun's TracingChannel lacks the `hasSubscribers` getter: ask its start channel there.
  if ((tokenRequestChannel.hasSubscribers ?? tokenRequestChannel.start.hasSubscribers) !== true) return run()
  const ctx: TokenRequestContext = {
    clientId: options.clientId,
    tenantId: req.tenantId,
    scopes: req.scopes,
    credentialKind,
    authorityHost: hostOf(options.authorityHost ?? options.tokenEndpoint ?? options.issuer),
    reason: req.reason ?? 'missing',
    retries: 0,
  }
  const onRetry = () => void ctx.retries++
  let issued: T | undefined
  // The traced function returns nothing: the channel would put its result (the token) on `ctx.result`.
  await tokenRequestChannel.tracePromise(async () => {
    try {
      issued = await run(onRetry)
      ctx.outcome = 'success'
      ctx.expiresAt = issued.expiresAt
    } catch (error) {
      const { code, status, aadsts } = error as { code?: unknown; status?: unknown; aadsts?: unknown }
      ctx.outcome = 'error'
      ctx.errorType = typeof code === 'string' ? code : ((error as Error)?.name ?? 'Error')
      if (typeof status === 'number') ctx.status = status
      if (typeof aadsts === 'string') ctx.aadsts = aadsts
      throw error
    }
  }, ctx)
  return issued!
}

/** Publishes an `apptoken:refresh-failed` event when someone listens (off the hot path). */
export function publishRefreshFailed(
  clientId: string,
  tenantId: string,
  scopes: readonly string[],
  error: unknown,
  nextAttemptAt: number,
): void {
  if (!refreshFailedChannel.hasSubscribers) return
  const { code, aadsts } = error as { code?: string; aadsts?: string }
  const event: RefreshEvent = {
    clientId,
    tenantId,
    scopes,
    nextAttemptAt,
    ...(typeof code === 'string' && { errorType: code }),
    ...(typeof aadsts === 'string' && { aadsts }),
  }
  refreshFailedChannel.publish(event)
}

/** Publishes an `apptoken:unauthorized-retry` event: the origin that answered 401, never its path. */
export function publishUnauthorizedRetry(
  url: string | URL,
  claimsChallenge: boolean,
  token: { tenantId: string; scopes: readonly string[] },
): void {
  let origin = ''
  try {
    origin = new URL(url).origin
  } catch {
    // a URL the client already used; unparseable here means no origin to report
  }
  const event: UnauthorizedRetryEvent = {
    origin,
    claimsChallenge,
    tenantId: token.tenantId,
    scopes: token.scopes,
  }
  unauthorizedRetryChannel.publish(event)
}
