import { Readable } from 'node:stream'
import {
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
  type PipelinePolicy,
} from '@azure/core-rest-pipeline'
import { afterAll, beforeAll, describe, it } from 'vitest'
import * as core from '@apptoken/core'
import { adapterConformance, type ConformanceRequest } from '@apptoken/testing/conformance'
import { appTokenPolicy } from '../src/index.js'

// An Azure SDK client's pipeline: a sign-in step in the Sign phase (the SDK's own bearer policy
// refuses the suite's plain-http loopback servers, so this one signs with a fixed `sdk-token`), and
// the policy where `additionalPolicies: [{ position: 'perRetry' }]` puts it.
const signIn: PipelinePolicy = {
  name: 'sdkSignIn',
  sendRequest: (request, next) => (request.headers.set('authorization', 'Bearer sdk-token'), next(request)),
}
adapterConformance(
  {
    name: 'appTokenPolicy (@azure/core-rest-pipeline)',
    core,
    // The pipeline's redirect policy follows 301, 302 and 307 for a GET (303 only after a POST, never 308).
    redirectStatuses: [301, 302, 307],
    createClient: ({ provider, baseUrl, scopes }) => {
      const pipeline = createPipelineFromOptions({
        retryOptions: { maxRetries: 0 },
        redirectOptions: { allowCrossOriginRedirects: true },
      })
      pipeline.addPolicy(signIn, { phase: 'Sign' })
      pipeline.addPolicy(appTokenPolicy(provider as core.TokenProvider, { scopes, origins: [baseUrl] }), { afterPhase: 'Sign' })
      const http = createDefaultHttpClient()
      return {
        send: async (r: ConformanceRequest) => {
          const body = r.body === undefined ? undefined : r.stream ? Readable.from([r.body]) : r.body
          const request = createPipelineRequest({
            url: r.url,
            method: r.method,
            allowInsecureConnection: true, // the suite's servers are http on 127.0.0.1
            ...(body !== undefined && { body }),
            ...(r.signal && { abortSignal: r.signal }),
          })
          return { status: (await pipeline.sendRequest(http, request)).status }
        },
      }
    },
  },
  { describe, it, beforeAll, afterAll },
)
