// @apptoken/azure README quick start: a Key Vault SecretClient with the policy, against the
// Key Vault stand-in (https with a test certificate, as the SDK sends tokens over https only).
import assert from 'node:assert/strict'
import { SecretClient } from '@azure/keyvault-secrets'
import { appTokenPolicy } from '@apptoken/azure'
import { createTestCertificate, startKeyVault } from '@apptoken/testing'
import { startStandIns } from '../support.mjs'

const { authority, provider, close } = await startStandIns()
const cert = await createTestCertificate({ hosts: ['127.0.0.1'] })
const vault = await startKeyVault({ authority, https: { cert: cert.certificate, key: cert.privateKey } })
try {
  const policy = appTokenPolicy(provider, { scopes: 'https://vault.azure.net/.default' })
  const secrets = new SecretClient(vault.url, provider.toTokenCredential(), {
    additionalPolicies: [{ policy, position: 'perRetry' }],
    // The stand-in: trust its certificate; it is 127.0.0.1, not a *.vault.azure.net host.
    tlsOptions: { ca: cert.certificate },
    disableChallengeResourceVerification: true,
  })
  await secrets.setSecret('db-password', 's3cret')
  vault.revoke(vault.requests[1]!.token!) // revoked mid-run: one forced refresh, one retry
  const password = await secrets.getSecret('db-password')
  assert.equal(password.value, 's3cret')
  assert.deepEqual(
    vault.requests.map((r) => r.status),
    [401, 200, 401, 200],
  )
  assert.equal(authority.tokenRequests().length, 2)
} finally {
  await vault.close()
  await close()
}
