import { createTestCertificate } from '@apptoken/testing'
import { BlobServiceClient, type StoragePipelineOptions } from '@azure/storage-blob'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appTokenPolicy } from '../src/index.js'
import { startAzurite, type Azurite } from './azurite.js'
import { useAuthority } from './fixtures.js'

const STORAGE_SCOPE = 'https://storage.azure.com/.default'

const s = useAuthority()
let azurite: Azurite
let options: StoragePipelineOptions
beforeAll(async () => {
  const cert = await createTestCertificate({ hosts: ['127.0.0.1'] })
  azurite = await startAzurite({ cert: cert.certificate, key: cert.privateKey })
  // Trust the test certificate for this client only. StoragePipelineOptions does not declare
  // `tlsOptions`, but Storage hands its options to core-rest-pipeline, whose tlsPolicy applies it.
  const tls = { tlsOptions: { ca: cert.certificate } }
  options = { ...tls, retryOptions: { maxTries: 2 } }
}, 60_000)
afterAll(async () => {
  await azurite?.close()
})

describe('@azure/storage-blob against Azurite (--oauth basic, https)', () => {
  it('creates a container, uploads, lists and downloads through toTokenCredential() with one token request', async () => {
    const service = new BlobServiceClient(azurite.url, s.provider.toTokenCredential(), options)
    const container = service.getContainerClient('reports')

    await container.create()
    await container.getBlockBlobClient('2026/11/summary.txt').upload('all good', 8)
    await container.getBlockBlobClient('2026/11/data.json').uploadData(Buffer.from('{"rows":3}'))
    const names: string[] = []
    for await (const blob of container.listBlobsFlat()) names.push(blob.name)
    const downloaded = await container.getBlobClient('2026/11/summary.txt').downloadToBuffer()
    const containers: string[] = []
    for await (const c of service.listContainers()) containers.push(c.name)

    expect(names).toEqual(['2026/11/data.json', '2026/11/summary.txt'])
    expect(downloaded.toString()).toBe('all good')
    expect(containers).toContain('reports')
    // Azurite accepted the authority's v1.0 token (iss https://sts.windows.net/<tenant>/, aud https://storage.azure.com).
    expect(s.authority.tokenRequests()).toMatchObject([{ scope: STORAGE_SCOPE, status: 200 }])
  })

  it('checks the token: a v2.0 token or an expired one is refused', async () => {
    const refused = async (token: string) => {
      const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) }
      const service = new BlobServiceClient(azurite.url, credential, options)
      return service
        .getContainerClient('refused')
        .create()
        .catch((e: unknown) => e)
    }
    const audience = 'https://storage.azure.com'
    // Entra never issues v2.0 tokens for Storage; Azurite accepts only its issuers (sts.windows.net).
    const v2 = await s.authority.issueToken({ audience, version: 2 })
    expect(await refused(v2)).toMatchObject({
      statusCode: 403,
      details: { errorCode: 'AuthenticationFailed' },
    })
    const expired = await s.authority.issueToken({ audience, extra: { exp: 1 } })
    expect(await refused(expired)).toMatchObject({ statusCode: 403 })
    expect(s.authority.tokenRequests()).toHaveLength(0)
  })

  it('takes no additionalPolicies: its clients share one pipeline and the policy lands in it twice', async () => {
    // Why the README tells Storage users another way (see "Storage").
    const policy = appTokenPolicy(s.provider, { scopes: STORAGE_SCOPE })
    const withPolicy = { ...options, additionalPolicies: [{ policy, position: 'perRetry' }] }
    const service = new BlobServiceClient(azurite.url, s.provider.toTokenCredential(), withPolicy)
    const container = service.getContainerClient('policy')
    await expect(container.create()).rejects.toThrow('Duplicate policy names not allowed in pipeline')
  })
})
