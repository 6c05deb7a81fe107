import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Clock, TokenProvider } from '@apptoken/core'
import type { EncryptionKey } from '../src/index.js'
import { pollUntil } from './redis-server.js'
import { SCOPE } from './support.js'
import { CURRENT_TARGETS, label, useTarget } from './topology.js'

describe.each(CURRENT_TARGETS.map((t) => [label(t), t] as const))(
  'encryption key rotation under load (%s)',
  (_, target) => {
    const suite = useTarget(target)

    it('[old] → [new, old] → [new], replica by replica under load: 0 caller errors, one token request per refresh point', async () => {
      const oldKey = randomBytes(32).toString('base64')
      const newKey = randomBytes(32).toString('base64')
      // Every replica's clock: real time plus `base`, which the test moves to each refresh point.
      let base = 0
      const clock: Clock = {
        now: () => Date.now() + base,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      }
      const start = async (encryptionKey: EncryptionKey[]) =>
        (await suite.replica({ encryptionKey, clock }, { clock })).provider

      const live: TokenProvider[] = []
      for (let i = 0; i < 4; i++) live.push(await start([oldKey]))
      const first = (await Promise.all(live.map((p) => p.getToken(SCOPE))))[0]!
      expect(suite.authority.tokenRequests()).toHaveLength(1)

      // Callers keep asking every replica live at the moment, as request handlers would.
      const errors: unknown[] = []
      let calls = 0
      let running = true
      const load = (async () => {
        while (running) {
          const results = await Promise.allSettled([...live].map((p) => p.getToken(SCOPE)))
          calls += results.length
          for (const r of results) if (r.status === 'rejected') errors.push(r.reason)
          // Paces the load (a request handler's rate), not a wait for something to happen.
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
      })()

      /** A rolling deploy: each replica in turn is stopped and replaced by one with `keys`. */
      const deploy = async (keys: EncryptionKey[]) => {
        for (let i = 0; i < live.length; i++) {
          const next = await start(keys)
          const old = live[i]!
          live[i] = next
          await old.close()
        }
        // Every new replica got the token from Redis (nothing in process yet): no request.
        await Promise.all(live.map((p) => p.getToken(SCOPE)))
      }
      /** Moves every clock past the current token's refresh point; waits until all hold the new one. */
      const refreshPoint = async () => {
        const current = await live[0]!.getToken(SCOPE)
        base += current.refreshAt - clock.now() + 1_000
        await pollUntil('every replica holds the refreshed token', async () => {
          const tokens = await Promise.all(live.map((p) => p.getToken(SCOPE)))
          return tokens.every(
            (t) => t.accessToken !== current.accessToken && t.accessToken === tokens[0]!.accessToken,
          )
        })
      }

      await deploy([newKey, oldKey])
      expect(suite.authority.tokenRequests()).toHaveLength(1)
      await refreshPoint()
      expect(suite.authority.tokenRequests()).toHaveLength(2)
      await deploy([newKey])
      expect(suite.authority.tokenRequests()).toHaveLength(2)
      await refreshPoint()
      running = false
      await load

      expect(errors).toEqual([])
      expect(calls).toBeGreaterThan(0)
      // One token request per token lifetime: the first, and one at each refresh point.
      expect(suite.authority.tokenRequests()).toHaveLength(3)
      expect((await live[0]!.getToken(SCOPE)).accessToken).not.toBe(first.accessToken)
    })
  },
)
