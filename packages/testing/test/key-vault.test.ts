import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  TEST_API_AUDIENCE,
  startKeyVault,
  startTestAuthority,
  type KeyVault,
  type TestAuthority,
} from '../src/index.js'
import { bearer, get, postToken, secretForm, type Answer } from './support.js'

let authority: TestAuthority
let vault: KeyVault
let token: string
beforeAll(async () => {
  authority = await startTestAuthority()
  vault = await startKeyVault({ authority })
})
afterAll(async () => {
  await vault.close()
  await authority.close()
})
beforeEach(async () => {
  authority.reset()
  vault.reset()
  token = (await postToken(authority, secretForm(authority, 'https://vault.azure.net/.default'))).body
    .access_token as string
})

const put = async (path: string, body: unknown, headers: Record<string, string>) => {
  const res = await fetch(`${vault.url}${path}?api-version=7.6`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  const answer: Pick<Answer, 'status' | 'headers' | 'body'> = {
    status: res.status,
    headers: res.headers,
    body: await res.json(),
  }
  return answer
}

describe('Key Vault stand-in', () => {
  it('challenges a request without a token with the authority and the vault resource', async () => {
    const res = await get(`${vault.url}/secrets/db-password?api-version=7.6`)

    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer authorization="${authority.authorityHost}/${authority.tenantId}", resource="https://vault.azure.net"`,
    )
    expect(res.body.error.code).toBe('Unauthorized')
  })

  it('sets and gets secrets with a v1.0 token for https://vault.azure.net', async () => {
    const set = await put('/secrets/db-password', { value: 's3cret', tags: { env: 'test' } }, bearer(token))
    expect(set.status).toBe(200)
    expect(set.body).toMatchObject({ value: 's3cret', tags: { env: 'test' }, attributes: { enabled: true } })
    expect(set.body.id).toMatch(new RegExp(`^${vault.url}/secrets/db-password/[0-9a-f]{32}$`))

    const got = await get(`${vault.url}/secrets/db-password?api-version=7.6`, bearer(token))
    expect(got.status).toBe(200)
    expect(got.body.value).toBe('s3cret')
    const byVersion = await get(`${set.body.id as string}?api-version=7.6`, bearer(token))
    expect(byVersion.body.value).toBe('s3cret')
    expect(vault.secret('db-password')).toBe('s3cret')

    const list = await get(`${vault.url}/secrets?api-version=7.6`, bearer(token))
    expect(list.body.value).toContainEqual(
      expect.objectContaining({ id: `${vault.url}/secrets/db-password` }),
    )
    expect(list.body.value[0].value).toBeUndefined() // listing never returns values

    const missing = await get(`${vault.url}/secrets/nope?api-version=7.6`, bearer(token))
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('SecretNotFound')
  })

  it('answers a revoked token, or one for another audience, with the challenge', async () => {
    vault.revoke(token)
    const revoked = await get(`${vault.url}/secrets/db-password?api-version=7.6`, bearer(token))
    expect(revoked.status).toBe(401)
    expect(revoked.headers.get('www-authenticate')).toMatch(/resource="https:\/\/vault\.azure\.net"/)
    expect(revoked.body.error.message).toMatch(/revoked/)

    const other = await authority.issueToken({ audience: TEST_API_AUDIENCE })
    const wrongAudience = await get(`${vault.url}/secrets/db-password?api-version=7.6`, bearer(other))
    expect(wrongAudience.status).toBe(401)
    expect(wrongAudience.body.error.message).toMatch(/audience is invalid/)
    expect(vault.requests.map((r) => r.status)).toEqual([401, 401])
  })

  it('sends a CAE claims challenge on request', async () => {
    vault.challengeNext('{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}')
    const res = await get(`${vault.url}/secrets/db-password?api-version=7.6`, bearer(token))
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(
      /error="insufficient_claims", claims="[A-Za-z0-9+/=]+"/,
    )
  })

  it('refuses a bad secret name or body', async () => {
    expect((await put('/secrets/bad_name', { value: 'x' }, bearer(token))).status).toBe(400)
    expect((await put('/secrets/ok', { nope: 1 }, bearer(token))).status).toBe(400)
  })
})
