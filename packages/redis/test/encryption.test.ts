import { randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { EncryptionKey } from '../src/index.js'
import { ask } from './admin.js'
import { SCOPE } from './support.js'
import { CURRENT_TARGETS, TARGETS, label, useTarget } from './topology.js'

const run = promisify(execFile)

// The codec does not depend on the client: older majors only where they connect differently.
const ENCRYPTION_TARGETS = TARGETS.filter((t) => t.topology === 'standalone' || CURRENT_TARGETS.includes(t))

describe.each(ENCRYPTION_TARGETS.map((t) => [label(t), t] as const))(
  'encryption at rest (%s)',
  (_, target) => {
    const suite = useTarget(target)
    const replica = (encryptionKey?: EncryptionKey | EncryptionKey[]) =>
      suite.replica(encryptionKey === undefined ? {} : { encryptionKey })

    /** The stored value, as `redis-cli GET` prints it (on a Cluster, from the key's primary). */
    async function storedValue(): Promise<string> {
      const [key] = await suite.tokenKeys()
      const port = await portOf(key!)
      const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'GET', key!])
      return stdout
    }

    /** The port of the server holding `key` (the current primary, on Sentinel). */
    async function portOf(key: string): Promise<number> {
      const endpoint = suite.endpoint
      if (endpoint.topology === 'standalone') return endpoint.port
      if (endpoint.topology === 'sentinel') {
        const [, port] = (await ask(
          endpoint.sentinelPorts[0]!,
          'SENTINEL',
          'GET-MASTER-ADDR-BY-NAME',
          endpoint.name,
        )) as string[]
        return Number(port)
      }
      const slot = Number(await ask(endpoint.ports[0]!, 'CLUSTER', 'KEYSLOT', key))
      const shards = (await ask(endpoint.ports[0]!, 'CLUSTER', 'SLOTS')) as [
        number,
        number,
        [string, number],
      ][]
      return shards.find(([from, to]) => slot >= from && slot <= to)![2][1]
    }

    it('stores no token text, and replicas with the same key share the token', async () => {
      const key = randomBytes(32).toString('base64')
      const a = await replica(key)
      const token = await a.provider.getToken(SCOPE)
      expect(token.accessToken.startsWith('eyJ')).toBe(true)

      const stored = await storedValue()
      expect(stored).toMatch(/^e1\.\d+\./)
      expect(stored).not.toContain(token.accessToken)
      // No segment of the JWT (a bare 'eyJ' would also turn up by chance in random ciphertext).
      for (const segment of token.accessToken.split('.')) expect(stored).not.toContain(segment)
      expect(stored).not.toContain(suite.authority.tenantId)

      const b = await replica(key)
      expect((await b.provider.getToken(SCOPE)).accessToken).toBe(token.accessToken)
      expect(suite.authority.tokenRequests()).toHaveLength(1)
    })

    it('treats values under a wrong key as misses: a token request, no error', async () => {
      const a = await replica(randomBytes(32))
      const first = await a.provider.getToken(SCOPE)
      const b = await replica(randomBytes(32))
      const second = await b.provider.getToken(SCOPE)
      expect(second.accessToken).not.toBe(first.accessToken)
      expect(suite.authority.tokenRequests()).toHaveLength(2)
      expect(b.log.events('shared_cache_bad_value').map((l) => l.fields.reason)).toEqual(['decrypt_failed'])
    })

    it('accepts hex keys and passphrases, and rotates keys (the first encrypts, all decrypt)', async () => {
      const old = randomBytes(32).toString('hex')
      const a = await replica(old)
      const token = await a.provider.getToken(SCOPE)
      const rolled = await replica(['a new passphrase, long enough', old])
      expect((await rolled.provider.getToken(SCOPE)).accessToken).toBe(token.accessToken)
      expect(suite.authority.tokenRequests()).toHaveLength(1)
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
      expect(await storedValue()).not.toContain(token.accessToken.split('.')[1])
    })

    it('does not decrypt a value moved under another key (another tenant or scope)', async () => {
      const key = randomBytes(32)
      const a = await replica(key)
      await a.provider.getToken(SCOPE)
      const [original] = await suite.tokenKeys()
      const value = (await suite.raw.command('GET', original!)) as string
      await a.provider.getToken('api://another-api/.default')
      const other = (await suite.tokenKeys()).find((k) => k !== original)!
      await suite.raw.command('SET', other, value)

      const b = await replica(key)
      const token = await b.provider.getToken('api://another-api/.default')
      expect(token.scopes).toEqual(['api://another-api/.default'])
      expect(suite.authority.tokenRequests()).toHaveLength(3)
      expect(b.log.events('shared_cache_bad_value').map((l) => l.fields.reason)).toEqual(['decrypt_failed'])
    })
  },
)
