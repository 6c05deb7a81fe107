import axios from 'axios'
import { describe } from 'vitest'
import { attachAppToken } from '../src/index.js'
import { dpopSuite } from './dpop-suite.js'

describe('axios with DPoP', () => {
  dpopSuite((api, provider) => {
    const client = axios.create({ baseURL: api.url }) // a 401 is an error: the path the retry takes
    attachAppToken(client, provider, { scopes: 'read' })
    return async (method, path) => {
      const res = await client
        .request({ method, url: path, data: method === 'POST' ? { a: 1 } : undefined })
        .catch((e: { response: { status: number; data: unknown } }) => e.response)
      return { status: res.status, body: res.data }
    }
  })
})
