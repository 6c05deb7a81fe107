import { timingSafeEqual, createHash } from 'node:crypto'
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type ProtectedHeaderParameters,
} from 'jose'
import type { RegisteredCertificate, RegisteredClient } from './clients.js'
import { conflictingClientAuth, invalidAssertion, invalidSecret, missingCredentials } from './entra-errors.js'
import type { AuthMethod } from './recording.js'

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const CLOCK_SKEW_SECONDS = 60

/** The credentials a token request carried, before they are checked. */
export interface ClientCredentials {
  method: AuthMethod
  clientId: string | undefined
  secret?: string
  assertion?: string
  assertionType?: string
}

/** Reads client_secret_basic (RFC 6749 2.3.1: each part form-urlencoded), post, or private_key_jwt. */
export function readClientCredentials(
  form: URLSearchParams,
  authorization: string | undefined,
): ClientCredentials {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1]
  if (basic !== undefined) {
    if (form.has('client_secret') || form.has('client_assertion')) throw conflictingClientAuth()
    const decoded = Buffer.from(basic, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    const clientId = unescape(colon < 0 ? decoded : decoded.slice(0, colon))
    const formClientId = form.get('client_id')
    if (formClientId !== null && formClientId !== clientId) throw conflictingClientAuth()
    return {
      method: 'client_secret_basic',
      clientId,
      secret: colon < 0 ? '' : unescape(decoded.slice(colon + 1)),
    }
  }
  const clientId = form.get('client_id') ?? undefined
  const assertion = form.get('client_assertion')
  if (assertion !== null)
    return {
      method: 'private_key_jwt',
      clientId,
      assertion,
      assertionType: form.get('client_assertion_type') ?? '',
    }
  const secret = form.get('client_secret')
  if (secret !== null) return { method: 'client_secret_post', clientId, secret }
  return { method: 'none', clientId }
}

/** Undoes application/x-www-form-urlencoded; a malformed escape is kept as sent (and then fails). */
function unescape(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}

/** What assertion checks need from the authority. */
export interface AssertionContext {
  /** Token endpoint URLs accepted as `aud` (the tenant by GUID and by each domain). */
  audiences: string[]
  now: number
  /** `clientId jti` pairs already used. */
  seenAssertions: Set<string>
  /** The authority's own public keys: federated credentials trust tokens it signed. */
  jwks?: JSONWebKeySet
}

/** Checks the credentials against the registration; throws an EntraError when they fail. */
export async function authenticateClient(
  client: RegisteredClient,
  creds: ClientCredentials,
  ctx: AssertionContext,
): Promise<void> {
  const { clientId } = client.registration
  if (creds.method === 'none') throw missingCredentials()
  if (creds.assertion !== undefined) return verifyAssertion(client, creds, ctx)
  const expected = client.registration.secret
  if (expected === undefined || !sameText(expected, creds.secret ?? '')) throw invalidSecret(clientId)
}

function sameText(a: string, b: string): boolean {
  // Compare digests: timingSafeEqual needs equal lengths, and the length itself is a secret.
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest()
  return timingSafeEqual(digest(a), digest(b))
}

