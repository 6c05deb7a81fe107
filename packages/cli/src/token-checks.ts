import { isConfigurationError, isTokenRequestError, type CredentialValidityEvent } from '@apptoken/core'
import { audOf, rolesOf, type ShownClaims } from './claims.js'
import type { CheckResult } from './report.js'

/** Entra codes that mean the scope (resource) is wrong, not the credential. */
const SCOPE_CODES = new Set(['AADSTS70011', 'AADSTS1002012', 'AADSTS500011'])
const WARN_DAYS = 30

/**
 * The scope's shape before anything is sent: one resource followed by `/.default` (a resource
 * whose App ID URI ends in `/` keeps it: `https://database.windows.net//.default`).
 */
export function scopeCheck(scope: string): CheckResult {
  const title = 'scope'
  if (!scope.endsWith('/.default')) {
    const resource = scope.replace(/\/[^/]*$/, '') || scope
    return {
      id: 'scope',
      title,
      status: 'fail',
      detail: `${scope} is not a resource followed by /.default`,
      fix: `app tokens carry application permissions only: request ${resource}/.default (for a resource whose App ID URI ends in "/", keep it: ${resource}//.default)`,
    }
  }
  const resource = scope.slice(0, -'/.default'.length)
  const v1 = resource.endsWith('/')
  return {
    id: 'scope',
    title,
    status: 'pass',
    detail: `${resource}${v1 ? ' (App ID URI ending in "/", kept by the double slash)' : ''} with /.default`,
  }
}

/** The token request's outcome: the credential line, or the scope line when Entra blamed the scope. */
export function requestFailure(error: unknown, scope: string): CheckResult {
  if (isConfigurationError(error))
    return {
      id: 'scope',
      title: 'scope',
      status: 'fail',
      detail: error.message,
      fix: `check the scope ${scope}`,
    }
  if (isTokenRequestError(error)) {
    const what = [error.status, error.error, error.aadsts].filter(Boolean).join(' ')
    const fix = error.hint ?? 'see the Entra error code reference for this AADSTS code'
    if (error.aadsts !== undefined && SCOPE_CODES.has(error.aadsts))
      return {
        id: 'scope',
        title: 'scope',
        status: 'fail',
        detail: `the authority refused the scope ${scope} (${what})`,
        fix: `${fix} If the resource's App ID URI ends in "/", keep it before /.default (e.g. https://database.windows.net//.default).`,
      }
    return { id: 'credential', title: 'credential', status: 'fail', detail: `refused: ${what}`, fix }
  }
  const code = (error as { code?: string }).code
  return {
    id: 'credential',
    title: 'credential',
    status: 'fail',
    detail: `no token: ${code ?? (error as Error).message}`,
    fix: 'check the network path to the authority (proxy, firewall) and try again',
  }
}

/** The token carries application permissions (`roles`): none means no admin consent. */
export function rolesCheck(claims: ShownClaims | undefined): CheckResult {
  const title = 'application permissions'
  if (claims === undefined)
    return { id: 'roles', title, status: 'skip', detail: 'not checked: the token is not a JWT' }
  const roles = rolesOf(claims)
  if (roles.length > 0) return { id: 'roles', title, status: 'pass', detail: `roles ${roles.join(', ')}` }
  return {
    id: 'roles',
    title,
    status: 'fail',
    detail: `the token for ${audOf(claims)} has no roles claim: the app holds no application permission on it`,
    fix: "in the app registration, API permissions → Add a permission → the API → Application permissions, then an admin must 'Grant admin consent' for the tenant",
  }
}

/** The certificate the credential signed with, as the `apptoken:credential-validity` channel reported it. */
export function certificateCheck(
  kind: string,
  seen: CredentialValidityEvent | undefined,
  now: number,
): CheckResult {
  const title = 'certificate'
  if (seen === undefined)
    return { id: 'certificate', title, status: 'skip', detail: `not a certificate credential (${kind})` }
  const notAfter = new Date(seen.notAfter).toISOString()
  const days = Math.floor((seen.notAfter - now) / 86_400_000)
  if (days >= WARN_DAYS)
    return { id: 'certificate', title, status: 'pass', detail: `valid until ${notAfter} (${days} days)` }
  return {
    id: 'certificate',
    title,
    status: 'warn',
    detail: `expires on ${notAfter} (in ${days} days)`,
    fix: 'create its successor, upload it to the app registration (Certificates & secrets) and deploy it; list both certificates to rotate without downtime',
  }
}
