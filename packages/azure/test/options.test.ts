import { ConfigurationError, type TokenProvider } from '@apptoken/core'
import * as pipeline110 from 'azure-core-rest-pipeline-1-10'
import { describe, expect, it } from 'vitest'
import { appTokenPolicy, type AppTokenPolicyOptions } from '../src/index.js'
import { scopes, statuses, tokens, useServers } from './fixtures.js'

const s = useServers()

describe('options are checked where the client is built', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['no provider', () => appTokenPolicy(undefined as unknown as TokenProvider, { scopes }), /provider/],
    ['no scopes', () => appTokenPolicy(s.provider, {} as AppTokenPolicyOptions), /scopes/],
    [
      'a scope without /.default',
      () => appTokenPolicy(s.provider, { scopes: 'https://vault.azure.net' }),
      /https:\/\/vault\.azure\.net\/\.default/,
    ],
    [
      'plain http origins',
      () => appTokenPolicy(s.provider, { scopes, origins: ['http://vault.contoso.com'] }),
      /plain http/,
    ],
    ['an empty origins list', () => appTokenPolicy(s.provider, { scopes, origins: [] }), /origins/],
  ]
  it.each(cases)('%s is a ConfigurationError', (_, create, message) => {
    expect(create).toThrow(ConfigurationError)
    expect(create).toThrow(message)
  })
})

describe('@azure/core-rest-pipeline 1.10 (the oldest supported)', () => {
  it('replaces the token and recovers a 401 with one refresh and one retry', async () => {
    const pipeline = pipeline110.createPipelineFromOptions({ retryOptions: { maxRetries: 0 } })
    pipeline.addPolicy(pipeline110.tlsPolicy({ ca: s.ca }))
    pipeline.addPolicy({
      name: 'sdkSignIn',
      sendRequest: (request, next) => {
        request.headers.set('authorization', 'Bearer sdk-token')
        return next(request)
      },
    })
    // 1.10's own PipelinePolicy type accepts the policy as it is.
    pipeline.addPolicy(appTokenPolicy(s.provider, { scopes }), {
      afterPhase: 'Sign',
    })
    const send = () =>
      pipeline.sendRequest(
        pipeline110.createDefaultHttpClient(),
        pipeline110.createPipelineRequest({ url: `${s.api.url}/api/todolist` }),
      )

    s.api.rejectNext()
    const res = await send()

    expect(res.status).toBe(200)
    expect(statuses(s.api)).toEqual([401, 200])
    expect(s.authority.tokenRequests()).toHaveLength(2)
    const [, retried] = tokens(s.api)
    expect(retried).toBe((await s.provider.getToken(scopes)).accessToken)
  })
})
