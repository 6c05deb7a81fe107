import { Readable } from 'node:stream'
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  redirectPolicy,
  tlsPolicy,
  type Pipeline,
  type PipelinePolicy,
  type PipelineRequestOptions,
  type PipelineResponse,
} from '@azure/core-rest-pipeline'
import { describe, expect, it } from 'vitest'
import { appTokenPolicy, appTokenPolicyName, type AppTokenPolicyOptions } from '../src/index.js'
import { claims, fixedCredential, scopes, statuses, tokens, useServers } from './fixtures.js'

const s = useServers()
const httpClient = createDefaultHttpClient()

/**
 * An SDK client's pipeline: retries off, the SDK's sign-in step with a credential that always
 * returns `sdk-token`, and the policy where `additionalPolicies: [{ position: 'perRetry' }]` puts it.
 */
function sdkPipeline(options: AppTokenPolicyOptions = { scopes }): Pipeline {
  const pipeline = createPipelineFromOptions({
    retryOptions: { maxRetries: 0 },
    redirectOptions: { allowCrossOriginRedirects: true },
    tlsOptions: { ca: s.ca },
  })
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: fixedCredential('sdk-token'), scopes }), {
    phase: 'Sign',
  })
  pipeline.addPolicy(appTokenPolicy(s.provider, options), { afterPhase: 'Sign' })
  return pipeline
}

function send(
  pipeline: Pipeline,
  url: string,
  init: Omit<PipelineRequestOptions, 'url'> = {},
): Promise<PipelineResponse> {
  // The stand-ins are http on 127.0.0.1: the SDK's sign-in step wants this flag for that.
  return pipeline.sendRequest(
    httpClient,
    createPipelineRequest({ url, allowInsecureConnection: true, ...init }),
  )
}

/** A bare sign-in step, for a pipeline built by hand. */
const signWith = (token: string): PipelinePolicy => ({
  name: 'signWith',
  sendRequest: (request, next) => {
    request.headers.set('authorization', `Bearer ${token}`)
    return next(request)
  },
})

const current = async () => (await s.provider.getToken(scopes)).accessToken

describe('appTokenPolicy in an Azure SDK pipeline', () => {
  it('puts the provider token in place of the token the SDK signed with', async () => {
    const res = await send(sdkPipeline(), `${s.api.url}/api/todolist`)

    expect(res.status).toBe(200)
    expect(tokens(s.api)).toEqual([await current()])
    expect(s.authority.tokenRequests()).toHaveLength(1)
  })

  it('leaves a request without Authorization alone (the challenge probe)', async () => {
    const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 }, tlsOptions: { ca: s.ca } })
    pipeline.addPolicy(appTokenPolicy(s.provider, { scopes }), { afterPhase: 'Sign' })
    const res = await send(pipeline, `${s.api.url}/api/todolist`)

    expect(res.status).toBe(401)
    expect(tokens(s.api)).toEqual([undefined])
    expect(s.authority.tokenRequests()).toHaveLength(0)
  })

  it('leaves another scheme alone (Storage SharedKey)', async () => {
    const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 }, tlsOptions: { ca: s.ca } })
    pipeline.addPolicy(appTokenPolicy(s.provider, { scopes }), { afterPhase: 'Sign' })
    const headers = { authorization: 'SharedKey devstoreaccount1:c2lnbmF0dXJl' }
    const res = await send(pipeline, `${s.api.url}/api/todolist`, { headers: createHttpHeaders(headers) })

    expect(res.status).toBe(401)
    expect(s.api.requests[0]?.headers.authorization).toBe(headers.authorization)
    expect(s.authority.tokenRequests()).toHaveLength(0)
  })

  it('on a 401 forces one refresh and re-sends once', async () => {
    s.api.rejectNext()
    const res = await send(sdkPipeline(), `${s.api.url}/api/todolist`)

    expect(res.status).toBe(200)
    expect(statuses(s.api)).toEqual([401, 200])
    expect(s.authority.tokenRequests()).toHaveLength(2)
    const [first, second] = tokens(s.api)
    expect(second).not.toBe(first)
    expect(second).toBe(await current())
  })

  it('makes one token request for many concurrent 401s', async () => {
    const pipeline = sdkPipeline()
    await send(pipeline, `${s.api.url}/api/todolist`)
    s.api.reset()
    s.api.revoke(await current())
    const answers = await Promise.all([1, 2, 3].map(() => send(pipeline, `${s.api.url}/api/todolist`)))

    expect(answers.map((r) => r.status)).toEqual([200, 200, 200])
    expect(statuses(s.api).filter((status) => status === 401)).toHaveLength(3)
    expect(s.authority.tokenRequests()).toHaveLength(2)
  })

  it('hands a second 401 to the caller', async () => {
    s.api.rejectNext(2)
    const res = await send(sdkPipeline(), `${s.api.url}/api/todolist`)

    expect(res.status).toBe(401)
    expect(statuses(s.api)).toEqual([401, 401])
    expect(s.authority.tokenRequests()).toHaveLength(2)
  })

  it('refreshes with the claims of a claims challenge', async () => {
    s.api.challengeNext(claims)
    const res = await send(sdkPipeline(), `${s.api.url}/api/todolist`)

    expect(res.status).toBe(200)
    expect(statuses(s.api)).toEqual([401, 200])
    expect(s.authority.tokenRequests()[1]?.claims).toContain('"nbf"')
  })

  it('re-sends a body factory; for a consumed stream it refreshes but hands the 401 over', async () => {
    const body = JSON.stringify({ title: 'retried' })
    const post = {
      method: 'POST' as const,
      headers: createHttpHeaders({ 'content-type': 'application/json' }),
    }
    s.api.rejectNext()
    const factory = await send(sdkPipeline(), `${s.api.url}/api/todolist`, {
      ...post,
      body: () => Readable.from([body]),
    })
    expect(factory.status).toBe(201)
    expect(statuses(s.api)).toEqual([401, 201])

    s.api.reset()
    s.api.rejectNext()
    const stream = await send(sdkPipeline(), `${s.api.url}/api/todolist`, {
      ...post,
      body: Readable.from([body]),
    })
    expect(stream.status).toBe(401)
    expect(statuses(s.api)).toEqual([401])
    // The refresh still happened: the next request carries the new token.
    expect(s.authority.tokenRequests()).toHaveLength(3)
    await send(sdkPipeline(), `${s.api.url}/api/todolist`)
    expect(tokens(s.api).at(-1)).toBe(await current())
    expect(tokens(s.api).at(-1)).not.toBe(tokens(s.api)[0])
  })
})

