// @apptoken/core README quick start: getToken, then call the API with the token.
import assert from 'node:assert/strict'
import { clientSecret, createTokenProvider, defaultScope, isTokenRequestError } from '@apptoken/core'
import { startProtectedApi, startTestAuthority, TEST_API_AUDIENCE } from '@apptoken/testing'

const authority = await startTestAuthority()
const api = await startProtectedApi({ authority })
try {
  const provider = createTokenProvider({
    tenantId: authority.tenantId,
    clientId: authority.clientId,
    credential: clientSecret(authority.clientSecret),
    authorityHost: authority.authorityHost,
  })
  const token = await provider.getToken(defaultScope(TEST_API_AUDIENCE))
  const res = await fetch(`${api.url}/api/todolist`, {
    headers: { authorization: `Bearer ${token.accessToken}` },
  })
  assert.equal(res.status, 200)
  assert.equal(token.tokenType, 'Bearer')
  assert.ok(token.expiresAt > Date.now() && token.refreshAt <= token.expiresAt)
  assert.equal(JSON.stringify(token).includes(token.accessToken), false, 'the token never serialises')
  assert.equal((await provider.getToken(defaultScope(TEST_API_AUDIENCE))).fromCache, true)
  assert.equal(authority.tokenRequests().length, 1)

  const wrong = createTokenProvider({
    tenantId: authority.tenantId,
    clientId: authority.clientId,
    credential: clientSecret('not-the-secret'),
    authorityHost: authority.authorityHost,
    retry: false,
  })
  const error: unknown = await wrong.getToken(defaultScope(TEST_API_AUDIENCE)).catch((e: unknown) => e)
  assert.ok(isTokenRequestError(error), 'a wrong secret is a TokenRequestError')
  assert.equal(error.code, 'ERR_TOKEN_REQUEST')
  assert.equal(error.aadsts, 'AADSTS7000215')
  await Promise.all([provider.close(), wrong.close()])
} finally {
  await Promise.all([api.close(), authority.close()])
}
