import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  TEST_API_AUDIENCE,
  startProtectedApi,
  startTestAuthority,
  type ProtectedApi,
  type TestAuthority,
} from '../src/index.js'
import { bearer, get, postToken, secretForm } from './support.js'

let now = Date.now()
let authority: TestAuthority
let api: ProtectedApi
beforeAll(async () => {
  authority = await startTestAuthority({ now: () => now })
  api = await startProtectedApi({ authority })
})
afterAll(async () => {
  await api.close()
  await authority.close()
})
beforeEach(() => {
  now = Date.now()
  authority.reset()
  api.reset()
})

const tokenFor = async (audience = TEST_API_AUDIENCE): Promise<string> =>
  (await postToken(authority, secretForm(authority, `${audience}/.default`))).body.access_token as string

const expectInvalidToken = (res: { status: number; headers: Headers }, description: RegExp): void => {
  expect(res.status).toBe(401)
  const challenge = res.headers.get('www-authenticate') ?? ''
  expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]+"$/)
  expect(challenge).toMatch(description)
}

describe('token validation', () => {
  it('accepts a token from the authority and records it', async () => {
    const token = await tokenFor()
    const res = await get(`${api.url}/api/todolist`, bearer(token))
    expect(res.status).toBe(200)
    expect(res.body).toEqual(expect.arrayContaining([expect.objectContaining({ id: '1' })]))
    expect(api.requests).toMatchObject([{ method: 'GET', path: '/api/todolist', token, status: 200 }])
  })

  it('rejects a missing token', async () => {
    expectInvalidToken(await get(`${api.url}/api/todolist`), /No access token/)
    expect(api.requests[0]?.token).toBeUndefined()
  })

  it('rejects an expired token, on the authority clock', async () => {
    const token = await tokenFor()
    now += 3601 * 1000
    expectInvalidToken(await get(`${api.url}/api/todolist`, bearer(token)), /expired/)
  })

  it('rejects a token for another audience', async () => {
    expectInvalidToken(
      await get(`${api.url}/api/todolist`, bearer(await tokenFor('https://graph.microsoft.com'))),
      /audience is invalid/,
    )
  })

  it('rejects a token signed by a different authority', async () => {
    const stranger = await startTestAuthority()
    try {
      const token = (await postToken(stranger, secretForm(stranger, `${TEST_API_AUDIENCE}/.default`))).body
        .access_token
      expectInvalidToken(await get(`${api.url}/api/todolist`, bearer(token)), /another authority/)
    } finally {
      await stranger.close()
    }
  })

  it('rejects a token with a foreign issuer even when signed by this authority', async () => {
    const token = await authority.issueToken({
      audience: TEST_API_AUDIENCE,
      extra: { iss: 'https://sts.windows.net/evil/' },
    })
    expectInvalidToken(await get(`${api.url}/api/todolist`, bearer(token)), /issuer is invalid/)
  })

  it('rejects a tampered token', async () => {
    const [header, payload, signature] = (await tokenFor()).split('.')
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['Admin'] })).toString('base64url')
    expectInvalidToken(
      await get(`${api.url}/api/todolist`, bearer(`${header}.${forged}.${signature}`)),
      /signature is invalid/,
    )
  })

  it('answers 403 Authorization_RequestDenied to a token without the role', async () => {
    const token = await authority.issueToken({ audience: TEST_API_AUDIENCE, roles: [] })
    const res = await get(`${api.url}/api/todolist`, bearer(token))
    expect(res.status).toBe(403)
    expect(res.body.error).toMatchObject({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    })
    expect(res.body.error.innerError['request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('needs TodoList.ReadWrite.All to write', async () => {
    const reader = await authority.issueToken({ audience: TEST_API_AUDIENCE, roles: ['TodoList.Read.All'] })
    expect((await get(`${api.url}/api/todolist`, bearer(reader))).status).toBe(200)
    const res = await fetch(`${api.url}/api/todolist`, {
      method: 'POST',
      headers: bearer(reader),
      body: '{"title":"x"}',
    })
    expect(res.status).toBe(403)
  })

  it('rejects a revoked token at every API of the authority', async () => {
    const token = await tokenFor()
    const second = await startProtectedApi({ authority })
    try {
      api.revoke(token)
      expect(authority.isRevoked(token)).toBe(true)
      expectInvalidToken(await get(`${api.url}/api/todolist`, bearer(token)), /revoked/)
      expectInvalidToken(await get(`${second.url}/api/todolist`, bearer(token)), /revoked/)
      expect((await get(`${api.url}/api/todolist`, bearer(await tokenFor()))).status).toBe(200)
    } finally {
      await second.close()
    }
  })
})

