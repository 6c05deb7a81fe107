import { Agent, request } from 'undici'
import { describe } from 'vitest'
import { appTokenInterceptor, withAppToken } from '../src/index.js'
import { dpopSuite } from './dpop-suite.js'

describe('withAppToken(fetch) with DPoP', () => {
  dpopSuite((api, provider) => {
    const apiFetch = withAppToken(fetch, provider, { scopes: 'read', origins: [api.url] })
    return async (method, path) => {
      const res = await apiFetch(`${api.url}${path}`, {
        method,
        body: method === 'POST' ? '{"a":1}' : null,
      })
      return { status: res.status, body: await (res).text() }
    }
  })
})

describe('the undici interceptor with DPoP', () => {
  dpopSuite((api, provider) => {
    const dispatcher = new Agent().compose(
      appTokenInterceptor(provider, { scopes: 'read', origins: [api.url] }),
    )
    return async (method, path) => {
      const res = await request(`${api.url}${path}`, {
        method,
        dispatcher,
        body: method === 'POST' ? '{"a":1}' : null,
      })
      return { status: res.statusCode, body: await res.body.text() }
    }
  })
})
