import { Agent, fetch as undiciFetch } from 'undici'
import { describe, expect, it } from 'vitest'
import {
  TEST_API_AUDIENCE,
  createTestCertificate,
  startProtectedApi,
  startTestAuthority,
} from '../src/index.js'
import { postToken, secretForm } from './support.js'

describe('servers', () => {
  it('serves 200 concurrent token requests, each a distinct token', async () => {
    const authority = await startTestAuthority()
    try {
      const answers = await Promise.all(
        Array.from({ length: 200 }, () =>
          postToken(authority, secretForm(authority, `${TEST_API_AUDIENCE}/.default`)),
        ),
      )
      expect(answers.every((a) => a.status === 200)).toBe(true)
      expect(new Set(answers.map((a) => a.body.access_token as string)).size).toBe(200)
      expect(authority.tokenRequests()).toHaveLength(200)
    } finally {
      await authority.close()
    }
  })

  it('binds 127.0.0.1 and closes promptly with keep-alive sockets open', async () => {
    const authority = await startTestAuthority()
    const api = await startProtectedApi({ authority })
    expect(authority.authorityHost).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const dispatcher = new Agent({ keepAliveTimeout: 60_000 })
    try {
      await (await undiciFetch(`${api.url}/public/ping`, { dispatcher })).text()
      await (await undiciFetch(authority.jwksUri, { dispatcher })).text()
      // Without closing idle keep-alive sockets, close() would wait out the 60 s keep-alive.
      await expect(Promise.all([api.close(), authority.close()])).resolves.toHaveLength(2)
    } finally {
      await dispatcher.close()
    }
  })

  it('serves https with the given certificate, verifiable by a TLS client', async () => {
    const cert = await createTestCertificate({ hosts: ['127.0.0.1', 'localhost'] })
    const authority = await startTestAuthority({ https: { cert: cert.certificate, key: cert.privateKey } })
    // Trusting the certificate is enough: its subjectAltName covers 127.0.0.1.
    const dispatcher = new Agent({ connect: { ca: cert.certificate } })
    try {
      expect(authority.tokenEndpoint()).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//)
      const res = await undiciFetch(authority.tokenEndpoint(), {
        method: 'POST',
        body: new URLSearchParams(secretForm(authority, `${TEST_API_AUDIENCE}/.default`)),
        dispatcher,
      })
      expect(res.status).toBe(200)
    } finally {
      await dispatcher.close()
      await authority.close()
    }
  })
})
