import { Agent, fetch as undiciFetch } from 'undici'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID, TEST_API_AUDIENCE, startTestApis } from '../src/index.js'
import { bearer, get, postToken, secretForm } from './support.js'

const SCOPE = `${TEST_API_AUDIENCE}/.default`

describe('startTestApis', () => {
  it('starts an authority and two APIs on two origins that accept its tokens', async () => {
    const { authority, api, other, ca, close } = await startTestApis()
    try {
      expect(ca).toBeUndefined()
      expect(new Set([authority.authorityHost, api.origin, other.origin]).size).toBe(3)
      expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const { access_token: token } = (await postToken(authority, secretForm(authority, SCOPE))).body
      expect((await get(`${api.url}/api/todolist`, bearer(token))).status).toBe(200)
      expect((await get(`${other.url}/api/todolist`, bearer(token))).status).toBe(200)
      expect([api.requests[0]?.token, other.requests[0]?.token]).toEqual([token, token])
    } finally {
      await close()
    }
  })

  it('reset() forgets what all three recorded; close() stops all three', async () => {
    const servers = await startTestApis()
    const { authority, api, other } = servers
    await postToken(authority, secretForm(authority, SCOPE))
    await get(`${api.url}/api/todolist`)
    await get(`${other.url}/api/todolist`)
    expect([authority.requests.length, api.requests.length, other.requests.length]).toEqual([1, 1, 1])
    servers.reset()
    expect([authority.requests.length, api.requests.length, other.requests.length]).toEqual([0, 0, 0])
    await servers.close()
    for (const url of [authority.jwksUri, `${api.url}/public/ping`, `${other.url}/public/ping`])
      await expect(fetch(url)).rejects.toThrow(/fetch failed/)
  })

  it('with https: true serves both APIs over https, trusted through ca', async () => {
    const { authority, api, other, ca, close } = await startTestApis({ https: true })
    const trusting = new Agent({ connect: { ca } })
    try {
      expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----\n/)
      expect(authority.authorityHost).toMatch(/^http:\/\//) // the authority stays on http
      for (const server of [api, other]) {
        expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
        const res = await undiciFetch(`${server.url}/public/ping`, { dispatcher: trusting })
        expect(res.status).toBe(200)
      }
      // A client that does not trust the test certificate is refused by TLS.
      await expect(fetch(`${api.url}/public/ping`)).rejects.toThrow(/fetch failed/)
    } finally {
      await trusting.close()
      await close()
    }
  })
})

describe('TestAuthority.providerOptions', () => {
  it('is what a token provider needs besides its credential, and a token request with it succeeds', async () => {
    const { authority, close } = await startTestApis()
    try {
      expect(authority.providerOptions).toEqual({
        authorityHost: authority.authorityHost,
        tenantId: DEFAULT_TENANT_ID,
        clientId: DEFAULT_CLIENT_ID,
      })
      const { authorityHost, tenantId, clientId } = authority.providerOptions
      const res = await fetch(`${authorityHost}/${tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: authority.clientSecret,
          scope: SCOPE,
        }),
      })
      expect(res.status).toBe(200)
      expect(authority.tokenRequests({ clientId, tenant: tenantId })).toHaveLength(1)
    } finally {
      await close()
    }
  })
})
