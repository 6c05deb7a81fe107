import type { CachedToken } from './cache.js'
import { tokenAcquiredChannel } from './diagnostics-publish.js'
import type { Logger } from './types.js'

/**
 * Tells the channel (when someone listens) and the logger that a token arrived, from the
 * authority or from the shared cache. Never the token itself.
 */
export function reportAcquired(
  logger: Logger | undefined,
  clientId: string,
  tenantId: string,
  scopes: readonly string[],
  token: CachedToken,
  fetched: boolean,
): void {
  const source = fetched ? 'authority' : 'shared_cache'
  const { expiresAt, refreshAt } = token
  if (tokenAcquiredChannel.hasSubscribers)
    tokenAcquiredChannel.publish({ clientId, tenantId, scopes, source, expiresAt, refreshAt })
  logger?.info?.(
    { event: 'token_acquired', source, tenantId, scopes, expiresAt, refreshAt },
    fetched ? 'apptoken: token acquired' : 'apptoken: token taken from the shared cache',
  )
}
