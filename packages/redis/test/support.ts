import {
  clientSecret,
  createTokenProvider,
  type Logger,
  type TokenCache,
  type TokenProvider,
  type TokenProviderOptions,
} from '@apptoken/core'
import { TEST_API_AUDIENCE, type TestAuthority } from '@apptoken/testing'

export const SCOPE = `${TEST_API_AUDIENCE}/.default`

/** A provider for the test authority; `cache` is the shared tier. */
export function providerFor(
  authority: TestAuthority,
  cache: TokenCache,
  options: Partial<TokenProviderOptions> = {},
): TokenProvider {
  return createTokenProvider({
    authorityHost: authority.authorityHost,
    tenantId: authority.tenantId,
    clientId: authority.clientId,
    credential: clientSecret(authority.clientSecret),
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    cache,
    ...options,
  })
}

/** A logger that keeps every line (to check events, and that no token is ever logged). */
export function memoryLogger() {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = []
  const log = (level: string) => (fields: Record<string, unknown>, message: string) =>
    void lines.push({ level, message, fields })
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
  return {
    logger,
    lines,
    events: (event: string) => lines.filter((l) => l.fields.event === event),
    text: () => lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.fields)}`).join('\n'),
  }
}

/** Token keys (not lock keys) currently in Redis. */
export async function tokenKeys(
  command: (...args: string[]) => Promise<unknown>,
  prefix = 'apptoken:',
): Promise<string[]> {
  const keys = (await command('KEYS', `${prefix}*`)) as string[]
  return keys.filter((k) => !k.endsWith(':lock')).sort()
}
