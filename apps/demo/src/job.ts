import type { Clients, ApiClient, Traffic } from './clients.js'
import { createProgress, type ProgressStream } from './progress.js'
import type { Target } from './target.js'

/** Users per Graph page; real Graph allows up to 999. */
const PAGE_SIZE = 100

/** What the job needs: the clients (all on one token provider), where to write, and when to stop. */
export interface JobContext {
  clients: Clients
  target: Target
  /** One line of narration. */
  say(line: string): void
  /** Where the progress bar is drawn (the narration's stream). */
  progress: ProgressStream
  /** Aborts every in-flight call (SIGINT / SIGTERM). */
  signal: AbortSignal
}

/** What the job did, for the summary. */
export interface JobResult {
  users: number
  pages: number
  /** Whether the revoked-token step ran (offline only), and which adapters had to retry. */
  revocation: { simulated: boolean; retried: string[] }
}

interface UserPage {
  value?: { displayName?: string }[]
  '@odata.nextLink'?: string
  '@odata.count'?: number
}

/**
 * Lists the directory's users through the Graph SDK, page by page.
 *
 * @example
 * ```ts
 * const { users, pages } = await listUsers(context)
 * ```
 */
export async function listUsers(context: JobContext): Promise<{ users: number; pages: number }> {
  const { clients, signal } = context
  const progress = createProgress(context.progress, 'users')
  let users = 0
  let pages = 0
  let total: number | undefined
  // $count needs ConsistencyLevel: eventual on real Graph; a server that ignores it just gives no total.
  let request = clients.graph
    .api('/users')
    .top(PAGE_SIZE)
    .select(['id', 'displayName'])
    .count(true)
    .header('ConsistencyLevel', 'eventual')
  for (;;) {
    clients.traffic.graph.calls++
    const page = (await request.option('signal', signal).get()) as UserPage
    pages++
    users += page.value?.length ?? 0
    total ??= page['@odata.count']
    progress.update(users, total, pages, page.value?.length ?? 0)
    const next = page['@odata.nextLink']
    if (next === undefined) break
    request = clients.graph.api(next)
  }
  progress.finish(`${users} users in ${pages} page${pages === 1 ? '' : 's'}`)
  return { users, pages }
}

const describeItems = (data: unknown): string => (Array.isArray(data) ? `${data.length} items` : 'ok')
const describeCreated = (data: unknown): string => {
  const id = (data as { id?: unknown } | null)?.id
  return typeof id === 'string' || typeof id === 'number' ? `created #${id}` : 'created'
}

/** Calls `client` once, counting the call; returns how many HTTP requests it took. */
async function counted<T>(
  traffic: Traffic,
  client: ApiClient,
  call: () => Promise<T>,
): Promise<{ result: T; requests: number }> {
  const before = traffic[client.adapter].requests
  traffic[client.adapter].calls++
  const result = await call()
  return { result, requests: traffic[client.adapter].requests - before }
}

/**
 * Reads the to-do list and adds an item through each adapter.
 *
 * @example
 * ```ts
 * await callApi(context)
 * ```
 */
export async function callApi(context: JobContext): Promise<void> {
  const { clients, signal } = context
  for (const client of clients.api) {
    const list = await counted(clients.traffic, client, () => client.call('GET', undefined, signal))
    const add = await counted(clients.traffic, client, () =>
      client.call('POST', { title: `Written through ${client.adapter}`, done: false }, signal),
    )
    context.say(
      `  ${client.adapter.padEnd(5)}  GET ${list.result.status} (${describeItems(list.result.data)})  ·  POST ${add.result.status} (${describeCreated(add.result.data)})`,
    )
  }
}

/**
 * Offline: revokes the API's current token at the authority, then reads the list through each
 * adapter. The first call gets a 401, forces one refresh and is retried once; the others already
 * find the new token in the cache. With a real tenant the step is skipped.
 *
 * @example
 * ```ts
 * const { simulated, retried } = await survive401(context)
 * ```
 */
export async function survive401(context: JobContext): Promise<JobResult['revocation']> {
  const { clients, signal, target } = context
  if (target.revokeApiToken === undefined) {
    context.say(
      '  skipped: revoking a token needs the embedded authority (run without a tenant to see this step)',
    )
    return { simulated: false, retried: [] }
  }
  if (!target.revokeApiToken()) {
    context.say('  skipped: the API has not accepted a token yet')
    return { simulated: false, retried: [] }
  }
  context.say('  the token the API last accepted is now revoked at the authority (as an admin or CAE would)')
  const retried: string[] = []
  for (const client of clients.api) {
    const { result, requests } = await counted(clients.traffic, client, () =>
      client.call('GET', undefined, signal),
    )
    if (requests > 1) retried.push(client.adapter)
    const how =
      requests > 1
        ? '401 → one forced refresh → retried once →'
        : 'using the refreshed token from the cache →'
    context.say(`  ${client.adapter.padEnd(5)}  GET ${how} ${result.status}`)
  }
  return { simulated: true, retried }
}

/**
 * The daemon's work: Graph users, the TodoList API through every adapter, then the revoked-token
 * recovery.
 *
 * @example
 * ```ts
 * const result = await runJob({ clients, target, say: console.log, progress: process.stdout, signal })
 * ```
 */
export async function runJob(context: JobContext): Promise<JobResult> {
  context.say(
    `Listing the directory's users through the Microsoft Graph SDK (${context.target.graph.baseUrl}/users)`,
  )
  const { users, pages } = await listUsers(context)
  context.say(
    `Calling the TodoList API (${context.clients.api[0]?.url ?? ''}) through axios, ky, got and fetch`,
  )
  await callApi(context)
  context.say('Simulating a revoked token')
  const revocation = await survive401(context)
  return { users, pages, revocation }
}
