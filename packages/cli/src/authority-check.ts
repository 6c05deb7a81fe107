import type { CheckResult } from './report.js'

const FIVE_MINUTES = 5 * 60_000

/** What the authority's discovery document answered: the tenant check, and its clock. */
export interface AuthorityProbe {
  check: CheckResult
  /** The authority's `Date` header (epoch ms) and our clock at that moment, when it answered. */
  date?: { theirs: number; ours: number }
}

/**
 * Reads `${authorityHost}/${tenant}/v2.0/.well-known/openid-configuration`: reachable, and the
 * tenant exists (Entra answers AADSTS90002 otherwise).
 */
export async function probeAuthority(authorityHost: string, tenantId: string): Promise<AuthorityProbe> {
  const title = 'authority and tenant'
  const url = `${authorityHost}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`
  let res: Response
  const sent = Date.now()
  try {
    res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(15_000) })
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name
    return {
      check: {
        id: 'authority',
        title,
        status: 'fail',
        detail: `cannot reach ${authorityHost} (${cause})`,
        fix: 'check the authority host (AZURE_AUTHORITY_HOST: the right cloud), DNS, proxy (HTTPS_PROXY) and firewall',
      },
    }
  }
  const ours = (sent + Date.now()) / 2
  const header = res.headers.get('date')
  const theirs = header === null ? Number.NaN : Date.parse(header)
  const date = Number.isNaN(theirs) ? undefined : { theirs, ours }
  const body = await res.text()
  if (res.ok) {
    let issuer = ''
    try {
      const iss = (JSON.parse(body) as { issuer?: unknown }).issuer
      issuer = typeof iss === 'string' ? iss : ''
    } catch {
      // a non-JSON answer still says the tenant path exists
    }
    return {
      check: {
        id: 'authority',
        title,
        status: 'pass',
        detail: `tenant ${tenantId} found${issuer ? ` (issuer ${issuer})` : ''}`,
      },
      ...(date && { date }),
    }
  }
  const aadsts = /AADSTS\d+/.exec(body)?.[0]
  return {
    check: {
      id: 'authority',
      title,
      status: 'fail',
      detail: `${authorityHost} answered ${res.status}${aadsts ? ` ${aadsts}` : ''} for tenant ${tenantId}`,
      fix:
        aadsts === 'AADSTS90002' || res.status === 400
          ? 'the tenant was not found: set AZURE_TENANT_ID to the Directory (tenant) ID (a GUID) or a verified domain, in the right cloud'
          : 'check the authority host: it should be the Entra ID login host of your cloud, e.g. https://login.microsoftonline.com',
    },
    ...(date && { date }),
  }
}

/** Our clock against the authority's `Date` header: more than 5 minutes apart warns. */
export function clockCheck(date: AuthorityProbe['date']): CheckResult {
  const title = 'clock'
  if (date === undefined)
    return { id: 'clock', title, status: 'skip', detail: 'not checked: the authority sent no Date header' }
  const skew = date.ours - date.theirs
  const seconds = Math.round(Math.abs(skew) / 1000)
  const direction = skew > 0 ? 'ahead of' : 'behind'
  if (Math.abs(skew) <= FIVE_MINUTES)
    return {
      id: 'clock',
      title,
      status: 'pass',
      detail: `within ${Math.max(1, seconds)} s of the authority's`,
    }
  return {
    id: 'clock',
    title,
    status: 'warn',
    detail: `this machine's clock is ${seconds} s ${direction} the authority's (Date header)`,
    fix: 'synchronise the clock (NTP): client assertions and token lifetimes tolerate 5 minutes at most',
  }
}
