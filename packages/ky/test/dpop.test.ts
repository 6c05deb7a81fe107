import ky from 'ky'
import Provider from 'oidc-provider'
import { afterAll, beforeAll, describe, it } from 'vitest'
import * as core from '@apptoken/core'
import { dpopConformance } from '@apptoken/testing/conformance'
import { appToken } from '../src/index.js'

dpopConformance(
  {
    name: 'ky',
    Provider,
    core,
    createSend: (api, provider) => {
      const client = ky
        .create({ baseUrl: api.url, throwHttpErrors: false })
        .extend(appToken(provider as core.TokenProvider, { scopes: 'read' }))
      return async (method, path) => {
        const res = await client(path.slice(1), { method, json: method === 'POST' ? { a: 1 } : undefined })
        return { status: res.status }
      }
    },
  },
  { describe, it, beforeAll, afterAll },
)
