// What every scenario shares: the packed @apptoken/testing stand-ins, a provider on them, a fake
// clock and a logger whose events can be awaited. Plain ESM JavaScript, so Node 22, Node 24, Bun and
// Deno run the same file. A scenario ends by closing what it started; it never calls process.exit:
// the runner checks that the process then exits by itself.
import { clientSecret, createTokenProvider } from '@apptoken/core'
import { startProtectedApi, startTestAuthority, TEST_API_AUDIENCE } from '@apptoken/testing'

export const scopes = `${TEST_API_AUDIENCE}/.default`

/** The local authority and protected API, and `provider(options)` for providers on them. */
export async function startStandIns(authorityOptions = {}) {
  const authority = await startTestAuthority(authorityOptions)
  const api = await startProtectedApi({ authority })
  const providers = []
  const provider = (options = {}) => {
    const p = createTokenProvider({
      authorityHost: authority.authorityHost,
      tenantId: authority.tenantId,
      clientId: authority.clientId,
      credential: clientSecret(authority.clientSecret),
      ...options,
    })
    providers.push(p)
    return p
  }
  // The servers close even when a provider's close() throws; then that error is thrown.
  const close = async () => {
    const closed = await Promise.allSettled(providers.map((p) => p.close()))
    await Promise.all([api.close(), authority.close()])
    for (const result of closed) if (result.status === 'rejected') throw result.reason
  }
  return { authority, api, provider, close }
}

/** A clock whose time moves only when told (for the provider and the authority alike). */
export function fakeClock(start = Date.now()) {
  let now = start
  const clock = {
    now: () => now,
    sleep: (ms) => ((now += ms), Promise.resolve()),
  }
  return { clock, now: () => now, advance: (ms) => (now += ms) }
}

/** A logger; `next(event)` resolves when the provider next logs that event. */
export function eventLogger() {
  const waiters = new Map()
  const emit = (fields) => {
    const resolve = waiters.get(String(fields.event))
    waiters.delete(String(fields.event))
    resolve?.()
  }
  const logger = { debug: emit, info: emit, warn: emit, error: emit }
  const next = (event) => new Promise((resolve) => waiters.set(event, resolve))
  return { logger, next }
}

/** Runs a scenario: prints `ok <name>` when it returns; an exception sets exit code 1. */
export async function scenario(name, body) {
  try {
    await body()
    console.log(`ok ${name}`)
  } catch (error) {
    console.error(`FAILED ${name}:`, error)
    process.exitCode = 1
  }
}
