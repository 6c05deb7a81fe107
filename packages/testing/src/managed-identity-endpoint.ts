import { createHash, randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TestAuthority } from './authority.js'
import { createTestCertificate } from './certificates.js'
import { rolesFor } from './context.js'
import { DEFAULT_ROLES, MANAGED_IDENTITY_CLIENT_ID } from './defaults.js'
import { flatHeaders, header, listen, readBody, send, sendJson } from './http.js'
import { ArcChallenges } from './managed-identity-arc.js'
import {
  refusal,
  SHAPES,
  type ManagedIdentityFault,
  type ManagedIdentityRequest,
  type ManagedIdentitySourceName,
} from './managed-identity-shapes.js'

export type {
  ManagedIdentityFault,
  ManagedIdentityRequest,
  ManagedIdentitySourceName,
} from './managed-identity-shapes.js'
export type { ArcRealmFault } from './managed-identity-arc.js'

/**
 * Options of {@link startManagedIdentityEndpoint}.
 *
 * @example
 * ```ts
 * await startManagedIdentityEndpoint({ source: 'azureArc', authority })
 * ```
 */
export interface ManagedIdentityEndpointOptions {
  source: ManagedIdentitySourceName
  /** The authority that signs the tokens (and whose APIs accept them). */
  authority: TestAuthority
  /** Client id of the system-assigned identity; default `MANAGED_IDENTITY_CLIENT_ID`. */
  clientId?: string
  /** Token lifetime; default 86399 s. */
  lifetimeSeconds?: number
}

/**
 * A running managed identity endpoint.
 *
 * @example
 * ```ts
 * const endpoint = await startManagedIdentityEndpoint({ source: 'serviceFabric', authority })
 * createTokenProvider({ credential: managedIdentity({ env: endpoint.env }) })
 * ```
 */
export interface ManagedIdentityEndpoint {
  readonly source: ManagedIdentitySourceName
  /** The token URL. */
  readonly endpoint: string
  /** The variables Azure sets for this source, pointing here. */
  readonly env: Readonly<Record<string, string>>
  /** Azure Arc: the token directory holding the challenge files (pass as `arcKeyDirectory`). */
  readonly arcKeyDirectory: string | undefined
  /** Service Fabric: the server certificate's SHA-1 thumbprint, upper-case hex. */
  readonly thumbprint: string | undefined
  readonly requests: ManagedIdentityRequest[]
  failNext(fault: ManagedIdentityFault): void
  reset(): void
  close(): Promise<void>
}

const REDACT = new Set(['secret', 'x-identity-header', 'authorization'])
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

/**
 * Starts a faithful emulation of one managed identity endpoint on 127.0.0.1: IMDS, App Service,
 * Azure Arc (challenge files in a temporary token directory), Service Fabric (https with a
 * generated self-signed certificate and its thumbprint), Azure ML or Cloud Shell. App Service and
 * Service Fabric cache tokens, as the real services do, until `token_sha256_to_refresh` names the
 * cached one.
 *
 * @example
 * ```ts
 * const arc = await startManagedIdentityEndpoint({ source: 'azureArc', authority })
 * managedIdentity({ env: arc.env, arcKeyDirectory: arc.arcKeyDirectory })
 * ```
 */
