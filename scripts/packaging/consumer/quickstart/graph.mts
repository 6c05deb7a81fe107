// @apptoken/graph README quick start: the Graph v3 client against the Graph stand-in.
import assert from 'node:assert/strict'
import { AppTokenAuthenticationProvider, createGraphClient } from '@apptoken/graph'
import { startGraphApi } from '@apptoken/testing'
import { startStandIns } from '../support.mjs'

const { authority, provider, close } = await startStandIns()
const graph = await startGraphApi({ authority, users: 3 })
try {
  // `baseUrl`: the stand-in on 127.0.0.1 (http is allowed on loopback only) instead of graph.microsoft.com.
  const client = createGraphClient(provider, { baseUrl: graph.url })
  graph.rejectNext() // the first call is refused: one refresh, one retry
  const users = (await client.api('/users').select('displayName').get()) as {
    value: { displayName: string }[]
  }
  assert.equal(users.value.length, 3)
  assert.deepEqual(
    graph.requests.map((r) => r.status),
    [401, 200],
  )
  assert.equal(authority.tokenRequests().length, 2)

  // The SDK's own Client calls getAccessToken() for Graph hosts (https only, so not this stand-in).
  const token = await new AppTokenAuthenticationProvider(provider).getAccessToken()
  const res = await fetch(`${graph.url}/v1.0/organization`, { headers: { authorization: `Bearer ${token}` } })
  assert.equal(res.status, 200)
} finally {
  await graph.close()
  await close()
}