describe('allowed origins', () => {
  it('by default, the origin of the first request it authorizes: another origin gets no token, and its 401 forces nothing', async () => {
    const pipeline = sdkPipeline()
    await send(pipeline, `${s.api.url}/api/todolist`)
    s.other.rejectNext()
    const res = await send(pipeline, `${s.other.url}/api/todolist`)

    expect(res.status).toBe(401)
    expect(tokens(s.other)).toEqual([undefined])
    expect(s.authority.tokenRequests()).toHaveLength(1)
  })

  it('with origins, only those', async () => {
    const pipeline = sdkPipeline({ scopes, origins: [s.other.origin] })
    await send(pipeline, `${s.api.url}/api/todolist`)
    await send(pipeline, `${s.other.url}/api/todolist`)

    expect(tokens(s.api)).toEqual([undefined])
    expect(tokens(s.other)).toEqual([await current()])
  })

  it('takes the token off a cross-origin redirect hop the SDK re-signed', async () => {
    const to = `${s.other.url}/api/todolist`
    const res = await send(sdkPipeline(), `${s.api.url}/api/redirect?to=${encodeURIComponent(to)}`)

    expect(res.status).toBe(401)
    expect(res.request.url).toBe(to)
    expect(tokens(s.api)).toEqual([await current()])
    expect(tokens(s.other)).toEqual([undefined])
    expect(s.authority.tokenRequests()).toHaveLength(1)
  })

  it('decides on the URL that answered: a 401 after a redirect inside its next forces no refresh', async () => {
    const pipeline = createEmptyPipeline()
    pipeline.addPolicy(tlsPolicy({ ca: s.ca }))
    pipeline.addPolicy(signWith('sdk-token'))
    pipeline.addPolicy(appTokenPolicy(s.provider, { scopes }))
    pipeline.addPolicy(redirectPolicy({ allowCrossOriginRedirects: true }))
    const to = `${s.other.url}/api/todolist`
    const res = await send(pipeline, `${s.api.url}/api/redirect?to=${encodeURIComponent(to)}`)

    expect(res.status).toBe(401)
    expect(statuses(s.api)).toEqual([302])
    expect(statuses(s.other)).toEqual([401])
    expect(s.authority.tokenRequests()).toHaveLength(1)
  })

  it('is named, so a pipeline can find or remove it', () => {
    expect(appTokenPolicy(s.provider, { scopes }).name).toBe(appTokenPolicyName)
  })
})