describe('test controls', () => {
  it('rejectNext rejects a valid token the given number of times', async () => {
    const token = await tokenFor()
    api.rejectNext(2)
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await get(`${api.url}/api/todolist`, bearer(token))).status)
    expect(statuses).toEqual([401, 401, 200])
  })

  it('rejectAlways rejects until turned off', async () => {
    const token = await tokenFor()
    api.rejectAlways(true)
    expectInvalidToken(await get(`${api.url}/api/todolist`, bearer(token)), /rejected by the test/)
    expect((await get(`${api.url}/api/todolist`, bearer(token))).status).toBe(401)
    api.rejectAlways(false)
    expect((await get(`${api.url}/api/todolist`, bearer(token))).status).toBe(200)
  })

  it('challengeNext challenges the next request; a token requested with the claims passes', async () => {
    const claims = JSON.stringify({ access_token: { nbf: { essential: true, value: '1700000000' } } })
    api.challengeNext(claims)

    const first = await get(`${api.url}/api/todolist`, bearer(await tokenFor()))
    expect(first.status).toBe(401)
    expect(first.headers.get('www-authenticate')).toBe(
      `Bearer realm="", authorization_uri="${authority.authorityHost}/${authority.tenantId}/oauth2/v2.0/authorize", error="insufficient_claims", claims="${Buffer.from(claims).toString('base64')}"`,
    )

    // What a client does next: a token request carrying the claims (merged with its capabilities).
    const merged = JSON.stringify({
      access_token: { nbf: { essential: true, value: '1700000000' }, xms_cc: { values: ['cp1'] } },
    })
    const token = (
      await postToken(authority, {
        ...secretForm(authority, `${TEST_API_AUDIENCE}/.default`),
        claims: merged,
      })
    ).body.access_token
    expect((await get(`${api.url}/api/todolist`, bearer(token))).status).toBe(200)
  })

  it('challengeNext lets a token already carrying the claims through', async () => {
    const claims = '{"access_token":{"xms_cc":{"values":["cp1"]}}}'
    const token = (
      await postToken(authority, { ...secretForm(authority, `${TEST_API_AUDIENCE}/.default`), claims })
    ).body.access_token
    api.challengeNext(claims)
    expect((await get(`${api.url}/api/todolist`, bearer(token))).status).toBe(200)
  })
})

describe('routes', () => {
  it('creates an item from the JSON body', async () => {
    const res = await fetch(`${api.url}/api/todolist`, {
      method: 'POST',
      headers: { ...bearer(await tokenFor()), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Buy milk' }),
    })
    expect(res.status).toBe(201)
    const created = await res.json()
    expect(created).toMatchObject({ title: 'Buy milk' })
    expect((await get(`${api.url}/api/todolist/${created.id}`, bearer(await tokenFor()))).body).toEqual(
      created,
    )
    expect(api.requests[0]?.body).toBe('{"title":"Buy milk"}')
  })

  it('echoes method, headers and body, without the token', async () => {
    const token = await tokenFor()
    const res = await fetch(`${api.url}/api/echo`, {
      method: 'POST',
      headers: { ...bearer(token), 'x-trace': 'abc' },
      body: 'hello',
    })
    const echo = await res.json()
    expect(echo).toMatchObject({
      method: 'POST',
      body: 'hello',
      headers: { authorization: true, 'x-trace': 'abc' },
    })
    expect(JSON.stringify(echo)).not.toContain(token)
  })

  it('redirects without authentication and records a token sent anyway', async () => {
    const res = await get(
      `${api.url}/api/redirect?to=${encodeURIComponent('http://127.0.0.1:9/elsewhere')}`,
      bearer('leaked'),
    )
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('http://127.0.0.1:9/elsewhere')
    expect(api.requests[0]?.token).toBe('leaked')
  })

  it('serves /public/ping without a token and 404 for unknown routes', async () => {
    expect((await get(`${api.url}/public/ping`)).status).toBe(200)
    expect((await get(`${api.url}/nope`)).status).toBe(404)
    expect((await get(`${api.url}/api/todolist/999`, bearer(await tokenFor()))).status).toBe(404)
  })

  it('refuses bodies over 1 MiB', async () => {
    const res = await fetch(`${api.url}/api/echo`, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) })
    expect(res.status).toBe(413)
    expect(api.requests[0]?.status).toBe(413)
  })
})
