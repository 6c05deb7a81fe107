import { createDefaultHttpClient, createEmptyPipeline, createPipelineRequest } from '@azure/core-rest-pipeline'
import Provider from 'oidc-provider'
import { afterAll, beforeAll, describe, it } from 'vitest'
import * as core from '@apptoken/core'
import { dpopConformance } from '@apptoken/testing/conformance'
import { appTokenPolicy } from '../src/index.js'

dpopConformance(
  {
    name: 'appTokenPolicy',
    Provider,
    core,
    createSend: (api, provider) => {
      const pipeline = createEmptyPipeline()
      // The SDK's sign-in step: a bearer header the policy replaces with the DPoP token and proof.
      pipeline.addPolicy({
        name: 'sign',
        sendRequest: (request, next) => (request.headers.set('authorization', 'Bearer sdk-token'), next(request)),
      })
      pipeline.addPolicy(appTokenPolicy(provider as core.TokenProvider, { scopes: 'read' }))
      const httpClient = createDefaultHttpClient()
      return async (method, path) => {
        const request = createPipelineRequest({
          url: `${api.url}${path}`,
          method,
          allowInsecureConnection: true,
          ...(method === 'POST' && { body: '{"a":1}' }),
        })
        return { status: (await pipeline.sendRequest(httpClient, request)).status }
      }
    },
  },
  { describe, it, beforeAll, afterAll },
)
