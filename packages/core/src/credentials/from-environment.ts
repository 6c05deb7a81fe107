import {
  needsClientIdAndTenantId,
  type ClientCredential,
  type Credential,
  type CredentialDefaults,
} from '../credential.js'
import { ConfigurationError } from '../errors.js'
import { clientSecret } from './client-secret.js'
import { createCertificateCredential } from './client-certificate.js'
import { defined, envFlag, envValue, type Environment } from './environment.js'
import { managedIdentity } from './managed-identity.js'
import { workloadIdentity } from './workload-identity.js'

/** The chosen credential, with the app's ids from the environment as provider defaults. */
function withDefaults(credential: Credential, defaults: CredentialDefaults): Credential {
  const base = {
    kind: credential.kind,
    defaults,
    needsClientIdAndTenantId: needsClientIdAndTenantId(credential),
  }
  if (credential.getToken !== undefined) {
    const source = credential
    return { ...base, getToken: (ctx) => source.getToken(ctx) }
  }
  const client = credential
  const out: ClientCredential = { ...base, authenticate: (ctx) => client.authenticate(ctx) }
  if (client.onRejected === undefined) return out
  const onRejected = client.onRejected.bind(client)
  return { ...out, onRejected }
}

function requireIds(env: Environment, by: string): void {
  const missing = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID'].filter((name) => envValue(env, name) === undefined)
  if (missing.length > 0) {
    throw new ConfigurationError(
      missing.join(', '),
      `${by} is set, but ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not`,
      `set ${missing.join(' and ')} (the Directory (tenant) ID and Application (client) ID of the app registration)`,
    )
  }
}

/**
 * Picks the credential from the standard `AZURE_*` variables, in this order:
 * `AZURE_CLIENT_SECRET` (client secret); `AZURE_CLIENT_CERTIFICATE_PATH` (+
 * `AZURE_CLIENT_CERTIFICATE_PASSWORD`, `AZURE_CLIENT_SEND_CERTIFICATE_CHAIN`) (certificate);
 * `AZURE_FEDERATED_TOKEN_FILE` (workload identity); else managed identity (user-assigned when
 * `AZURE_CLIENT_ID` is set). `AZURE_CLIENT_ID`, `AZURE_TENANT_ID` and `AZURE_AUTHORITY_HOST`
 * become the provider's defaults. The chosen credential's `kind` says which was picked.
 *
 * @example
 * ```ts
 * const provider = createTokenProvider({ credential: fromEnvironment() })
 * ```
 */
export function fromEnvironment(env: Environment = process.env): Credential {
  const defaults = defined<CredentialDefaults>({
    clientId: envValue(env, 'AZURE_CLIENT_ID'),
    tenantId: envValue(env, 'AZURE_TENANT_ID'),
    authorityHost: envValue(env, 'AZURE_AUTHORITY_HOST'),
  })
  const secret = envValue(env, 'AZURE_CLIENT_SECRET')
  if (secret !== undefined) {
    requireIds(env, 'AZURE_CLIENT_SECRET')
    return withDefaults(clientSecret(secret), defaults)
  }
  const certificatePath = envValue(env, 'AZURE_CLIENT_CERTIFICATE_PATH')
  if (certificatePath !== undefined) {
    requireIds(env, 'AZURE_CLIENT_CERTIFICATE_PATH')
    const password = envValue(env, 'AZURE_CLIENT_CERTIFICATE_PASSWORD')
    const certificate = createCertificateCredential(
      {
        path: certificatePath,
        sendCertificateChain: envFlag(env, 'AZURE_CLIENT_SEND_CERTIFICATE_CHAIN'),
        ...(password === undefined ? {} : { passphrase: password }),
      },
      {
        path: 'AZURE_CLIENT_CERTIFICATE_PATH',
        certificate: 'AZURE_CLIENT_CERTIFICATE_PATH',
        privateKey: 'AZURE_CLIENT_CERTIFICATE_PATH',
        passphrase: 'AZURE_CLIENT_CERTIFICATE_PASSWORD',
        algorithm: 'algorithm',
      },
    )
    return withDefaults(certificate, defaults)
  }
  if (envValue(env, 'AZURE_FEDERATED_TOKEN_FILE') !== undefined) {
    requireIds(env, 'AZURE_FEDERATED_TOKEN_FILE')
    return withDefaults(workloadIdentity({ env }), defaults)
  }
  const clientId = envValue(env, 'AZURE_CLIENT_ID')
  return withDefaults(managedIdentity({ env, ...(clientId === undefined ? {} : { clientId }) }), defaults)
}
