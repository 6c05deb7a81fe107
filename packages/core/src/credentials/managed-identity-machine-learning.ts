import { ConfigurationError } from '../errors.js'
import { rememberSecret } from '../redact.js'
import { envValue, type Environment } from './environment.js'
import { endpointUrl, type Selector, type Source, tokenUrl, TRANSIENT } from './managed-identity-source.js'

/**
 * Azure Machine Learning compute: GET `MSI_ENDPOINT` with headers `secret: MSI_SECRET` and
 * `Metadata: true`, api 2017-09-01, `clientid` naming the identity (`DEFAULT_IDENTITY_CLIENT_ID`
 * for the system-assigned one). `expires_on` is in seconds.
 */
export function machineLearningSource(
  endpoint: { option: string; value: string },
  secret: string,
  env: Environment,
  selector: Selector,
): Source {
  if (selector !== undefined && selector.kind !== 'clientId')
    throw new ConfigurationError(
      selector.kind,
      'Azure Machine Learning selects a user-assigned identity by its client id only',
      'pass clientId instead',
    )
  rememberSecret(secret)
  const base = endpointUrl(endpoint.option, endpoint.value, 'http://127.0.0.1:46808/MSI/auth')
  const clientId = selector?.value ?? envValue(env, 'DEFAULT_IDENTITY_CLIENT_ID')
  return {
    name: 'machineLearning',
    revocation: false,
    build(resource) {
      const url = tokenUrl(
        base,
        '2017-09-01',
        resource,
        clientId === undefined ? undefined : ['clientid', clientId],
      )
      return { url, method: 'GET', headers: { secret, metadata: 'true', accept: 'application/json' } }
    },
    hint: (status) =>
      TRANSIENT(status)
        ? 'The Azure Machine Learning identity endpoint is unavailable; the request was retried. Try again shortly.'
        : 'The Azure Machine Learning identity endpoint refused the request: assign the identity to the compute (and pass the clientId of a user-assigned one), and pass MSI_SECRET unchanged.',
  }
}
