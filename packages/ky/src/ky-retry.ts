import { ConfigurationError } from '@apptoken/core'
import type { KyRetry } from './options.js'

const imported = new Map<1 | 2, Promise<KyRetry>>()
/** The `ky` peer apptoken resolves, checked to be the major calling the hooks: ky ignores another copy's retry marker. */
export function importedKy(major: 1 | 2): Promise<KyRetry> {
  const found =
    imported.get(major) ??
    import('ky').then((module) => {
      if (('replaceOption' in module ? 2 : 1) === major) return module.default // only ky 2 has replaceOption
      const message = `the 'ky' package apptoken resolves is not the ky ${major} you call`
      throw new ConfigurationError('ky', message, 'pass appToken(provider, { ..., ky }) with the ky you call')
    })
  imported.set(major, found)
  return found
}
