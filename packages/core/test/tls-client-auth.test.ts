import { X509Certificate } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestCertificate, type TestCertificate } from '@apptoken/testing'
import { Agent } from 'undici'
import { ConfigurationError, createTokenProvider, tlsClientAuth } from '../src/index.js'
import { startOidcProvider, type RunningOidcProvider } from './oidc-provider-support.js'

let op: RunningOidcProvider
let server: TestCertificate
let client: TestCertificate
let other: TestCertificate

const peerPem = (ctx: { socket: TLSSocket }): string | undefined => {
  const peer = ctx.socket.getPeerCertificate()
  return peer?.raw ? new X509Certificate(peer.raw).toString() : undefined
}

beforeAll(async () => {
  server = await createTestCertificate({ hosts: ['127.0.0.1'] })
  client = await createTestCertificate({ commonName: 'billing-worker' })
  other = await createTestCertificate({ commonName: 'someone-else' })
  const trusted = new X509Certificate(client.certificate).fingerprint256
  op = await startOidcProvider(
    [
      {
        client_id: 'mtls-app',
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_subject_dn: 'CN=billing-worker',
      },
    ],
    {
      mTLS: {
        enabled: true,
        tlsClientAuth: true,
        getCertificate: peerPem,
        // The test's "CA": this one client certificate.
        certificateAuthorized: (ctx: { socket: TLSSocket }) =>
          new X509Certificate(ctx.socket.getPeerCertificate().raw).fingerprint256 === trusted,
        certificateSubjectMatches: (ctx: { socket: TLSSocket }, property: string, expected: string) =>
          property === 'tls_client_auth_subject_dn' &&
          `CN=${String(ctx.socket.getPeerCertificate().subject.CN)}` === expected,
      },
    },
    {
      https: { cert: server.certificate, key: server.privateKey },
      configuration: { clientAuthMethods: ['tls_client_auth', 'client_secret_post'] },
    },
  )
})
afterAll(() => op.close())

describe('tlsClientAuth against oidc-provider (RFC 8705 tls_client_auth)', () => {
  it('gets a token by presenting the client certificate', async () => {
    const p = createTokenProvider({
      issuer: op.issuer,
      clientId: 'mtls-app',
      credential: tlsClientAuth({
        certificate: client.certificate,
        privateKey: client.privateKey,
        ca: server.certificate,
      }),
    })
    const token = await p.getToken('read')
    expect(token.accessToken.split('.')).toHaveLength(3)
    await p.close()
  })

  it('is refused with another certificate (invalid_client)', async () => {
    const p = createTokenProvider({
      issuer: op.issuer,
      clientId: 'mtls-app',
      credential: tlsClientAuth({
        certificate: other.certificate,
        privateKey: other.privateKey,
        ca: server.certificate,
      }),
      retry: false,
    })
    await expect(p.getToken('read')).rejects.toMatchObject({ error: 'invalid_client' })
    await p.close()
  })

  it('refuses a key of another certificate, garbage, and a dispatcher alongside', () => {
    expect(() => tlsClientAuth({ certificate: client.certificate, privateKey: other.privateKey })).toThrow(
      /not the key of this certificate/,
    )
    expect(() => tlsClientAuth({ certificate: 'nope', privateKey: client.privateKey })).toThrow(
      ConfigurationError,
    )
    const credential = tlsClientAuth({ certificate: client.certificate, privateKey: client.privateKey })
    expect(JSON.stringify(credential)).not.toContain('PRIVATE')
    expect(() =>
      createTokenProvider({ issuer: op.issuer, clientId: 'mtls-app', credential, dispatcher: new Agent() }),
    ).toThrow(/dispatcher/)
  })
})

describe('tlsClientAuth and mtls_endpoint_aliases (RFC 8705 §5)', () => {
  it('sends the token request to the mTLS alias that discovery gives', async () => {
    const { createServer } = await import('node:http')
    const paths: string[] = []
    const server = createServer((req, res) => {
      paths.push(req.url ?? '')
      res.setHeader('content-type', 'application/json')
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
      if (req.url === '/.well-known/openid-configuration')
        return res.end(
          JSON.stringify({
            issuer: base,
            token_endpoint: `${base}/token`,
            mtls_endpoint_aliases: { token_endpoint: `${base}/mtls/token` },
          }),
        )
      req.resume()
      res.end(JSON.stringify({ access_token: 'abc', token_type: 'Bearer', expires_in: 3600 }))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    const p = createTokenProvider({
      issuer,
      clientId: 'mtls-app',
      credential: tlsClientAuth({ certificate: client.certificate, privateKey: client.privateKey }),
    })
    await p.getToken('read')
    expect(paths).toEqual(['/.well-known/openid-configuration', '/mtls/token'])
    await p.close()
    await new Promise((r) => server.close(r))
  })
})
