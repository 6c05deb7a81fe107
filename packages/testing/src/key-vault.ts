import { randomUUID } from 'node:crypto'
import type { TestAuthority } from './authority.js'
import { startApiServer, type ApiCall, type ApiControls, type ApiResponse } from './api-server.js'
import type { GateResult } from './bearer-gate.js'
import type { ListenOptions } from './http.js'

/**
 * Options of {@link startKeyVault}.
 *
 * @example
 * ```ts
 * const cert = await createTestCertificate({ hosts: ['127.0.0.1'] })
 * const vault = await startKeyVault({ authority, https: { cert: cert.certificate, key: cert.privateKey } })
 * ```
 */
export interface KeyVaultOptions extends ListenOptions {
  /** The authority whose tokens the vault accepts, and that its challenge names. */
  authority: TestAuthority
  /** The resource of the challenge and the accepted `aud`; default `https://vault.azure.net`. */
  resource?: string
}

/**
 * A running Key Vault stand-in: the controls every API stand-in has, plus its secrets.
 *
 * @example
 * ```ts
 * const client = new SecretClient(vault.url, credential, { disableChallengeResourceVerification: true })
 * await client.setSecret('db-password', 's3cret')
 * expect(vault.secret('db-password')).toBe('s3cret')
 * ```
 */
export interface KeyVault extends ApiControls {
  /** The current value of a secret, or `undefined` when there is none. */
  secret(name: string): string | undefined
}

interface SecretVersion {
  version: string
  value: string
  contentType?: string
  tags?: Record<string, string>
  created: number
}

const NAME = /^[0-9a-zA-Z-]{1,127}$/

const keyVaultError = (
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): ApiResponse => ({
  status,
  json: { error: { code, message } },
  ...(headers && { headers }),
})

/**
 * Starts a Key Vault stand-in on 127.0.0.1 that authenticates as Key Vault does: a request without
 * a token (the SDK's first, body-less probe) gets 401 with
 * `WWW-Authenticate: Bearer authorization="<authorityHost>/<tenant>", resource="https://vault.azure.net"`;
 * tokens are validated against the authority's keys (signature, v1 or v2 issuer, `aud`, lifetime,
 * revocation), and a bad one gets the same challenge. Routes (any `api-version`):
 * `PUT /secrets/:name`, `GET /secrets/:name[/:version]`, `GET /secrets`.
 *
 * The Key Vault SDK sends tokens over https only, and checks that the challenge's resource matches
 * the vault's host: serve https and pass `disableChallengeResourceVerification: true` to the client.
 *
 * @example
 * ```ts
 * const vault = await startKeyVault({ authority, https: { cert: cert.certificate, key: cert.privateKey } })
 * const client = new SecretClient(vault.url, provider.toTokenCredential(), {
 *   disableChallengeResourceVerification: true,
 *   tlsOptions: { ca: cert.certificate },
 * })
 * ```
 */
export async function startKeyVault(options: KeyVaultOptions): Promise<KeyVault> {
  const { authority } = options
  const resource = (options.resource ?? 'https://vault.azure.net').replace(/\/+$/, '')
  const challenge = `Bearer authorization="${authority.authorityHost}/${authority.tenantId}", resource="${resource}"`
  const store = new Map<string, SecretVersion[]>()

  const denied = (result: Exclude<GateResult, { outcome: 'allowed' | 'forbidden' }>): ApiResponse => {
    if (result.outcome === 'challenged') {
      const claims = Buffer.from(result.claims).toString('base64')
      const authorizationUri = `${authority.authorityHost}/${authority.tenantId}/oauth2/v2.0/authorize`
      return keyVaultError(401, 'Unauthorized', 'A claims challenge was issued.', {
        'www-authenticate': `Bearer realm="", authorization_uri="${authorizationUri}", error="insufficient_claims", claims="${claims}"`,
      })
    }
    return keyVaultError(401, 'Unauthorized', `AKV10000: ${result.description}`, {
      'www-authenticate': challenge,
    })
  }

  const bundle = (origin: string, name: string, s: SecretVersion): Record<string, unknown> => ({
    value: s.value,
    id: `${origin}/secrets/${name}/${s.version}`,
    attributes: {
      enabled: true,
      created: Math.floor(s.created / 1000),
      updated: Math.floor(s.created / 1000),
      recoveryLevel: 'Recoverable+Purgeable',
      recoverableDays: 90,
    },
    ...(s.contentType === undefined ? {} : { contentType: s.contentType }),
    ...(s.tags === undefined ? {} : { tags: s.tags }),
  })

  const route = (call: ApiCall, origin: string): ApiResponse => {
    const method = call.req.method ?? 'GET'
    const [, collection, name, version, ...rest] = call.url.pathname.split('/')
    if (collection !== 'secrets' || rest.length > 0)
      return keyVaultError(404, 'NotFound', `No route ${method} ${call.url.pathname}.`)
    if (name === undefined || name === '') {
      if (method !== 'GET')
        return keyVaultError(405, 'MethodNotAllowed', `${method} /secrets is not supported.`)
      const value = [...store].map(([n, versions]) => {
        const { value: _value, ...item } = bundle(origin, n, versions.at(-1)!)
        return { ...item, id: `${origin}/secrets/${n}` }
      })
      return { status: 200, json: { value, nextLink: null } }
    }
    if (!NAME.test(name))
      return keyVaultError(400, 'BadParameter', 'The request URI contains an invalid name: ' + name)
    if (method === 'PUT' && version === undefined) {
      const body = parseObject(call.body)
      if (body === undefined || typeof body.value !== 'string')
        return keyVaultError(400, 'BadParameter', "Property 'value' is required and must be a string.")
      const secret: SecretVersion = {
        version: randomUUID().replaceAll('-', ''),
        value: body.value,
        created: authority.now(),
        ...(typeof body.contentType === 'string' && { contentType: body.contentType }),
        ...(isStringRecord(body.tags) && { tags: body.tags }),
      }
      store.set(name, [...(store.get(name) ?? []), secret])
      return { status: 200, json: bundle(origin, name, secret) }
    }
    if (method === 'GET') {
      const versions = store.get(name) ?? []
      const secret = version ? versions.find((v) => v.version === version) : versions.at(-1)
      if (secret === undefined) {
        const id = version ? `${name}/${version}` : name
        return keyVaultError(
          404,
          'SecretNotFound',
          `A secret with (name/id) ${id} was not found in this key vault.`,
        )
      }
      return { status: 200, json: bundle(origin, name, secret) }
    }
    return keyVaultError(405, 'MethodNotAllowed', `${method} ${call.url.pathname} is not supported.`)
  }

  const controls = await startApiServer(
    { ...options, audience: [resource, `${resource}/`] },
    async (call, origin) => {
      const result = await call.gate.check(call.token, [])
      if (result.outcome === 'allowed') return route(call, origin)
      if (result.outcome === 'forbidden') return keyVaultError(403, 'Forbidden', 'Access denied.')
      return denied(result)
    },
  )
  const secret = (name: string): string | undefined => store.get(name)?.at(-1)?.value
  return Object.assign(controls, { secret })
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  )
}
