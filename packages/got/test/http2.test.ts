// got's `http2: true` sends through http2-wrapper: the 401 retry sees its socket-level response too.
import { once } from 'node:events'
import { createSecureServer, type Http2SecureServer } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { createTestCertificate, type TestCertificate } from '@apptoken/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { majors, oneLiner } from './clients.js'
import { scopes, useServers } from './fixtures.js'

const s = useServers()

/** An HTTP/2 API that answers its first request 401 (a revoked token) and every later one 200. */
let cert: TestCertificate
let server: Http2SecureServer
let url: string
const seen: { token: string | undefined; version: string; status: number }[] = []
beforeAll(async () => {
  cert = await createTestCertificate({ hosts: ['127.0.0.1'] })
  server = createSecureServer({ cert: cert.certificate, key: cert.privateKey }, (req, res) => {
    const status = seen.length === 0 ? 401 : 200
    seen.push({ token: req.headers.authorization?.replace(/^Bearer /, ''), version: req.httpVersion, status })
    if (status === 401) res.setHeader('www-authenticate', 'Bearer error="invalid_token"')
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((done) => server.close(() => done())))

describe.each(majors)('%s', (_, extend) => {
  it('re-sends a 401 over HTTP/2 once, with a refreshed token', async () => {
    seen.length = 0
    const api = oneLiner(extend, url, s.provider, { scopes }).extend({
      http2: true,
      https: { certificateAuthority: cert.certificate },
    })
    expect(await api.get('orders').json()).toEqual({ status: 200 })
    expect(seen.map((r) => [r.version, r.status])).toEqual([
      ['2.0', 401],
      ['2.0', 200],
    ])
    const [first, second] = seen.map((r) => r.token)
    expect(first).toMatch(/^ey/)
    expect(second).toMatch(/^ey/)
    expect(second).not.toBe(first)
  })
})
