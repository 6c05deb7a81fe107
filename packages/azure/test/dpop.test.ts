import {
  createDefaultHttpClient,
  createEmptyPipeline,
  createPipelineRequest,
} from '@azure/core-rest-pipeline'
import { describe } from 'vitest'
import { appTokenPolicy } from '../src/index.js'
import { dpopSuite } from './dpop-suite.js'

describe('appTokenPolicy with DPoP', () => {
  dpopSuite((api, provider) => {
    const pipeline = createEmptyPipeline()
    // The SDK's sign-in step: a bearer header the policy replaces with the DPoP token and proof.
    pipeline.addPolicy({
      name: 'sign',
      sendRequest: (request, next) => {
        request.headers.set('authorization', 'Bearer sdk-token')
        return next(request)
      },
    })
    pipeline.addPolicy(appTokenPolicy(provider, { scopes: 'read' }))
    const httpClient = createDefaultHttpClient()
    return async (method, path) => {
      const request = createPipelineRequest({
        url: `${api.url}${path}`,
        method,
        allowInsecureConnection: true,
        ...(method === 'POST' && { body: '{"a":1}' }),
      })
      const res = await pipeline.sendRequest(httpClient, request)
      return { status: res.status, body: res.bodyAsText }
    }
  })
})
