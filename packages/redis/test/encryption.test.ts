import { randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TokenProvider } from '@apptoken/core'
import { startTestAuthority, type TestAuthority } from '@apptoken/testing'
import { redisCache, type EncryptionKey } from '../src/index.js'
import { ALL_CLIENT_KINDS, connectClient, type TestClient } from './clients.js'
import { startRedisServer, type RedisServer } from './redis-server.js'
import { SCOPE, memoryLogger, providerFor, tokenKeys } from './support.js'

const run = promisify(execFile)

describe.each(ALL_CLIENT_KINDS)('encryption at rest (%s)', (kind) => {
  let server: RedisServer
  let raw: TestClient
  let authority: TestAuthority
  const clients: TestClient[] = []
  const providers: TokenProvider[] = []

  async function replica(encryptionKey?: EncryptionKey | EncryptionKey[]) {
    const client = await connectClient(kind, server.port)
    clients.push(client)
    const log = memoryLogger()
    const cache = redisCache(client.client, {
      logger: log.logger,
      ...(encryptionKey === undefined ? {} : { encryptionKey }),
    })
    const provider = providerFor(authority, cache)
    providers.push(provider)
    return { cache, provider, log }
  }

  /** The stored value, as `redis-cli GET` prints it. */
  async function storedValue(): Promise<string> {
    const [key] = await tokenKeys(raw.command)
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(server.port), 'GET', key!])
    return stdout
  }

  beforeAll(async () => {
    server = await startRedisServer()
    raw = await connectClient(kind, server.port)
    authority = await startTestAuthority()
  })
  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.close()))
    await Promise.all(clients.splice(0).map((c) => c.close()))
    await raw.command('FLUSHALL')
    authority.reset()
  })
  afterAll(async () => {
    await raw.close()
    await authority.close()
    await server.stop()
  })

  it('stores no token text, and replicas with the same key share the token', async () => {
    const key = randomBytes(32).toString('base64')
    const a = await replica(key)
    const token = await a.provider.getToken(SCOPE)
    expect(token.accessToken.startsWith('eyJ')).toBe(true)

    const stored = await storedValue()
    expect(stored).toMatch(/^e1\.\d+\./)
    expect(stored).not.toContain(token.accessToken)
    expect(stored).not.toContain('eyJ')
    expect(stored).not.toContain(authority.tenantId)

    const b = await replica(key)
    expect((await b.provider.getToken(SCOPE)).accessToken).toBe(token.accessToken)
    expect(authority.tokenRequests()).toHaveLength(1)
  })

  it('treats values under a wrong key as misses: a token request, no error', async () => {
    const a = await replica(randomBytes(32))
    const first = await a.provider.getToken(SCOPE)
    const b = await replica(randomBytes(32))
    const second = await b.provider.getToken(SCOPE)
    expect(second.accessToken).not.toBe(first.accessToken)
    expect(authority.tokenRequests()).toHaveLength(2)
    expect(b.log.events('shared_cache_bad_value').map((l) => l.fields.reason)).toEqual(['decrypt_failed'])
  })

  it('accepts hex keys and passphrases, and rotates keys (the first encrypts, all decrypt)', async () => {
    const old = randomBytes(32).toString('hex')
    const a = await replica(old)
    const token = await a.provider.getToken(SCOPE)
    const rolled = await replica(['a new passphrase, long enough', old])
    expect((await rolled.provider.getToken(SCOPE)).accessToken).toBe(token.accessToken)
    expect(authority.tokenRequests()).toHaveLength(1)
  })

  it('refuses a plaintext value when a key is set, so nobody can plant a token', async () => {
    const plain = await replica()
    const planted = await plain.provider.getToken(SCOPE)
    expect(await storedValue()).toContain(planted.accessToken)

    const encrypted = await replica('a passphrase that is long enough')
    const token = await encrypted.provider.getToken(SCOPE)
    expect(token.accessToken).not.toBe(planted.accessToken)
    expect(encrypted.log.events('shared_cache_bad_value').map((l) => l.fields.reason)).toEqual([
      'plaintext_refused',
    ])
    // Its own token replaced the planted one, encrypted.
    expect(await storedValue()).not.toContain('eyJ')
  })

  it('does not decrypt a value moved under another key (another tenant or scope)', async () => {
    const key = randomBytes(32)
    const a = await replica(key)
    await a.provider.getToken(SCOPE)
    const [original] = await tokenKeys(raw.command)
    const value = (await raw.command('GET', original!)) as string
    await a.provider.getToken('api://another-api/.default')
    const other = (await tokenKeys(raw.command)).find((k) => k !== original)!
    await raw.command('SET', other, value)

    const b = await replica(key)
    const token = await b.provider.getToken('api://another-api/.default')
    expect(token.scopes).toEqual(['api://another-api/.default'])
    expect(authority.tokenRequests()).toHaveLength(3)
    expect(b.log.events('shared_cache_bad_value').map((l) => l.fields.reason)).toEqual(['decrypt_failed'])
  })
})
