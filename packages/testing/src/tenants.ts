import { DEFAULT_TENANT_DOMAIN, DEFAULT_TENANT_ID } from './defaults.js'

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Aliases Entra reserves for multi-tenant apps; the client credentials flow needs a real tenant. */
export const MULTI_TENANT_ALIASES = new Set(['common', 'organizations', 'consumers'])

/**
 * The tenants an authority knows. GUID entries are tenants; domain entries are verified domains
 * of the default tenant (the first GUID listed), because a token's `tid` and issuer always carry
 * a GUID.
 */
export class TenantDirectory {
  readonly defaultTenantId: string
  readonly ids: readonly string[]
  private readonly byName = new Map<string, string>()

  constructor(tenants: readonly string[] = [DEFAULT_TENANT_ID, DEFAULT_TENANT_DOMAIN]) {
    const ids = tenants.filter((t) => GUID.test(t)).map((t) => t.toLowerCase())
    this.defaultTenantId = ids[0] ?? DEFAULT_TENANT_ID
    this.ids = ids.length > 0 ? ids : [DEFAULT_TENANT_ID]
    for (const id of this.ids) this.byName.set(id, id)
    for (const t of tenants) if (!GUID.test(t)) this.byName.set(t.toLowerCase(), this.defaultTenantId)
  }

  /** The tenant GUID for an id or domain, or undefined when unknown. */
  resolve(tenant: string): string | undefined {
    return this.byName.get(tenant.toLowerCase())
  }

  /** Every name (GUID or domain) that resolves to this tenant GUID. */
  namesOf(tenantId: string): string[] {
    return [...this.byName].filter(([, id]) => id === tenantId).map(([name]) => name)
  }
}
