import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  GRAPH_AUDIENCE,
  TEST_API_AUDIENCE,
  createTestCertificate,
  startGraphApi,
  startProtectedApi,
  startTestAuthority,
  type ApiRequest,
  type GraphApi,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'
import { clientSecret } from '@apptoken/core'
import { Agent, Dispatcher1Wrapper } from 'undici'
import type { Setting } from './settings.js'
import { OFFLINE_SETTINGS, type Target } from './target.js'

/** Users in the embedded directory: several pages at the page size the job asks for. */
const DIRECTORY_SIZE = 420

/** What the embedded servers saw: the other side of the demo's own counters. */
export interface ServerRecords {
  /** Token requests the authority answered, successful or not, by resource. */
  tokenRequests: Record<string, number>
  /** Requests the TodoList API received, by the adapter named in their User-Agent. */
  apiRequests: Record<string, number>
  /** Requests Microsoft Graph (the stand-in) received. */
  graphRequests: number
  /** 401 answers of the API and Graph: each one is followed by exactly one retry. */
  unauthorized: number
}

/** The embedded authority, TodoList API and Graph stand-in, and the target they make. */
export interface OfflineEnvironment {
  readonly authorityHost: string
  readonly target: Target
  records(): ServerRecords
  close(): Promise<void>
}

/** Options of {@link startOffline}. */
export interface OfflineOptions {
  /** `MyWebApi.Scopes`, if configured: the embedded API then accepts tokens for that audience. */
  apiScopes: Setting<string[]> | undefined
  /** A secret to present instead of the embedded app's (to see what a wrong one does). */
  secret: Setting<string> | undefined
}

/** The audience a valid `/.default` scope names; anything else falls back to the test API's. */
const audienceOf = (scopes: readonly string[] | undefined): string => {
  const scope = scopes?.length === 1 ? scopes[0] : undefined
  return scope?.endsWith('/.default') ? scope.slice(0, -'/.default'.length) : TEST_API_AUDIENCE
}

/** The roles the embedded app holds: the API's two, and User.Read.All on Graph. */
const rolesFor = (audience: string): Record<string, string[]> => {
  const roles: Record<string, string[]> = { [GRAPH_AUDIENCE]: ['User.Read.All'] }
  roles[audience] = [...(roles[audience] ?? []), 'TodoList.Read.All', 'TodoList.ReadWrite.All']
  return roles
}

const byAdapter = (requests: readonly ApiRequest[]): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const r of requests) {
    const adapter = /apptoken-demo \((\w+)\)/.exec(r.headers['user-agent'] ?? '')?.[1] ?? 'other'
    counts[adapter] = (counts[adapter] ?? 0) + 1
  }
  return counts
}

/**
 * Starts a local Entra-compatible authority, a protected TodoList API and a Microsoft Graph
 * stand-in on 127.0.0.1, and describes them as a {@link Target}. Graph is served over https with
 * a certificate made on the spot (the Graph SDK treats only https links as absolute); the target
 * carries a dispatcher that trusts exactly that certificate.
 *
 * @example
 * ```ts
 * const offline = await startOffline({ apiScopes: undefined, secret: undefined })
 * console.log(offline.authorityHost)
 * await offline.close()
 * ```
 */
export async function startOffline(options: OfflineOptions): Promise<OfflineEnvironment> {
  const audience = audienceOf(options.apiScopes?.value)
  const closers: (() => Promise<void>)[] = []
  const close = async (): Promise<void> => {
    await Promise.allSettled(closers.reverse().map((c) => c()))
  }
  try {
    const [authority, tls] = await Promise.all([
      startTestAuthority({
        clients: [
          {
            clientId: DEFAULT_CLIENT_ID,
            secret: DEFAULT_CLIENT_SECRET,
            roles: rolesFor(audience),
          },
        ],
      }),
      createTestCertificate({ hosts: ['127.0.0.1'] }),
    ])
    closers.push(() => authority.close())
    const agent = new Agent({ connect: { ca: tls.certificate } })
    closers.push(() => agent.close())
    const [api, graph] = await Promise.all([
      startProtectedApi({ authority, audience }),
      startGraphApi({
        authority,
        users: DIRECTORY_SIZE,
        https: { cert: tls.certificate, key: tls.privateKey },
      }),
    ])
    closers.push(
      () => api.close(),
      () => graph.close(),
    )
    return {
      authorityHost: authority.authorityHost,
      target: offlineTarget(authority, api, graph, options, new Dispatcher1Wrapper(agent)),
      records: () => ({
        tokenRequests: Object.fromEntries(
          [`${audience}/.default`, `${GRAPH_AUDIENCE}/.default`].map((scope) => [
            scope,
            authority.tokenRequests({ scope }).length,
          ]),
        ),
        apiRequests: byAdapter(api.requests),
        graphRequests: graph.requests.length,
        unauthorized: [...api.requests, ...graph.requests].filter((r) => r.status === 401).length,
      }),
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

function offlineTarget(
  authority: TestAuthority,
  api: ProtectedApi,
  graph: GraphApi,
  options: OfflineOptions,
  dispatcher: unknown,
): Target {
  const { apiScopes, secret } = options
  return {
    kind: 'offline',
    authorityHost: authority.authorityHost,
    tenantId: authority.tenantId,
    clientId: authority.clientId,
    credential: clientSecret(secret?.value ?? authority.clientSecret),
    // The scopes as configured, so a wrong one fails here exactly as it would with a tenant.
    api: {
      baseUrl: `${api.url}/`,
      relativePath: 'api/todolist',
      scopes: apiScopes?.value ?? [`${TEST_API_AUDIENCE}/.default`],
    },
    graph: { baseUrl: `${graph.url}/v1.0`, scopes: undefined, fetchOptions: { dispatcher } },
    settings: {
      ...OFFLINE_SETTINGS,
      ...(secret && { credential: secret.name }),
      ...(apiScopes && { apiScopes: apiScopes.name }),
    },
    revokeApiToken() {
      // As an admin (or CAE) would: the token the API last accepted stops working.
      const token = api.requests.findLast((r) => r.status < 400 && r.token !== undefined)?.token
      if (token === undefined) return false
      authority.revoke(token)
      return true
    },
  }
}
