import { Agent, request } from 'undici'
import Provider from 'oidc-provider'
import { afterAll, beforeAll, describe, it } from 'vitest'
import * as core from '@apptoken/core'
import { dpopConformance } from '@apptoken/testing/conformance'
import { appTokenInterceptor, withAppToken } from '../src/index.js'

dpopConformance(
  {
    name: 'withAppToken(fetch)',
    Provider,
    core,
    createSend: (api, provider) => {
      const apiFetch = withAppToken(fetch, provider as core.TokenProvider, { scopes: 'read', origins: [api.url] })
      return async (method, path) => {
        const res = await apiFetch(`${api.url}${path}`, { method, body: method === 'POST' ? '{"a":1}' : null })
        await res.body?.cancel()
        return { status: res.status }
      }
    },
  },
  { describe, it, beforeAll, afterAll },
)

dpopConformance(
  {
    name: 'the undici interceptor',
    Provider,
    core,
    createSend: (api, provider) => {
      const dispatcher = new Agent().compose(
        appTokenInterceptor(provider as core.TokenProvider, { scopes: 'read', origins: [api.url] }),
      )
      return async (method, path) => {
        const res = await request(`${api.url}${path}`, { method, dispatcher, body: method === 'POST' ? '{"a":1}' : null })
        await res.body.dump()
        return { status: res.statusCode }
      }
    },
  },
  { describe, it, beforeAll, afterAll },
)
