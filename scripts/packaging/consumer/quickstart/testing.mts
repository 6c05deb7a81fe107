// @apptoken/testing README quick start (node:test flavour): a token from the authority opens the API.
import assert from 'node:assert/strict'
import { startProtectedApi, startTestAuthority, TEST_API_AUDIENCE } from '@apptoken/testing'

const authority = await startTestAuthority()
const api = await startProtectedApi({ authority })
try {
  const res = await fetch(authority.tokenEndpoint(), {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: authority.clientId,
      client_secret: authority.clientSecret,
      scope: `${TEST_API_AUDIENCE}/.default`,
    }),
  })
  const { access_token } = (await res.json()) as { access_token: string }
  const todos = await fetch(`${api.url}/api/todolist`, {
    headers: { authorization: `Bearer ${access_token}` },
  })
  assert.equal(todos.status, 200)

  api.revoke(access_token)
  const revoked = await fetch(`${api.url}/api/todolist`, {
    headers: { authorization: `Bearer ${access_token}` },
  })
  assert.equal(revoked.status, 401)
  assert.match(revoked.headers.get('www-authenticate') ?? '', /invalid_token/)
} finally {
  await Promise.all([api.close(), authority.close()])
}
