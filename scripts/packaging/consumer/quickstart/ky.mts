// @apptoken/ky README quick start (ky 2 `prefix`; ky 1's `prefixUrl` in the oldest-peers project).
import assert from 'node:assert/strict'
import ky from 'ky'
import { appToken } from '@apptoken/ky'
import { majorOf, scopes, startStandIns } from '../support.mjs'

const { authority, api, provider, close } = await startStandIns()
try {
  const base = (await majorOf('ky')) >= 2 ? { prefix: api.url } : { prefixUrl: api.url }
  const client = ky.create(base as Parameters<typeof ky.create>[0]).extend(appToken(provider, { scopes }))
  api.rejectNext() // the first call is refused: one refresh, one retry
  const todos = await client.get('api/todolist').json<unknown[]>()
  assert.ok(Array.isArray(todos))
  assert.deepEqual(
    api.requests.map((r) => r.status),
    [401, 200],
  )
  assert.equal(authority.tokenRequests().length, 2)
} finally {
  await close()
}
