import { createHash, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { connect } from 'node:tls'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  MANAGED_IDENTITY_CLIENT_ID,
  startManagedIdentityEndpoint,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type ManagedIdentityEndpoint,
  type TestAuthority,
} from '../src/index.js'
import { get } from './support.js'

let authority: TestAuthority
let arc: ManagedIdentityEndpoint
let fabric: ManagedIdentityEndpoint
let shell: ManagedIdentityEndpoint
beforeAll(async () => {
  authority = await startTestAuthority()
  arc = await startManagedIdentityEndpoint({ source: 'azureArc', authority })
  fabric = await startManagedIdentityEndpoint({ source: 'serviceFabric', authority })
  shell = await startManagedIdentityEndpoint({ source: 'cloudShell', authority })
})
afterAll(async () => {
  await Promise.all([arc.close(), fabric.close(), shell.close()])
  await authority.close()
})

const query = `api-version=2019-11-01&resource=${encodeURIComponent(TEST_API_AUDIENCE)}`

describe('startManagedIdentityEndpoint', () => {
  it('Azure Arc: challenges with a key file in its token directory, then issues for its contents', async () => {
    const url = `${arc.env.IDENTITY_ENDPOINT}?${query}`
    const first = await get(url, { metadata: 'true' })
    expect(first.status).toBe(401)
    const realm = /^Basic realm=(.+)$/.exec(first.headers.get('www-authenticate') ?? '')?.[1]
    expect(realm?.startsWith(arc.arcKeyDirectory!)).toBe(true)
    expect(realm).toMatch(/\.key$/)
    const second = await get(url, {
      metadata: 'true',
      authorization: `Basic ${readFileSync(realm!, 'utf8')}`,
    })
    expect(second.status).toBe(200)
    expect(second.body).toMatchObject({ client_id: MANAGED_IDENTITY_CLIENT_ID, token_type: 'Bearer' })
    expect(decodeJwt(second.body.access_token).aud).toBe(TEST_API_AUDIENCE)
    expect((await get(url, { metadata: 'true', authorization: 'Basic wrong' })).status).toBe(401)
  })

  it('Service Fabric: serves https with a self-signed certificate whose SHA-1 is the thumbprint it sets', async () => {
    const { port } = new URL(fabric.endpoint)
    const der = await new Promise<Buffer>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false }, () => {
        resolve(socket.getPeerCertificate(true).raw)
        socket.destroy()
      })
      socket.once('error', reject)
    })
    const sha1 = createHash('sha1').update(der).digest('hex').toUpperCase()
    expect(fabric.thumbprint).toBe(sha1)
    expect(fabric.env.IDENTITY_SERVER_THUMBPRINT).toBe(sha1)
    expect(new X509Certificate(der).issuer).toBe(new X509Certificate(der).subject)
  })

  it('Cloud Shell: takes the resource as a POST form and refuses a GET', async () => {
    const ok = await fetch(shell.endpoint, {
      method: 'POST',
      headers: { metadata: 'true', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ resource: TEST_API_AUDIENCE }),
    })
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as { expires_in: string }).expires_in).toBe('86399')
    expect((await get(`${shell.endpoint}?resource=x`, { metadata: 'true' })).status).toBe(400)
  })
})
