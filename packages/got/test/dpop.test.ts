import got from 'got'
import { describe } from 'vitest'
import { appToken } from '../src/index.js'
import { dpopSuite } from './dpop-suite.js'

describe('got with DPoP', () => {
  dpopSuite((api, provider) => {
    const client = got.extend(
      { prefixUrl: api.url, throwHttpErrors: false, retry: { limit: 0 } },
      appToken(provider, { scopes: 'read' }),
    )
    return async (method, path) => {
      const res = await client(path.slice(1), { method, json: method === 'POST' ? { a: 1 } : undefined })
      return { status: res.statusCode, body: res.body }
    }
  })
})
