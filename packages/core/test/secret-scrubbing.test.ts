import { createServer, type Server } from 'node:http'
import { inspect } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import { clientAssertion, clientSecret, createTokenProvider, defaultScope, type TokenProvider } from '../src/index.js'
import { API, authority, fakeClock, providerFor } from './support.js'

// Shaped like an Entra secret value; it must never show up in any message.
const SECRET = 'Qx8Q~s3cr3t.Value_with+special/chars=='
const ASSERTION = 'eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJyZWZsZWN0ZWQifQ.c2lnbmF0dXJlLXZhbHVl'

let a: TestAuthority
let reflector: Server
let reflectorUrl: string
const providers: TokenProvider[] = []
beforeAll(async () => {
  a = await authority()
  // A token endpoint (or a proxy in front of one) that echoes the request back in its error.
  reflector = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      const html = req.url?.includes('html')
      res.writeHead(400, { 'content-type': html ? 'text/html' : 'application/json' })
      res.end(
        html
          ? `<html><body>Bad request: ${body} ${req.headers.authorization ?? ''}</body></html>`
          : JSON.stringify({ error: 'invalid_request', error_description: `could not parse ${body} ${req.headers.authorization ?? ''}` }),
      )
    })
  })
  await new Promise<void>((r) => reflector.listen(0, '127.0.0.1', r))
  const address = reflector.address() as { port: number }
  reflectorUrl = `http://127.0.0.1:${address.port}`
})
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
  a.reset()
})
afterAll(async () => {
  await a.close()
  await new Promise((r) => reflector.close(r))
})

const shownOf = (error: unknown) => [String((error as Error).message), inspect(error, { depth: 5 }), JSON.stringify(error)].join('\n')
const encodings = (v: string) => [v, encodeURIComponent(v), new URLSearchParams({ v }).toString().slice(2)]

describe('server text that reflects the request', () => {
  it.each([
    ['JSON error_description', 'json', 'client_secret_post'],
    ['an HTML body', 'html', 'client_secret_post'],
    ['a reflected Basic header', 'json', 'client_secret_basic'],
  ] as const)('keeps the secret out of the error when the server echoes it in %s', async (_n, path, authMethod) => {
    const p = createTokenProvider({
      clientId: 'app', tokenEndpoint: `${reflectorUrl}/${path}`, credential: clientSecret(SECRET, { authMethod }),
      retry: false,
    })
    providers.push(p)
    const error = await p.getToken(API).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(/Token request failed/)
    const shown = shownOf(error)
    for (const spelled of encodings(SECRET)) expect(shown).not.toContain(spelled)
    expect(shown).toContain('[redacted]')
  })

  it('keeps a client assertion out of the error', async () => {
    const p = createTokenProvider({
      clientId: 'app', tokenEndpoint: `${reflectorUrl}/json`, credential: clientAssertion(() => Promise.resolve(ASSERTION)),
      retry: false,
    })
    providers.push(p)
    const shown = shownOf(await p.getToken(API).catch((e: unknown) => e))
    expect(shown).toContain('could not parse')
    expect(shown).not.toContain(ASSERTION)
    expect(shown).not.toContain(ASSERTION.split('.')[1])
  })

  it('keeps the secret out of the background-refresh warning', async () => {
    const { clock, advance } = fakeClock()
    const lines: string[] = []
    let failed!: () => void
    const refreshFailed = new Promise<void>((resolve) => (failed = resolve))
    const log = (fields: Record<string, unknown>, message: string) => {
      lines.push(`${message} ${JSON.stringify(fields)}`)
      if (fields.event === 'refresh_failed') failed()
    }
    const logger = { debug: log, info: log, warn: log, error: log }
    a.registerClient({ clientId: 'reflected-app', secret: SECRET })
    const p = providerFor(a, { clock, logger, clientId: 'reflected-app', credential: clientSecret(SECRET), retry: false })
    providers.push(p)
    await p.getToken(API)
    advance(55 * 60_000 + 1)
    a.failNext({ status: 400, body: JSON.stringify({ error: 'invalid_client', error_description: `bad secret ${SECRET}` }) })
    await p.getToken(API) // served from cache; the refresh runs and fails in the background
    await refreshFailed
    expect(lines.join('\n')).toContain('[redacted]')
    expect(lines.join('\n')).not.toContain(SECRET)
  })
})

describe('a secret passed by mistake as another option', () => {
  const credential = () => clientSecret(SECRET)
  it.each([
    ['tenantId', () => createTokenProvider({ clientId: 'c', tenantId: SECRET, credential: credential() })],
    ['authorityHost', () => createTokenProvider({ clientId: 'c', tenantId: 'contoso.com', authorityHost: SECRET, credential: credential() })],
    ['authMethod', () => clientSecret(SECRET, { authMethod: SECRET as 'client_secret_post' })],
  ])('is not quoted in the ConfigurationError for %s', (option, build) => {
    let error: unknown
    try {
      build()
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'ERR_CONFIGURATION', option })
    expect(shownOf(error)).not.toContain(SECRET)
  })

  it('is not quoted when given as a scope', async () => {
    const p = createTokenProvider({ clientId: 'c', tenantId: 'contoso.com', authorityHost: a.authorityHost, credential: credential() })
    providers.push(p)
    const error = await p.getToken(SECRET).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_CONFIGURATION', option: 'scopes' })
    expect(shownOf(error)).not.toContain(SECRET)
    // Quoting an ordinary scope to show the fix stays.
    const other = await p.getToken('api://orders').catch((e: unknown) => e)
    expect((other as Error).message).toContain(defaultScope('api://orders'))
  })
})
