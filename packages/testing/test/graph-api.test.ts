import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  GRAPH_AUDIENCE,
  startGraphApi,
  startProtectedApi,
  startTestAuthority,
  type GraphApi,
  type GraphUser,
  type TestAuthority,
} from '../src/index.js'
import { bearer, get, postToken, secretForm } from './support.js'

let authority: TestAuthority
let graph: GraphApi
let token: string
beforeAll(async () => {
  authority = await startTestAuthority()
  graph = await startGraphApi({ authority })
  token = (await postToken(authority, secretForm(authority, `${GRAPH_AUDIENCE}/.default`))).body.access_token
})
afterAll(async () => {
  await graph.close()
  await authority.close()
})
beforeEach(() => graph.reset())

describe('users', () => {
  it('pages through 25 users in 3 pages with absolute nextLinks', async () => {
    const pages: { value: GraphUser[]; '@odata.context': string }[] = []
    let url: string | undefined = `${graph.url}/v1.0/users`
    while (url) {
      const page = await get(url, bearer(token))
      expect(page.status).toBe(200)
      pages.push(page.body)
      url = page.body['@odata.nextLink']
      if (url) expect(url.startsWith(`${graph.url}/v1.0/users?`)).toBe(true)
    }
    expect(pages.map((p) => p.value.length)).toEqual([10, 10, 5])
    expect(pages[0]!['@odata.context']).toBe(`${graph.url}/v1.0/$metadata#users`)
    const users = pages.flatMap((p) => p.value)
    expect(users).toEqual(graph.users)
    expect(users[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      displayName: 'Test User 1',
      userPrincipalName: 'user1@contoso.onmicrosoft.com',
      mail: 'user1@contoso.onmicrosoft.com',
    })
    expect(graph.requests.map((r) => r.token)).toEqual([token, token, token])
  })

  it('honours $top and the /beta/ prefix', async () => {
    const page = await get(`${graph.url}/beta/users?$top=20`, bearer(token))
    expect(page.body.value).toHaveLength(20)
    expect(page.body['@odata.nextLink']).toMatch(new RegExp(`^${graph.url}/beta/users\\?\\$top=20&`))
  })

  it('gets a user by id or userPrincipalName, and 404s an unknown one', async () => {
    const user = graph.users[3]!
    expect((await get(`${graph.url}/v1.0/users/${user.id}`, bearer(token))).body).toMatchObject(user)
    expect((await get(`${graph.url}/v1.0/users/${user.userPrincipalName}`, bearer(token))).body.id).toBe(
      user.id,
    )
    const missing = await get(`${graph.url}/v1.0/users/nobody`, bearer(token))
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('Request_ResourceNotFound')
  })

  it('points nextLink to another origin when asked', async () => {
    const elsewhere = await startProtectedApi({ authority })
    try {
      graph.setNextLinkOrigin(elsewhere.origin)
      const page = await get(`${graph.url}/v1.0/users`, bearer(token))
      expect(page.body['@odata.nextLink']).toMatch(new RegExp(`^${elsewhere.origin}/v1.0/users\\?`))
    } finally {
      graph.setNextLinkOrigin(undefined)
      await elsewhere.close()
    }
  })
})

describe('organization', () => {
  it('returns the token tenant', async () => {
    const res = await get(`${graph.url}/v1.0/organization`, bearer(token))
    expect(res.body.value[0].id).toBe(authority.tenantId)
  })
})

describe('Graph-shaped errors', () => {
  it('401 InvalidAuthenticationToken with WWW-Authenticate for a missing or revoked token', async () => {
    const missing = await get(`${graph.url}/v1.0/users`)
    expect(missing.status).toBe(401)
    expect(missing.body.error).toMatchObject({
      code: 'InvalidAuthenticationToken',
      innerError: { 'request-id': expect.any(String), date: expect.any(String) },
    })
    expect(missing.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="", authorization_uri="[^"]+", client_id="00000003-0000-0000-c000-000000000000"/,
    )

    const revoked = (await postToken(authority, secretForm(authority, `${GRAPH_AUDIENCE}/.default`))).body
      .access_token
    graph.revoke(revoked)
    expect((await get(`${graph.url}/v1.0/users`, bearer(revoked))).body.error.message).toMatch(/revoked/)
  })

  it('403 Authorization_RequestDenied without User.Read.All', async () => {
    const roleless = await authority.issueToken({ audience: GRAPH_AUDIENCE, roles: [] })
    const res = await get(`${graph.url}/v1.0/users`, bearer(roleless))
    expect(res.status).toBe(403)
    expect(res.body.error).toMatchObject({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    })
  })

  it('rejectNext and challengeNext work as on the protected API', async () => {
    graph.rejectNext()
    expect((await get(`${graph.url}/v1.0/users`, bearer(token))).status).toBe(401)
    graph.challengeNext('{"access_token":{"nbf":{"essential":true,"value":"1"}}}')
    const challenged = await get(`${graph.url}/v1.0/users`, bearer(token))
    expect(challenged.headers.get('www-authenticate')).toContain('error="insufficient_claims", claims="')
    expect((await get(`${graph.url}/v1.0/users`, bearer(token))).status).toBe(200)
  })
})
