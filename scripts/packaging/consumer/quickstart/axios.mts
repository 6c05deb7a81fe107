// @apptoken/axios README quick start, against the local authority and API.
import assert from 'node:assert/strict'
import axios from 'axios'
import { attachAppToken } from '@apptoken/axios'
import { scopes, startStandIns } from '../support.mjs'

const { authority, api, provider, close } = await startStandIns()
try {
  const client = axios.create({ baseURL: api.url })
  const detach = attachAppToken(client, provider, { scopes })
  api.rejectNext() // the first call is refused: one refresh, one retry
  const res = await client.get<unknown[]>('/api/todolist')
  assert.equal(res.status, 200)
  assert.ok(Array.isArray(res.data))
  assert.deepEqual(
    api.requests.map((r) => r.status),
    [401, 200],
  )
  assert.equal(authority.tokenRequests().length, 2)
  detach()
  const bare = await client.get('/api/todolist', { validateStatus: () => true })
  assert.equal(bare.status, 401, 'detach() removes the token')
} finally {
  await close()
}
