// What to do about the Entra failures daemons actually hit. Keyed by AADSTS number.
const HINTS: Record<number, string> = {
  70011:
    'The scope is not valid for client credentials: request one resource followed by /.default, e.g. https://graph.microsoft.com/.default (use defaultScope(resource)).',
  1002012:
    'The scope is not valid: request the resource followed by /.default, e.g. https://graph.microsoft.com/.default.',
  7000215:
    "Wrong client secret: use the secret's Value (shown once when it was created), not its Secret ID, and check it has not expired.",
  7000222: 'The client secret has expired: create a new one in the app registration and deploy it.',
  700016:
    'The application was not found in this tenant: check clientId and tenantId; a multi-tenant app must be consented to (provisioned) in that tenant by an admin.',
  90002:
    'The tenant was not found: check tenantId (GUID or verified domain) and that authorityHost is the right cloud.',
  900023:
    'The tenant identifier is not valid: use the directory (tenant) GUID or a verified domain such as contoso.onmicrosoft.com.',
  700027:
    'The client assertion was rejected: the certificate may not be uploaded to the app registration, the key may not match it, or the assertion audience is wrong.',
  700024: 'The client assertion is not within its valid time range: check the machine clock (NTP).',
  7000214:
    'The certificate has been revoked or is not valid for this app: upload the current certificate to the app registration.',
  1000502:
    'The certificate has expired: upload a new certificate to the app registration and deploy its key.',
  7000274:
    'The certificate thumbprint does not match a credential of the app: upload this certificate or use the one that is registered.',
  7000277:
    'The certificate is not valid for this app: upload the current certificate to the app registration.',
  500011:
    'The resource was not found in the tenant: check the scope (the resource App ID URI) and that the API is registered or consented in this tenant.',
  65001:
    'The application permissions have not been consented: an admin must grant admin consent for the app in this tenant.',
  7000112: 'The application is disabled in this tenant: an admin must re-enable it.',
  53003:
    'Access was blocked by a Conditional Access policy for workload identities: ask an admin to review the policy.',
  50049: 'Unknown or invalid authority: check authorityHost and tenantId.',
  700082: 'A refresh or assertion is too old: request a new one.',
  70021:
    'The federated credential did not match: check the issuer, subject and audience of the federated identity credential.',
  700211:
    'No federated identity credential matches the assertion issuer: add one for this issuer to the app registration.',
  700213:
    'No federated identity credential matches the assertion subject: add one for this subject to the app registration.',
}

/** A hint for a token request failure, by AADSTS number or OAuth error. */
export function tokenErrorHint(errorCodes: readonly number[], error: string | undefined): string | undefined {
  for (const code of errorCodes) {
    const hint = HINTS[code]
    if (hint) return hint
  }
  if (error === 'invalid_scope') return HINTS[70011]
  if (error === 'invalid_client')
    return 'The client credential was rejected: check the secret or certificate registered for this app.'
  if (error === 'unauthorized_client') return HINTS[700016]
  return undefined
}

/** AADSTS codes meaning the certificate or assertion itself was rejected (reload and retry once). */
export const CREDENTIAL_REJECTED_CODES: ReadonlySet<number> = new Set([
  700027, 700024, 7000214, 1000502, 7000274, 7000277,
])

/**
 * A hint for an error answer from a protected API (for example Microsoft Graph), or `undefined`.
 *
 * @example
 * ```ts
 * const hint = apiErrorHint(res.status, await res.text())
 * // 403 Authorization_RequestDenied -> 'Grant admin consent for the application permission ...'
 * ```
 */
export function apiErrorHint(status: number, body: string | undefined): string | undefined {
  if (status === 403 && body?.includes('Authorization_RequestDenied')) {
    return 'The app lacks the application permission (app role) this API needs: add it under API permissions as an Application permission and grant admin consent for the tenant.'
  }
  if (status === 401 && body?.includes('InvalidAuthenticationToken')) {
    return 'The API rejected the token: check that the scope names this API (its App ID URI + /.default) and the token is for the right tenant.'
  }
  return undefined
}
