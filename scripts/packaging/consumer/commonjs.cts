// CommonJS: `require()` every package (Node >= 22.12 loads ESM from require), then the core and
// axios quick starts. Compiled to commonjs.cjs; `require` is what `import` becomes in a .cts.
import assert = require('node:assert/strict')
import axios = require('axios')
import core = require('@apptoken/core')
import apptokenAxios = require('@apptoken/axios')
import testing = require('@apptoken/testing')

async function main(): Promise<void> {
  for (const name of (process.env.APPTOKEN_PACKAGES ?? '').split(',').filter(Boolean)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the point of this file
    const loaded = require(name) as Record<string, unknown>
    assert.ok(Object.keys(loaded).length > 0, `require('${name}') returned no exports`)
  }
  const authority = await testing.startTestAuthority()
  const api = await testing.startProtectedApi({ authority })
  const provider = core.createTokenProvider({
    authorityHost: authority.authorityHost,
    tenantId: authority.tenantId,
    clientId: authority.clientId,
    credential: core.clientSecret(authority.clientSecret),
  })
  try {
    const scopes = core.defaultScope(testing.TEST_API_AUDIENCE)
    const token = await provider.getToken(scopes)
    assert.equal(token.tokenType, 'Bearer')
    const client = axios.create({ baseURL: api.url })
    apptokenAxios.attachAppToken(client, provider, { scopes })
    api.rejectNext()
    const res = await client.get('/api/todolist')
    assert.equal(res.status, 200)
    assert.deepEqual(
      api.requests.map((r) => r.status),
      [401, 200],
    )
  } finally {
    await provider.close()
    await Promise.all([api.close(), authority.close()])
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
