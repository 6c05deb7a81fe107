// @apptoken/got README quick start.
import assert from 'node:assert/strict'
import got from 'got'
import { appToken } from '@apptoken/got'
import { scopes, startStandIns } from '../support.mjs'

const { authority, api, provider, close } = await startStandIns()
try {
  const client = got.extend({ prefixUrl: api.url }, appToken(provider, { scopes }))
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
