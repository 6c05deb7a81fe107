import { audOf, type ShownClaims } from './claims.js'
import type { CheckResult } from './report.js'

const quoted = (header: string, name: string): string | undefined =>
  new RegExp(`${name}="([^"]*)"`, 'i').exec(header)?.[1]

/**
 * Calls the API with the token (no redirect is followed, so the token goes to that origin only)
 * and explains the answer: 2xx passes; 401 from `WWW-Authenticate` and the token's `aud`; 403
 * `Authorization_RequestDenied` (Microsoft Graph) means admin consent; another 403 means the web
 * API's own app roles.
 */
export async function apiCheck(
  url: string,
  token: string,
  claims: ShownClaims | undefined,
): Promise<CheckResult> {
  const title = 'API call'
  let res: Response
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    })
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name
    return {
      id: 'api',
      title,
      status: 'fail',
      detail: `cannot reach ${url} (${cause})`,
      fix: 'check the URL, DNS, proxy and firewall',
    }
  }
  const body = await res.text()
  const at = `GET ${url} answered ${res.status}`
  if (res.ok) return { id: 'api', title, status: 'pass', detail: at }
  const aud = audOf(claims)
  if (res.status === 401) {
    const challenge = res.headers.get('www-authenticate') ?? ''
    const why = quoted(challenge, 'error_description') ?? quoted(challenge, 'error') ?? 'no reason given'
    return {
      id: 'api',
      title,
      status: 'fail',
      detail: `${at}: the API did not accept the token (${why}); the token's aud is ${aud}`,
      fix: `request the API's own App ID URI: --scope <App ID URI of the API>/.default, so aud matches what the API validates (and check it accepts tokens of this tenant)`,
    }
  }
  if (res.status === 403 && body.includes('Authorization_RequestDenied')) {
    return {
      id: 'api',
      title,
      status: 'fail',
      detail: `${at} Authorization_RequestDenied: the app lacks the application permission this call needs`,
      fix: "add the permission (API permissions → Add a permission → Application permissions), then an admin must 'Grant admin consent' for the tenant",
    }
  }
  if (res.status === 403) {
    return {
      id: 'api',
      title,
      status: 'fail',
      detail: `${at}: your API refused the token's roles (${Array.isArray(claims?.roles) ? claims.roles.join(', ') || 'none' : 'none'})`,
      fix: "add app roles (allowed member types: Applications) to the web API's app registration, add them to this app's API permissions as Application permissions, and grant admin consent",
    }
  }
  return {
    id: 'api',
    title,
    status: 'fail',
    detail: at,
    fix: 'see the API response; the token itself was accepted by the authority',
  }
}
