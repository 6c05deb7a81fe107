import { ConfigurationError } from '../errors.js'
import type { TokenProviderOptions } from '../options.js'
import { clientTlsOf, type ClientTls } from './tls-client-auth.js'

/**
 * The client certificate the provider's transport presents (a `tlsClientAuth` credential), or
 * undefined. A custom `dispatcher` cannot be combined with it: the certificate belongs in that
 * dispatcher's own `connect` options then.
 */
export function clientTlsFor(options: TokenProviderOptions): ClientTls | undefined {
  const tls = options.credential === undefined ? undefined : clientTlsOf(options.credential)
  if (tls !== undefined && options.dispatcher !== undefined) {
    throw new ConfigurationError(
      'dispatcher',
      'tlsClientAuth presents its certificate through its own agent, but a dispatcher was given too',
      'drop dispatcher, or drop tlsClientAuth and put the certificate in your Agent: new Agent({ connect: { cert, key } })',
    )
  }
  return tls
}
