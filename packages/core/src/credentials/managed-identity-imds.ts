import type { Environment } from './environment.js'
import { envValue } from './environment.js'
import {
  endpointUrl,
  selectorParam,
  SELECTOR_NAMES,
  tokenUrl,
  type Selector,
  type Source,
  TRANSIENT,
} from './managed-identity-source.js'

const IMDS_PATH = '/metadata/identity/oauth2/token'
const IMDS_DEFAULT = `http://169.254.169.254${IMDS_PATH}`

/**
 * Azure Instance Metadata Service (VMs, scale sets, AKS nodes): GET with `Metadata: true`, api
 * 2018-02-01. Endpoint: the option, `AZURE_POD_IDENTITY_AUTHORITY_HOST`, `IMDS_ENDPOINT`, or the
 * link-local default (a host is given the IMDS path).
 */
export function imdsSource(imdsEndpoint: string | undefined, env: Environment, selector: Selector): Source {
  const option =
    imdsEndpoint !== undefined
      ? 'imdsEndpoint'
      : envValue(env, 'AZURE_POD_IDENTITY_AUTHORITY_HOST') !== undefined
        ? 'AZURE_POD_IDENTITY_AUTHORITY_HOST'
        : 'IMDS_ENDPOINT'
  const value =
    imdsEndpoint ??
    envValue(env, 'AZURE_POD_IDENTITY_AUTHORITY_HOST') ??
    envValue(env, 'IMDS_ENDPOINT') ??
    IMDS_DEFAULT
  const base = endpointUrl(option, value, IMDS_DEFAULT)
  // AZURE_POD_IDENTITY_AUTHORITY_HOST and IMDS_ENDPOINT name a host; the path is IMDS's.
  if (base.pathname === '' || base.pathname === '/') base.pathname = IMDS_PATH
  const id = selectorParam(selector, SELECTOR_NAMES.msi)
  return {
    name: 'imds',
    revocation: false,
    build(resource) {
      const url = tokenUrl(base, '2018-02-01', resource, id)
      return { url, method: 'GET', headers: { metadata: 'true', accept: 'application/json' } }
    },
    hint(status) {
      if (TRANSIENT(status))
        return 'The Azure Instance Metadata Service is unavailable or still starting (it answers 404 while booting and 410 while upgrading); the request was retried. Try again shortly.'
      if (status === 403)
        return 'IMDS refused the request: it must be reached directly, without an HTTP proxy (add 169.254.169.254 to NO_PROXY).'
      if (status === 401)
        return 'The endpoint asked for a challenge response: on an Azure Arc server set IDENTITY_ENDPOINT and IMDS_ENDPOINT (the Arc agent does), or pass source: "azureArc".'
      return 'IMDS found no matching managed identity: enable the system-assigned identity of this VM, scale set or node pool, or assign the user-assigned identity to it and pass its clientId, objectId or resourceId.'
    },
  }
}
