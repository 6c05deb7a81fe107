import { afterAll, beforeAll, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import { clientSecret, firstOf } from '../src/index.js'
import { GRAPH, authority, providerFor } from './support.js'

let a: TestAuthority
beforeAll(async () => (a = await authority()))
afterAll(() => a.close())

it('moves through a rotation list past every refused secret within one getToken', async () => {
  const p = providerFor(a, { credential: firstOf(clientSecret('old-secret-1'), clientSecret('old-secret-2'), clientSecret(a.clientSecret)) })
  const token = await p.getToken(GRAPH)
  expect(token.accessToken).toBeTruthy()
  expect(a.tokenRequests().map((r) => r.status)).toEqual([401, 401, 200])
  await p.close()
})

it('gives up with the authority error when every member is refused', async () => {
  a.reset()
  const p = providerFor(a, { credential: firstOf(clientSecret('old-1'), clientSecret('old-2')) })
  await expect(p.getToken(GRAPH)).rejects.toMatchObject({ code: 'ERR_TOKEN_REQUEST', aadsts: 'AADSTS7000215' })
  expect(a.tokenRequests().length).toBeLessThanOrEqual(5)
  await p.close()
})