export async function startManagedIdentityEndpoint(
  options: ManagedIdentityEndpointOptions,
): Promise<ManagedIdentityEndpoint> {
  const { source, authority } = options
  const shape = SHAPES[source]
  if (shape === undefined) throw new TypeError(`Unknown managed identity source '${String(source)}'`)
  const secret = randomBytes(24).toString('base64url')
  const arc = source === 'azureArc' ? new ArcChallenges() : undefined
  const cert = source === 'serviceFabric' ? await createTestCertificate({ hosts: ['127.0.0.1'] }) : undefined
  const faults: { fault: ManagedIdentityFault; left: number }[] = []
  const cache = new Map<string, { token: string; body: Record<string, unknown> }>()
  const requests: ManagedIdentityRequest[] = []
  const lifetime = options.lifetimeSeconds ?? 86399

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const body = await readBody(req)
    const params = new URLSearchParams(url.search)
    if (shape.method === 'POST') for (const [k, v] of new URLSearchParams(body)) params.set(k, v)
    const headers = flatHeaders(req)
    for (const name of REDACT) if (name in headers) headers[name] = '[redacted]'
    const record: ManagedIdentityRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(params),
      headers,
      status: 0,
    }
    requests.push(record)
    const json = (status: number, value: unknown, extra: Record<string, string> = {}): void => {
      record.status = status
      sendJson(res, status, value, extra)
    }
    if (url.pathname !== shape.path) return json(404, { error: 'not_found' })
    const why = refusal(shape, req, params, secret)
    if (why !== undefined) return json(400, { error: 'invalid_request', error_description: why })
    const pending = faults[0]
    const fault = pending?.fault
    const consume = (): void => void (pending && --pending.left === 0 && faults.shift())
    if (arc && !arc.accepts(header(req, 'authorization'))) {
      if (header(req, 'authorization') !== undefined)
        return json(401, { error: 'invalid_client', error_description: 'The challenge key is not valid.' })
      const realm = arc.issue(fault?.arcRealm)
      if (fault?.arcRealm) consume()
      return json(401, { error: 'unauthorized' }, { 'www-authenticate': `Basic realm=${realm}` })
    }
    if (fault && fault.arcRealm === undefined) {
      consume()
      if (fault.body !== undefined) {
        record.status = fault.status ?? 200
        return send(res, record.status, fault.body, { 'content-type': 'text/html; charset=utf-8' })
      }
      if (fault.status !== undefined)
        return json(
          fault.status,
          { error: 'service_unavailable', error_description: 'Fault injected by the test endpoint.' },
          fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) },
        )
    }
    const resource = params.get('resource') ?? ''
    const clientId = fault?.otherIdentity
      ? 'ffffffff-0000-4000-8000-00000000ffff'
      : (params.get(shape.clientIdParam) ?? options.clientId ?? MANAGED_IDENTITY_CLIENT_ID)
    const objectId = params.get('object_id')
    const resourceId = params.get('msi_res_id') ?? params.get('mi_res_id')
    const key = `${resource} ${clientId} ${objectId ?? ''} ${resourceId ?? ''}`
    const cached = shape.revocation ? cache.get(key) : undefined
    const refresh = params.get('token_sha256_to_refresh')
    if (cached && !fault && (refresh === null || refresh !== sha256(cached.token))) {
      record.accessToken = cached.token
      return json(200, cached.body)
    }
    const issuedAt = authority.now()
    const token = await authority.issueToken({
      audience: resource,
      clientId,
      roles: [...rolesFor(DEFAULT_ROLES, resource)],
      lifetimeSeconds: lifetime,
      extra: { ...(objectId ? { oid: objectId } : {}), ...(resourceId ? { xms_mirid: resourceId } : {}) },
    })
    const answer = shape.body({
      token,
      clientId,
      resource,
      issuedAt,
      expiresAt: issuedAt + lifetime * 1000,
      lifetime,
    })
    if (fault?.expiresOnAsDate) {
      delete answer.expires_in
      answer.expires_on = new Date(issuedAt + lifetime * 1000).toUTCString()
    } else if (shape.revocation) cache.set(key, { token, body: answer })
    record.accessToken = token
    json(200, answer)
  }

  const server = await listen(handle, cert ? { https: { cert: cert.certificate, key: cert.privateKey } } : {})
  const endpoint = `${server.origin}${shape.path}`
  const env: Record<string, string> = {
    imds: { IMDS_ENDPOINT: server.origin },
    appService: { IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: secret },
    serviceFabric: {
      IDENTITY_ENDPOINT: endpoint,
      IDENTITY_HEADER: secret,
      IDENTITY_SERVER_THUMBPRINT: cert?.thumbprintSha1 ?? '',
    },
    azureArc: { IDENTITY_ENDPOINT: endpoint, IMDS_ENDPOINT: server.origin },
    machineLearning: {
      MSI_ENDPOINT: endpoint,
      MSI_SECRET: secret,
      DEFAULT_IDENTITY_CLIENT_ID: options.clientId ?? MANAGED_IDENTITY_CLIENT_ID,
    },
    cloudShell: { MSI_ENDPOINT: endpoint },
  }[source]
  return {
    source,
    endpoint,
    env,
    arcKeyDirectory: arc?.directory,
    thumbprint: cert?.thumbprintSha1,
    requests,
    failNext(fault) {
      const count = fault.count ?? 1
      if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer')
      faults.push({ fault, left: count })
    },
    reset() {
      requests.length = 0
      faults.length = 0
      cache.clear()
    },
    async close() {
      await server.close()
      arc?.remove()
    },
  }
}
