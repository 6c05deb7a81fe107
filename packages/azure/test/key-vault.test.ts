import { createTestCertificate, startKeyVault, type KeyVault } from '@apptoken/testing'
import { RestError } from '@azure/core-rest-pipeline'
import { SecretClient } from '@azure/keyvault-secrets'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { appTokenPolicy } from '../src/index.js'
import { statuses, tokens, useAuthority } from './fixtures.js'

const VAULT_SCOPE = 'https://vault.azure.net/.default'

const s = useAuthority()
let vault: KeyVault
let ca: string
beforeAll(async () => {
  // The Key Vault SDK sends tokens over https only: the stand-in serves https, the client trusts its certificate.
  const cert = await createTestCertificate({ hosts: ['127.0.0.1'] })
  ca = cert.certificate
  vault = await startKeyVault({
    authority: s.authority,
    https: { cert: cert.certificate, key: cert.privateKey },
  })
})
afterAll(() => vault.close())
beforeEach(() => vault.reset())

/** A SecretClient as a daemon builds it, on apptoken's TokenCredential, with or without the policy. */
function secretClient(withPolicy: boolean): SecretClient {
  return new SecretClient(vault.url, s.provider.toTokenCredential(), {
    // The vault is 127.0.0.1, not *.vault.azure.net: skip the SDK's resource-domain check.
    disableChallengeResourceVerification: true,
    tlsOptions: { ca },
    ...(withPolicy && {
      additionalPolicies: [
        { policy: appTokenPolicy(s.provider, { scopes: VAULT_SCOPE }), position: 'perRetry' as const },
      ],
    }),
  })
}

describe('@azure/keyvault-secrets against the Key Vault stand-in', () => {
  it.each([
    ['through toTokenCredential()', false],
    ['through toTokenCredential() and the policy', true],
  ])('%s: the challenge flow, then secrets set and read with one token request', async (_, withPolicy) => {
    const client = secretClient(withPolicy)

    await client.setSecret('db-password', 's3cret')
    const secret = await client.getSecret('db-password')
    const names: string[] = []
    for await (const properties of client.listPropertiesOfSecrets()) names.push(properties.name)

    expect(secret.value).toBe('s3cret')
    expect(names).toEqual(['db-password'])
    // The SDK's first request is a body-less probe without a token; the challenge names the resource.
    expect(statuses(vault)).toEqual([401, 200, 200, 200])
    expect(tokens(vault)[0]).toBeUndefined()
    expect(s.authority.tokenRequests()).toMatchObject([{ scope: VAULT_SCOPE, status: 200 }])
    expect(decodeJwt(tokens(vault)[1]!)).toMatchObject({ ver: '1.0', aud: 'https://vault.azure.net' })
  })

  it('with the policy, a token revoked mid-run is recovered with one forced refresh and one retry', async () => {
    const client = secretClient(true)
    await client.setSecret('db-password', 's3cret')
    const revoked = tokens(vault)[1]!
    vault.revoke(revoked)

    const secret = await client.getSecret('db-password')

    expect(secret.value).toBe('s3cret')
    expect(statuses(vault)).toEqual([401, 200, 401, 200])
    expect(s.authority.tokenRequests()).toHaveLength(2)
    const [, , rejected, retried] = tokens(vault)
    expect(rejected).toBe(revoked)
    expect(retried).not.toBe(revoked)
    expect(retried).toBe((await s.provider.getToken(VAULT_SCOPE)).accessToken)

    // Later calls carry the new token, though the SDK still holds the revoked one.
    await client.getSecret('db-password')
    expect(statuses(vault).at(-1)).toBe(200)
    expect(tokens(vault).at(-1)).toBe(retried)
  })

  it('without the policy, the caller sees the 401: the SDK re-sends the token it holds', async () => {
    const client = secretClient(false)
    await client.setSecret('db-password', 's3cret')
    const revoked = tokens(vault)[1]!
    vault.revoke(revoked)

    const error: unknown = await client.getSecret('db-password').catch((e: unknown) => e)

    expect(error).toBeInstanceOf(RestError)
    expect((error as RestError).statusCode).toBe(401)
    expect(s.authority.tokenRequests()).toHaveLength(1)
    // The SDK answers the 401's challenge by re-sending once, with the same (cached) token.
    expect(statuses(vault)).toEqual([401, 200, 401, 401])
    expect(tokens(vault).slice(2)).toEqual([revoked, revoked])
  })
})
