import { inspect } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import { clientSecret } from '../src/index.js'
import { GRAPH, authority, memoryLogger, providerFor } from './support.js'

let a: TestAuthority
beforeAll(async () => (a = await authority()))
afterAll(() => a.close())

it('never shows a secret or token in errors, logs, JSON.stringify or util.inspect', async () => {
  const { lines, logger } = memoryLogger()
  const credential = clientSecret(a.clientSecret)
  const p = providerFor(a, { credential, logger })
  const token = await p.getToken(GRAPH)
  await p.getToken(GRAPH)
  const wrong = providerFor(a, { credential: clientSecret('WRONG-secret-value-123'), logger })
  const error = await wrong.getToken(GRAPH).catch((e: unknown) => e)
  const shown = [
    JSON.stringify(token),
    inspect(token, { depth: 5, showHidden: false }),
    String(inspect(p, { depth: 5 })),
    JSON.stringify(p),
    inspect(credential, { depth: 5 }),
    JSON.stringify(credential),
    inspect(error, { depth: 5 }),
    JSON.stringify(error),
    ...lines,
  ].join('\n')
  expect(token.accessToken.length).toBeGreaterThan(100)
  expect(shown).not.toContain(token.accessToken)
  expect(shown).not.toContain(token.accessToken.split('.')[1])
  expect(shown).not.toContain(a.clientSecret)
  expect(shown).not.toContain('WRONG-secret-value-123')
  expect(inspect(token)).toContain("accessToken: '[redacted]'")
  expect(lines.some((l) => l.includes('token_acquired'))).toBe(true)
  expect({ ...token }).not.toHaveProperty('accessToken')
  await Promise.all([p.close(), wrong.close()])
})
