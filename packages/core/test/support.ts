import { startTestAuthority, type TestAuthority } from '@apptoken/testing'
import { clientSecret, createTokenProvider, type Clock, type TokenProviderOptions } from '../src/index.js'

/** A clock whose sleeps return at once and advance time, recording each delay. */
export function fakeClock(start = Date.now()) {
  let now = start
  const sleeps: number[] = []
  const clock: Clock = {
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms)
      now += ms
      return Promise.resolve()
    },
  }
  return { clock, sleeps, advance: (ms: number) => (now += ms) }
}

export const GRAPH = 'https://graph.microsoft.com/.default'
export const API = 'api://apptoken-test-api/.default'

export async function authority(options?: Parameters<typeof startTestAuthority>[0]): Promise<TestAuthority> {
  return startTestAuthority(options)
}

export function providerFor(a: TestAuthority, options: Partial<TokenProviderOptions> = {}) {
  return createTokenProvider({
    tenantId: a.tenantId,
    clientId: a.clientId,
    credential: clientSecret(a.clientSecret),
    authorityHost: a.authorityHost,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  })
}

/** A logger that keeps every line, to check nothing secret is ever logged. */
export function memoryLogger() {
  const lines: string[] = []
  const log = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`)
  return { lines, logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } }
}
