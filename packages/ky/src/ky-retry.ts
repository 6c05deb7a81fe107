import { ConfigurationError } from '@apptoken/core'
import type { KyRetry } from './options.js'

const imported = new Map<1 | 2, Promise<KyRetry>>()
/**
 * The `ky` package apptoken resolves (the peer), checked to be the major that calls the hooks:
 * ky ignores a retry marker from another copy. Only ky 2 exports `replaceOption`.
 */
export function importedKy(major: 1 | 2): Promise<KyRetry> {
  const found =
    imported.get(major) ??
    import('ky').then((module) => {
      if (('replaceOption' in module ? 2 : 1) === major) return module.default
      const fix = 'pass appToken(provider, { ..., ky }) with the ky you call'
      throw new ConfigurationError(
        'ky',
        `the 'ky' package apptoken resolves is not the ky ${major} you call`,
        fix,
      )
    })
  imported.set(major, found)
  return found
}
