// @apptoken/fetch README quick start: the fetch wrapper and the undici interceptor.
import assert from 'node:assert/strict'
import { Agent, request } from 'undici'
import { appTokenInterceptor, withAppToken } from '@apptoken/fetch'
import { scopes, startStandIns } from '../support.mjs'

const { authority, api, provider, close } = await startStandIns()
const dispatcher = new Agent().compose(appTokenInterceptor(provider, { scopes, origins: [api.origin] }))
try {
  const apiFetch = withAppToken(fetch, provider, { scopes, origins: [api.origin] })
  api.rejectNext() // the first call is refused: one refresh, one retry
  const res = await apiFetch(`${api.url}/api/todolist`)
  assert.equal(res.status, 200)
  assert.deepEqual(
    api.requests.map((r) => r.status),
    [401, 200],
  )

  api.rejectNext() // the first call is refused: one refresh, one retry
  const { statusCode, body } = await request(`${api.url}/api/todolist`, { dispatcher })
  assert.equal(statusCode, 200)
  assert.ok(Array.isArray(await body.json()))
  assert.deepEqual(
    api.requests.map((r) => r.status),
    [401, 200, 401, 200],
  )
  assert.equal(authority.tokenRequests().length, 3)
} finally {
  await dispatcher.close()
  await close()
}
