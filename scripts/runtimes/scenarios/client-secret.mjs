// client_secret_post: a token the protected API accepts; a wrong secret is a TokenRequestError with
// the AADSTS code and hint, and the secret appears nowhere.
import assert from 'node:assert/strict'
import { clientSecret, isTokenRequestError } from '@apptoken/core'
import { scenario, scopes, startStandIns } from './_support.mjs'

await scenario('client secret', async () => {
  const { authority, api, provider, close } = await startStandIns()
  try {
    const p = provider()
    const token = await p.getToken(scopes)
    assert.equal(token.tokenType, 'Bearer')
    assert.equal(token.fromCache, false)
    const res = await fetch(`${api.url}/api/todolist`, {
      headers: { authorization: `Bearer ${token.accessToken}` },
    })
    assert.equal(res.status, 200)
    assert.ok(Array.isArray(await res.json()))
    assert.deepEqual(
      authority.tokenRequests().map((r) => [r.authMethod, r.status]),
      [['client_secret_post', 200]],
    )

    const wrong = provider({ credential: clientSecret('not-the-secret-value'), retry: false })
    const error = await wrong.getToken(scopes).catch((e) => e)
    assert.ok(isTokenRequestError(error), `expected a TokenRequestError, got ${String(error)}`)
    assert.equal(error.aadsts, 'AADSTS7000215')
    assert.ok(error.hint.length > 0)
    assert.ok(!`${error.message} ${JSON.stringify(error)}`.includes('not-the-secret-value'))
  } finally {
    await close()
  }
})
