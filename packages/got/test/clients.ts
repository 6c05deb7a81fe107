import type { TokenProvider } from '@apptoken/core'
import got16, { type Got } from 'got'
import got14 from 'got14'
import got15 from 'got15'
import { appToken, type GotAppTokenExtension, type GotAppTokenOptions } from '../src/index.js'

/** got's `extend`, for each major the package supports; each major's own types check the options. */
export type Extend = (...options: (GotAppTokenExtension | Got | Record<string, unknown>)[]) => Got
export const majors: [string, Extend][] = [
  ['got 14', (...o) => got14.extend(...(o as Parameters<typeof got14.extend>)) as unknown as Got],
  ['got 15', (...o) => got15.extend(...(o as Parameters<typeof got15.extend>)) as unknown as Got],
  ['got 16', (...o) => got16.extend(...(o as Parameters<typeof got16.extend>))],
]

export const orders = ['prefixUrl first', 'hooks first', 'hooks, then extend({ prefixUrl })'] as const

/** The documented one-liner: `prefixUrl` in got's options, `appToken()` without it, in any order. */
export function oneLiner(
  extend: Extend,
  prefixUrl: string,
  provider: TokenProvider,
  options: GotAppTokenOptions,
  order: (typeof orders)[number] = 'prefixUrl first',
): Got {
  const hooks = appToken(provider, options)
  if (order === 'prefixUrl first') return extend({ prefixUrl }, hooks)
  if (order === 'hooks first') return extend(hooks, { prefixUrl })
  return extend(hooks).extend({ prefixUrl })
}

// Each major's own `extend` types accept the options as they are, in either order (checked by tsc).
export const typeChecks = (options: GotAppTokenExtension) => [
  got14.extend({ prefixUrl: 'https://api.contoso.com' }, options).extend({ retry: { limit: 0 } }),
  got15.extend(options, { prefixUrl: 'https://api.contoso.com' }),
  got16.extend(options).extend({ prefixUrl: 'https://api.contoso.com' }),
]
