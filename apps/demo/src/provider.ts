import { createTokenProvider, type Logger, type TokenProvider } from '@apptoken/core'
import { withSettings } from './setting-errors.js'
import type { Target } from './target.js'

/**
 * The one token provider every client of the demo shares. A bad tenant, client ID, authority or
 * credential throws a `ConfigurationError` naming the setting it came from.
 *
 * @example
 * ```ts
 * const provider = createDemoProvider(target, logger)
 * ```
 */
export function createDemoProvider(target: Target, logger: Logger): TokenProvider {
  const s = target.settings
  const names = {
    tenantId: s.tenantId,
    clientId: s.clientId,
    authorityHost: s.authorityHost,
    '*': s.credential,
  }
  return withSettings(names, () =>
    createTokenProvider({
      tenantId: target.tenantId,
      clientId: target.clientId,
      authorityHost: target.authorityHost,
      credential: target.credential,
      logger,
    }),
  )
}
