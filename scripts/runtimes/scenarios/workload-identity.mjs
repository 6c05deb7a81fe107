// workloadIdentity: client, tenant, authority and the federated token file from AZURE_* variables,
// as on a Kubernetes pod; the file is re-read when the kubelet rotates it.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createPrivateKey, randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { workloadIdentity } from '@apptoken/core'
import { createTestCertificate } from '@apptoken/testing'
import { SignJWT } from 'jose'
import { scenario, scopes, startStandIns } from './_support.mjs'

const CLIENT_ID = '7a2e3d4c-5b6f-4071-9c8d-0e1f2a3b4c5d'

async function federatedToken(cert, audience) {
  const iat = Math.floor(Date.now() / 1000)
  return new SignJWT({})
    .setProtectedHeader({ alg: 'PS256', typ: 'JWT', 'x5t#S256': cert.x5tS256 })
    .setIssuer(CLIENT_ID)
    .setSubject(CLIENT_ID)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(createPrivateKey(cert.privateKey))
}

await scenario('workload identity', async () => {
  const { authority, api, provider, close } = await startStandIns()
  const dir = mkdtempSync(join(tmpdir(), 'apptoken-workload-'))
  try {
    const cert = await createTestCertificate()
    authority.registerClient({
      clientId: CLIENT_ID,
      certificates: [cert.certificate],
      roles: { 'api://apptoken-test-api': ['TodoList.Read.All'] },
    })
    const file = join(dir, 'azure-identity-token')
    writeFileSync(file, await federatedToken(cert, authority.tokenEndpoint()))
    const env = {
      AZURE_FEDERATED_TOKEN_FILE: file,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_TENANT_ID: authority.tenantId,
      AZURE_AUTHORITY_HOST: authority.authorityHost,
    }
    const p = provider({
      clientId: undefined,
      tenantId: undefined,
      authorityHost: undefined,
      credential: workloadIdentity({ env }),
    })
    assert.equal(p.clientId, CLIENT_ID)
    const token = await p.getToken(scopes)
    const res = await fetch(`${api.url}/api/todolist`, {
      headers: { authorization: `Bearer ${token.accessToken}` },
    })
    assert.equal(res.status, 200)
    assert.deepEqual(
      authority.tokenRequests().map((r) => [r.clientId, r.authMethod, r.status]),
      [[CLIENT_ID, 'private_key_jwt', 200]],
    )
  } finally {
    await close()
    rmSync(dir, { recursive: true, force: true })
  }
})
