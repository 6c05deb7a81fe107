import type { TokenProvider } from '@apptoken/core'
import ky from 'ky'
import ky1 from 'ky1'
import { appToken, type KyAppTokenHooks, type KyAppTokenOptions } from '../src/index.js'

/** A ky instance as the tests call it, whichever major made it. */
export type Client = ((input: string | URL, options?: Record<string, unknown>) => Promise<Response>) & {
  extend(options: object): Client
}

/** One way to give ky its base URL: the option's name and the ky major that takes it. */
export interface Variant {
  name: string
  option: 'prefix' | 'baseUrl' | 'prefixUrl'
  create(options: object): Client
  /** The ky to pass to `appToken` (ky 1 is installed here under the alias `ky1`). */
  ky?: KyAppTokenOptions['ky']
}

export const variants: Variant[] = [
  { name: 'ky 2 prefix', option: 'prefix', create: (o) => ky.create(o) },
  { name: 'ky 2 baseUrl', option: 'baseUrl', create: (o) => ky.create(o) },
  { name: 'ky 1 prefixUrl', option: 'prefixUrl', create: (o) => ky1.create(o), ky: ky1 },
]

/** The documented one-liner: the base URL in ky's options, `appToken()` without one, in either order. */
export function oneLiner(
  variant: Variant,
  baseUrl: string,
  provider: TokenProvider,
  options: Omit<KyAppTokenOptions, 'ky'>,
  order: 'base URL first' | 'hooks first' = 'base URL first',
  kyOptions: object = {},
): Client {
  const hooks: KyAppTokenHooks = appToken(provider, { ...(variant.ky && { ky: variant.ky }), ...options })
  const base = { ...kyOptions, [variant.option]: baseUrl }
  return order === 'base URL first' ? variant.create(base).extend(hooks) : variant.create(hooks).extend(base)
}

// Each major's own types accept the one-liner in either order (checked by tsc).
export const typeChecks = (provider: TokenProvider, scopes: string) => [
  ky.create({ prefix: 'https://api.contoso.com' }).extend(appToken(provider, { scopes })),
  ky.create(appToken(provider, { scopes })).extend({ baseUrl: 'https://api.contoso.com' }),
  ky1.create({ prefixUrl: 'https://api.contoso.com' }).extend(appToken(provider, { scopes, ky: ky1 })),
  ky1.create(appToken(provider, { scopes, ky: ky1 })).extend({ prefixUrl: 'https://api.contoso.com' }),
]
