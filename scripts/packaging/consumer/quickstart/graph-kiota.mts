// @apptoken/graph/kiota quick start: a Kiota request adapter (what the Kiota-based Graph SDK
// runs on) with the app token provider and the 401 retry middleware.
import assert from 'node:assert/strict'
import { HttpMethod, RequestInformation } from '@microsoft/kiota-abstractions'
import {
  FetchRequestAdapter,
  KiotaClientFactory,
  MiddlewareFactory,
} from '@microsoft/kiota-http-fetchlibrary'
import { appTokenRetryMiddleware, createAppTokenAuthenticationProvider } from '@apptoken/graph/kiota'
import { startGraphApi } from '@apptoken/testing'
import { startStandIns } from '../support.mjs'

const { authority, provider, close } = await startStandIns()
const graph = await startGraphApi({ authority, users: 2 })
try {
  const options = { baseUrl: graph.url } // the stand-in's origin may receive the token
  const http = KiotaClientFactory.create(undefined, [
    appTokenRetryMiddleware(provider, options),
    ...MiddlewareFactory.getDefaultMiddlewares(),
  ])
  const adapter = new FetchRequestAdapter(
    createAppTokenAuthenticationProvider(provider, options),
    undefined,
    undefined,
    http,
  )
  adapter.baseUrl = graph.url
  graph.rejectNext()
  const body = await adapter.sendPrimitive<ArrayBuffer>(
    new RequestInformation(HttpMethod.GET, '{+baseurl}/v1.0/users'),
    'ArrayBuffer',
    undefined,
  )
  const users = JSON.parse(Buffer.from(body!).toString('utf8')) as { value: unknown[] }
  assert.equal(users.value.length, 2)
  assert.deepEqual(
    graph.requests.map((r) => r.status),
    [401, 200],
  )
  assert.equal(authority.tokenRequests().length, 2)
} finally {
  await graph.close()
  await close()
}
