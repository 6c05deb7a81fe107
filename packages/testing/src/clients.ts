import { createHash, X509Certificate, type KeyObject } from 'node:crypto'
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_ROLES } from './defaults.js'

/**
 * An app registration the test authority knows.
 *
 * @example
 * ```ts
 * const cert = await createTestCertificate()
 * authority.registerClient({
 *   clientId: 'b4d9c1a0-0000-4000-8000-000000000001',
 *   certificates: [cert.certificate],
 *   roles: { 'api://apptoken-test-api': ['TodoList.Read.All'] },
 * })
 * ```
 */
export interface TestClientRegistration {
  clientId: string
  /** The client secret value; omit for certificate-only apps. */
  secret?: string
  /** PEM certificates (or key + certificate PEMs) whose keys may sign client assertions. */
  certificates?: string[]
  /** Refuse a client assertion whose `jti` was seen before. */
  rejectReplayedAssertions?: boolean
  /** App roles granted, per resource (`aud`), e.g. `{ 'https://graph.microsoft.com': ['User.Read.All'] }`. */
  roles?: Record<string, string[]>
  /** Tenants (GUIDs or domains) the app is registered in; default all. */
  tenants?: string[]
  /**
   * Federated identity credentials: a client assertion that is a token signed by this authority,
   * with one of these `iss`, `sub` and `aud`, is accepted (a managed identity's token, say).
   */
  federatedCredentials?: TestFederatedCredential[]
}

/**
 * A federated identity credential of an app registration (Entra's "trust this issuer and subject").
 *
 * @example
 * ```ts
 * const trusted: TestFederatedCredential = { issuer: authority.issuer(), subject: '<object id of the managed identity>' }
 * authority.registerClient({ clientId: 'b4d9c1a0-0000-4000-8000-000000000002', federatedCredentials: [trusted] })
 * ```
 */
export interface TestFederatedCredential {
  issuer: string
  subject: string
  /** Default `['api://AzureADTokenExchange']`. */
  audiences?: string[]
}

/** A registered certificate, parsed once. */
export interface RegisteredCertificate {
  x5t: string
  x5tS256: string
  publicKey: KeyObject
  notBefore: Date
  notAfter: Date
}

export interface RegisteredClient {
  registration: TestClientRegistration
  certificates: RegisteredCertificate[]
}

export const defaultClient = (): TestClientRegistration => ({
  clientId: DEFAULT_CLIENT_ID,
  secret: DEFAULT_CLIENT_SECRET,
  roles: Object.fromEntries(Object.entries(DEFAULT_ROLES).map(([resource, roles]) => [resource, [...roles]])),
})

const CERT_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/

export function parseCertificate(pem: string): RegisteredCertificate {
  const block = CERT_PEM.exec(pem)?.[0]
  if (!block) throw new TypeError('Expected a PEM certificate (-----BEGIN CERTIFICATE-----)')
  const cert = new X509Certificate(block)
  return {
    x5t: createHash('sha1').update(cert.raw).digest('base64url'),
    x5tS256: createHash('sha256').update(cert.raw).digest('base64url'),
    publicKey: cert.publicKey,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  }
}

/** Registered apps by client id. Registering an id again replaces it. */
export class ClientRegistry {
  private readonly clients = new Map<string, RegisteredClient>()

  register(registration: TestClientRegistration): void {
    if (!registration.clientId) throw new TypeError('clientId is required')
    const certificates = (registration.certificates ?? []).map(parseCertificate)
    this.clients.set(registration.clientId.toLowerCase(), { registration: { ...registration }, certificates })
  }

  get(clientId: string): RegisteredClient | undefined {
    return this.clients.get(clientId.toLowerCase())
  }
}
