import ky from 'ky'
import { describe } from 'vitest'
import { appToken } from '../src/index.js'
import { dpopSuite } from './dpop-suite.js'

describe('ky with DPoP', () => {
  dpopSuite((api, provider) => {
    const client = ky
      .create({ baseUrl: api.url, throwHttpErrors: false })
      .extend(appToken(provider, { scopes: 'read' }))
    return async (method, path) => {
      const res = await client(path.slice(1), { method, json: method === 'POST' ? { a: 1 } : undefined })
      return { status: res.status, body: await res.text() }
    }
  })
})
