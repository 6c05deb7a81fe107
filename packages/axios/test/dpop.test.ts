import axios from 'axios'
import Provider from 'oidc-provider'
import { afterAll, beforeAll, describe, it } from 'vitest'
import * as core from '@apptoken/core'
import { dpopConformance } from '@apptoken/testing/conformance'
import { attachAppToken } from '../src/index.js'

dpopConformance(
  {
    name: 'axios',
    Provider,
    core,
    createSend: (api, provider) => {
      const client = axios.create({ baseURL: api.url }) // a 401 is an error: the path the retry takes
      attachAppToken(client, provider as core.TokenProvider, { scopes: 'read' })
      return async (method, path) => {
        const res = await client
          .request({ method, url: path, data: method === 'POST' ? { a: 1 } : undefined })
          .catch((e: { response: { status: number } }) => e.response)
        return { status: res.status }
      }
    },
  },
  { describe, it, beforeAll, afterAll },
)
