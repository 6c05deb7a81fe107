// clientCertificate: a PS256 client assertion with x5t#S256, signed on this runtime, verified by
// the authority (private_key_jwt). The header is read through a wrapping credential, as any user
// strategy could.
import assert from 'node:assert/strict'
import { clientCertificate } from '@apptoken/core'
import { createTestCertificate } from '@apptoken/testing'
import { decodeProtectedHeader } from 'jose'
import { scenario, scopes, startStandIns } from './_support.mjs'

const CLIENT_ID = '6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c'

await scenario('client certificate (PS256)', async () => {
  const { authority, api, provider, close } = await startStandIns()
  try {
    const cert = await createTestCertificate()
    authority.registerClient({
      clientId: CLIENT_ID,
      certificates: [cert.certificate],
      roles: { 'api://apptoken-test-api': ['TodoList.Read.All'] },
    })
    const inner = clientCertificate({ certificate: cert.certificate, privateKey: cert.privateKey })
    const headers = []
    const credential = {
      kind: inner.kind,
      async authenticate(context) {
        const auth = await inner.authenticate(context)
        headers.push(decodeProtectedHeader(auth.form.client_assertion))
        return auth
      },
    }
    const p = provider({ clientId: CLIENT_ID, credential })
    const token = await p.getToken(scopes)
    assert.equal(headers.length, 1)
    assert.equal(headers[0].alg, 'PS256')
    assert.equal(headers[0]['x5t#S256'], cert.x5tS256)
    assert.deepEqual(
      authority.tokenRequests().map((r) => [r.clientId, r.authMethod, r.status]),
      [[CLIENT_ID, 'private_key_jwt', 200]],
    )
    const res = await fetch(`${api.url}/api/todolist`, {
      headers: { authorization: `Bearer ${token.accessToken}` },
    })
    assert.equal(res.status, 200)
  } finally {
    await close()
  }
})
