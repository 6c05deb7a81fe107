import { ConfigurationError } from '@apptoken/core'
import type { KyRetry } from './options.js'

const retryFunctions = new Map<1 | 2, Promise<KyRetry>>()
/**
 * The `ky` package this module resolves (the peer dependency), checked to be the major that calls
 * the hooks: ky honours only its own `RetryMarker`, so a marker from the other major would be
 * ignored silently.
 */
export const importedKy = (major: 1 | 2): Promise<KyRetry> => {
  let found = retryFunctions.get(major)
  if (found === undefined) {
    found = import('ky').then((module) => {
      // Only ky 2 exports replaceOption.
      if (('replaceOption' in module ? 2 : 1) !== major) {
        throw new ConfigurationError(
          'ky',
          `the 'ky' package apptoken resolves is not the ky ${major} you call`,
          'pass appToken(provider, { ..., ky }) with the ky you call',
        )
      }
      return module.default
    })
    retryFunctions.set(major, found)
  }
  return found
}
