import { ConfigurationError } from '../errors.js'
import type { HttpTransport } from '../http.js'
import { rememberSecret } from '../redact.js'
import { pinnedTransport } from './managed-identity-pinning.js'
import {
  endpointUrl,
  selectorParam,
  SELECTOR_NAMES,
  tokenUrl,
  type Selector,
  type Source,
  TRANSIENT,
} from './managed-identity-source.js'

/** A SHA-1 thumbprint as 40 hex digits, lower case (colons and spaces, as some tools print it, dropped). */
function thumbprint(option: string, value: string): string {
  const hex = value.replace(/[\s:]/g, '').toLowerCase()
  if (!/^[0-9a-f]{40}$/.test(hex))
    throw new ConfigurationError(
      option,
      'it is not a SHA-1 thumbprint (40 hexadecimal digits)',
      'pass IDENTITY_SERVER_THUMBPRINT as Service Fabric set it',
    )
  return hex
}

/**
 * Service Fabric: GET `IDENTITY_ENDPOINT` (https, self-signed) with `secret: IDENTITY_HEADER`, api
 * 2019-07-01-preview. Only the certificate whose SHA-1 thumbprint is `IDENTITY_SERVER_THUMBPRINT`
 * is accepted (pinned); any other is an error at once, before a byte of the request is sent.
 * Accepts `xms_cc` and `token_sha256_to_refresh`.
 */
export function serviceFabricSource(
  endpoint: { option: string; value: string },
  secret: string,
  pin: { option: string; value: string },
  selector: Selector,
): Source {
  rememberSecret(secret)
  const base = endpointUrl(
    endpoint.option,
    endpoint.value,
    'https://10.0.0.4:2377/metadata/identity/oauth2/token',
  )
  if (base.protocol !== 'https:')
    throw new ConfigurationError(
      endpoint.option,
      'the Service Fabric identity endpoint must be https (its certificate is what IDENTITY_SERVER_THUMBPRINT pins)',
      'pass the https URL Service Fabric set in IDENTITY_ENDPOINT',
    )
  const expected = thumbprint(pin.option, pin.value)
  const id = selectorParam(selector, SELECTOR_NAMES.mi)
  let transport: Promise<HttpTransport> | undefined
  return {
    name: 'serviceFabric',
    revocation: true,
    build(resource) {
      const url = tokenUrl(base, '2019-07-01-preview', resource, id)
      return { url, method: 'GET', headers: { secret, accept: 'application/json' } }
    },
    transport(ctx) {
      transport ??= pinnedTransport(expected, 'The Service Fabric identity endpoint', ctx.clock).catch(
        (e: unknown) => {
          transport = undefined
          throw e
        },
      )
      return transport
    },
    hint: (status) =>
      TRANSIENT(status)
        ? 'The Service Fabric managed identity token service is unavailable; the request was retried. Try again shortly.'
        : 'The Service Fabric token service refused the request: declare the identity in the application manifest and pass IDENTITY_HEADER unchanged (user-assigned identities are chosen in the cluster, not at runtime).',
  }
}