async function verifyAssertion(
  client: RegisteredClient,
  creds: ClientCredentials,
  ctx: AssertionContext,
): Promise<void> {
  const { clientId, rejectReplayedAssertions } = client.registration
  const assertion = creds.assertion ?? ''
  if (creds.assertionType !== JWT_BEARER)
    throw invalidAssertion(
      `client_assertion_type must be '${JWT_BEARER}', got '${creds.assertionType ?? ''}'.`,
    )
  let header: ProtectedHeaderParameters
  try {
    header = decodeProtectedHeader(assertion)
  } catch {
    throw invalidAssertion('The client assertion is not a well-formed JWT.')
  }
  if (header.alg !== 'PS256' && header.alg !== 'RS256')
    throw invalidAssertion(`Unsupported signing algorithm '${String(header.alg)}'; use PS256 or RS256.`)
  const federated = client.registration.federatedCredentials ?? []
  if (header.x5t === undefined && header['x5t#S256'] === undefined && federated.length > 0 && ctx.jwks)
    return verifyFederated(assertion, federated, ctx.jwks, ctx.now)
  const cert = findCertificate(client.certificates, header)
  const now = new Date(ctx.now)
  if (cert.notAfter < now)
    throw invalidAssertion(
      `The key used is expired., Thumbprint of key used by client: '${thumbprintOf(header)}', Found key 'Start=${cert.notBefore.toISOString()}, End=${cert.notAfter.toISOString()}'`,
    )

  let payload
  try {
    ;({ payload } = await jwtVerify(assertion, cert.publicKey, {
      algorithms: [header.alg],
      issuer: clientId,
      subject: clientId,
      audience: ctx.audiences,
      requiredClaims: ['exp', 'jti'],
      currentDate: now,
      clockTolerance: CLOCK_SKEW_SECONDS,
    }))
  } catch (error) {
    throw invalidAssertion(describeJoseError(error, ctx.audiences))
  }
  // jose accepts an `aud` array containing the endpoint; Entra wants the single string.
  if (typeof payload.aud !== 'string')
    throw invalidAssertion(
      `The audience claim must be a single string, the token endpoint '${ctx.audiences[0] ?? ''}'.`,
    )
  const key = `${clientId.toLowerCase()} ${String(payload.jti)}`
  if (rejectReplayedAssertions && ctx.seenAssertions.has(key))
    throw invalidAssertion(
      `The client assertion with jti '${String(payload.jti)}' was already used (replay).`,
    )
  ctx.seenAssertions.add(key)
}

function thumbprintOf(header: ProtectedHeaderParameters): string {
  const value = header['x5t#S256'] ?? header.x5t
  return typeof value === 'string' ? value : ''
}

function findCertificate(
  certificates: RegisteredCertificate[],
  header: ProtectedHeaderParameters,
): RegisteredCertificate {
  const s256 = header['x5t#S256']
  const sha1 = header.x5t
  if (typeof s256 !== 'string' && typeof sha1 !== 'string')
    throw invalidAssertion(
      "The assertion header has neither 'x5t#S256' nor 'x5t'; the certificate cannot be identified.",
    )
  const cert = certificates.find((c) => (typeof s256 === 'string' ? c.x5tS256 === s256 : c.x5t === sha1))
  if (!cert)
    throw invalidAssertion(
      `The key was not found., Thumbprint of key used by client: '${thumbprintOf(header)}'. Register the certificate on the app.`,
    )
  return cert
}

function describeJoseError(error: unknown, audiences: string[]): string {
  if (error instanceof errors.JWTExpired) return 'The client assertion is expired (exp is in the past).'
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'The client assertion signature is invalid: it was not signed by the key of the certificate in its header.'
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud')
      return `The audience claim does not match the token endpoint; expected '${audiences[0] ?? ''}'.`
    if (error.claim === 'nbf') return 'The client assertion is not yet valid (nbf is in the future).'
    return `Claim '${error.claim}' is invalid: ${error.message}. iss and sub must be the client id; exp and jti are required.`
  }
  if (error instanceof errors.JOSEError) return `The client assertion is invalid: ${error.message}`
  return 'The client assertion is invalid.'
}

/** A federated credential's check: signed by the authority's key, with a trusted `iss`, `sub` and `aud`. */
async function verifyFederated(
  assertion: string,
  federated: NonNullable<RegisteredClient['registration']['federatedCredentials']>,
  jwks: JSONWebKeySet,
  now: number,
): Promise<void> {
  let payload
  try {
    ;({ payload } = await jwtVerify(assertion, createLocalJWKSet(jwks), {
      algorithms: ['RS256'],
      currentDate: new Date(now),
      clockTolerance: CLOCK_SKEW_SECONDS,
    }))
  } catch (error) {
    throw invalidAssertion(describeJoseError(error, []))
  }
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? [])
  const match = federated.find(
    (f) =>
      f.issuer === payload.iss &&
      f.subject === payload.sub &&
      (f.audiences ?? ['api://AzureADTokenExchange']).some((a) => audiences.includes(a)),
  )
  if (!match)
    throw invalidAssertion(
      `No matching federated identity record found for presented assertion issuer '${String(payload.iss)}', subject '${String(payload.sub)}' and audience '${audiences.join(', ')}'.`,
    )
}
