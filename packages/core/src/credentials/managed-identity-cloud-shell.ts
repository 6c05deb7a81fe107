import {
  endpointUrl,
  systemAssignedOnly,
  type Selector,
  type Source,
  TRANSIENT,
} from './managed-identity-source.js'

/**
 * Azure Cloud Shell: POST `MSI_ENDPOINT` with the form `resource=...` and `Metadata: true`. Serves
 * the signed-in user's identity only: a user-assigned selector is a ConfigurationError.
 */
export function cloudShellSource(endpoint: { option: string; value: string }, selector: Selector): Source {
  systemAssignedOnly(selector, 'Cloud Shell')
  const base = endpointUrl(endpoint.option, endpoint.value, 'http://localhost:50342/oauth2/token')
  return {
    name: 'cloudShell',
    revocation: false,
    build: (resource) => ({
      url: new URL(base),
      method: 'POST',
      headers: {
        metadata: 'true',
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ resource }).toString(),
    }),
    hint: (status) =>
      TRANSIENT(status)
        ? 'The Cloud Shell token endpoint is unavailable; the request was retried. Try again shortly.'
        : 'The Cloud Shell token endpoint refused the request: sign in again in Cloud Shell (az login) and retry.',
  }
}
