import got from 'got'
import Provider from 'oidc-provider'
import { afterAll, beforeAll, describe, it } from 'vitest'
import * as core from '@apptoken/core'
import { dpopConformance } from '@apptoken/testing/conformance'
import { appToken } from '../src/index.js'

dpopConformance(
  {
    name: 'got',
    Provider,
    core,
    createSend: (api, provider) => {
      const client = got.extend(
        { prefixUrl: api.url, throwHttpErrors: false, retry: { limit: 0 } },
        appToken(provider as core.TokenProvider, { scopes: 'read' }),
      )
      return async (method, path) => {
        const res = await client(path.slice(1), { method, json: method === 'POST' ? { a: 1 } : undefined })
        return { status: res.statusCode }
      }
    },
  },
  { describe, it, beforeAll, afterAll },
)
