import { rememberSecret } from '../redact.js'
import {
  endpointUrl,
  selectorParam,
  SELECTOR_NAMES,
  tokenUrl,
  type Selector,
  type Source,
  TRANSIENT,
} from './managed-identity-source.js'

/**
 * App Service, Functions and Container Apps: GET `IDENTITY_ENDPOINT` with `X-IDENTITY-HEADER:
 * IDENTITY_HEADER`, api 2019-08-01. Accepts `xms_cc` and `token_sha256_to_refresh`.
 */
export function appServiceSource(
  endpoint: { option: string; value: string },
  secret: string,
  selector: Selector,
): Source {
  rememberSecret(secret)
  const base = endpointUrl(endpoint.option, endpoint.value, 'http://localhost:8081/msi/token')
  const id = selectorParam(selector, SELECTOR_NAMES.mi)
  return {
    name: 'appService',
    revocation: true,
    build(resource) {
      const url = tokenUrl(base, '2019-08-01', resource, id)
      return { url, method: 'GET', headers: { 'x-identity-header': secret, accept: 'application/json' } }
    },
    hint: (status) =>
      TRANSIENT(status)
        ? 'The App Service identity endpoint is unavailable; the request was retried. Try again shortly.'
        : 'The App Service identity endpoint refused the request: enable the identity on the app (and attach the user-assigned identity you select), and pass IDENTITY_HEADER unchanged.',
  }
}
