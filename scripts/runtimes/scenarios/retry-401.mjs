// 401 retry through each adapter: the API refuses the first call, the adapter forces one refresh and
// re-sends once (@apptoken/axios, @apptoken/ky, @apptoken/fetch's withAppToken).
import assert from 'node:assert/strict'
import axios from 'axios'
import ky from 'ky'
import { attachAppToken } from '@apptoken/axios'
import { withAppToken } from '@apptoken/fetch'
import { appToken } from '@apptoken/ky'
import { scenario, scopes, startStandIns } from './_support.mjs'

await scenario('401 retry (axios, ky, fetch)', async () => {
  const { authority, api, provider, close } = await startStandIns()
  try {
    const p = provider()
    const expectOneRetry = (adapter, requestsBefore) => {
      assert.deepEqual(
        api.requests.map((r) => r.status),
        [401, 200],
        adapter,
      )
      assert.equal(authority.tokenRequests().length, requestsBefore + 1, `${adapter}: one forced refresh`)
      api.reset()
    }

    const client = axios.create({ baseURL: api.url })
    attachAppToken(client, p, { scopes })
    await p.getToken(scopes)
    api.rejectNext()
    const res = await client.get('/api/todolist')
    assert.equal(res.status, 200)
    expectOneRetry('axios', 1)

    const base = { baseUrl: api.url }
    const kyClient = ky.create(base).extend(appToken(p, { scopes, ...base }))
    api.rejectNext()
    assert.ok(Array.isArray(await kyClient.get('api/todolist').json()))
    expectOneRetry('ky', 2)

    const apiFetch = withAppToken(fetch, p, { scopes, origins: [api.origin] })
    api.rejectNext()
    const fetched = await apiFetch(`${api.url}/api/todolist`)
    assert.equal(fetched.status, 200)
    await fetched.body?.cancel()
    expectOneRetry('fetch', 3)

    api.rejectNext(2) // a second 401 goes back to the caller
    assert.equal((await apiFetch(`${api.url}/api/todolist`)).status, 401)
  } finally {
    await close()
  }
})
