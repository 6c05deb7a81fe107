import { execFile } from 'node:child_process'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestCertificate,
  encryptPrivateKey,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type TestAuthority,
  type TestCertificate,
} from '@apptoken/testing'
import {
  ApptokenChannels,
  clientCertificate,
  createTokenProvider,
  isConfigurationError,
  firstOf,
  isTokenRequestError,
  type Credential,
  type TokenProvider,
} from '../src/index.js'
import {
  derBase64,
  jwt,
  recordingLogger,
  replaceFile,
  scratchDir,
  SECRET_LOOKING,
  spyOn,
  writeLookalike,
} from './credentials-support.js'

const SCOPE = `${TEST_API_AUDIENCE}/.default`
const ROLES = { [TEST_API_AUDIENCE]: ['TodoList.Read.All'] }

let authority: TestAuthority
let certA: TestCertificate
let certB: TestCertificate
let certC: TestCertificate
const scratch = scratchDir()
const providers: TokenProvider[] = []
let clientSeq = 0

beforeAll(async () => {
  authority = await startTestAuthority()
  ;[certA, certB, certC] = await Promise.all([
    createTestCertificate({ commonName: 'app-a' }),
    createTestCertificate({ commonName: 'app-b' }),
    createTestCertificate({ commonName: 'app-c' }),
  ])
})
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
})
afterAll(async () => {
  await authority.close()
  scratch.remove()
})

/** A fresh app registration accepting `certificates`, refusing replayed assertions. */
function registerApp(certificates: TestCertificate[]): string {
  const clientId = `0000000${++clientSeq}-cert-4000-8000-000000000000`.slice(-36)
  authority.registerClient({
    clientId,
    certificates: certificates.map((c) => c.certificate),
    rejectReplayedAssertions: true,
    roles: ROLES,
  })
  return clientId
}

function provider(clientId: string, credential: Credential, logger = recordingLogger()): TokenProvider {
  const p = createTokenProvider({
    authorityHost: authority.authorityHost,
    tenantId: authority.tenantId,
    clientId,
    credential,
    logger,
    retry: false,
  })
  providers.push(p)
  return p
}

describe('clientCertificate', () => {
  it('signs PS256 assertions with x5t#S256, a fresh jti per token request, and nothing on a cache hit', async () => {
    const clientId = registerApp([certA])
    const spy = spyOn(clientCertificate({ certificate: certA.certificate, privateKey: certA.privateKey }))
    const p = provider(clientId, spy.credential)

    const first = await p.getToken(SCOPE)
    const cached = await p.getToken(SCOPE)
    const forced = await p.getToken(SCOPE, { forceRefresh: true })

    expect(first.fromCache).toBe(false)
    expect(cached.fromCache).toBe(true)
    expect(forced.fromCache).toBe(false)
    // Two token requests, two signatures: the cache hit signed nothing.
    expect(spy.assertions).toHaveLength(2)
    expect(authority.tokenRequests({ clientId }).map((r) => [r.status, r.authMethod])).toEqual([
      [200, 'private_key_jwt'],
      [200, 'private_key_jwt'],
    ])
    const [one, two] = spy.assertions.map(jwt)
    expect(one!.header).toEqual({ alg: 'PS256', typ: 'JWT', 'x5t#S256': certA.x5tS256 })
    expect(one!.claims).toMatchObject({ aud: authority.tokenEndpoint(), iss: clientId, sub: clientId })
    expect(one!.claims.exp).toBe((one!.claims.iat as number) + 600)
    expect(one!.claims.nbf).toBe(one!.claims.iat)
    expect(one!.claims.jti).not.toBe(two!.claims.jti)
  })

  it('signs RS256 with the SHA-1 x5t when asked', async () => {
    const clientId = registerApp([certA])
    const spy = spyOn(
      clientCertificate({ certificate: certA.certificate, privateKey: certA.privateKey, algorithm: 'RS256' }),
    )
    await provider(clientId, spy.credential).getToken(SCOPE)
    expect(jwt(spy.assertions[0]!).header).toEqual({ alg: 'RS256', typ: 'JWT', x5t: certA.x5t })
  })

  it('sends the chain in x5c, leaf first, when sendCertificateChain is set', async () => {
    const clientId = registerApp([certA])
    // The issuer certificate is listed before the leaf; the leaf is the one matching the key.
    const spy = spyOn(
      clientCertificate({
        certificate: certB.certificate + certA.certificate,
        privateKey: certA.privateKey,
        sendCertificateChain: true,
      }),
    )
    await provider(clientId, spy.credential).getToken(SCOPE)
    const { header } = jwt(spy.assertions[0]!)
    expect(header['x5t#S256']).toBe(certA.x5tS256)
    expect(header.x5c).toEqual([derBase64(certA.certificate), derBase64(certB.certificate)])
  })

  it('reads a combined PEM (key and certificate in one file, as Azure CLI writes it) from a path', async () => {
    const clientId = registerApp([certA])
    const file = scratch.path('combined.pem')
    writeFileSync(file, certA.combinedPem)
    const token = await provider(clientId, clientCertificate({ path: file })).getToken(SCOPE)
    expect(token.tokenType).toBe('Bearer')
    // The combined PEM also works passed as one string.
    await provider(clientId, clientCertificate({ certificate: certA.combinedPem })).getToken(SCOPE)
    expect(authority.tokenRequests({ clientId }).map((r) => r.status)).toEqual([200, 200])
  })

  it('imports an encrypted PKCS#8 key and an encrypted PKCS#1 key with their passphrase', async () => {
    const clientId = registerApp([certA])
    const pkcs8 = encryptPrivateKey(certA.privateKey, 'correct horse')
    expect(pkcs8).toContain('ENCRYPTED PRIVATE KEY')
    await provider(
      clientId,
      clientCertificate({ certificate: certA.certificate, privateKey: pkcs8, passphrase: 'correct horse' }),
    ).getToken(SCOPE)

    const { createPrivateKey } = await import('node:crypto')
    const pkcs1 = createPrivateKey(certA.privateKey)
      .export({ format: 'pem', type: 'pkcs1', cipher: 'aes-256-cbc', passphrase: 'battery staple' })
      .toString()
    const file = scratch.path('legacy.pem')
    writeFileSync(file, pkcs1 + certA.certificate)
    await provider(clientId, clientCertificate({ path: file, passphrase: 'battery staple' })).getToken(SCOPE)
    expect(authority.tokenRequests({ clientId }).map((r) => r.status)).toEqual([200, 200])
  })

  it('picks up a certificate rotated on disk at the next token request, without a rejected attempt', async () => {
    const clientId = registerApp([certA])
    const file = scratch.path('rotated.pem')
    writeFileSync(file, certA.combinedPem)
    const logger = recordingLogger()
    const spy = spyOn(clientCertificate({ path: file }))
    const p = provider(clientId, spy.credential, logger)
    await p.getToken(SCOPE)

    // The new certificate replaces the old one on disk and at the app registration.
    replaceFile(file, certB.combinedPem)
    authority.registerClient({
      clientId,
      certificates: [certB.certificate],
      rejectReplayedAssertions: true,
      roles: ROLES,
    })
    await p.getToken(SCOPE, { forceRefresh: true })

    expect(spy.assertions.map((a) => jwt(a).header['x5t#S256'])).toEqual([certA.x5tS256, certB.x5tS256])
    expect(authority.tokenRequests({ clientId }).map((r) => r.status)).toEqual([200, 200])
    expect(logger.lines.some((l) => l.fields.event === 'credential_file_reloaded')).toBe(true)
  })

  it('re-reads the file and retries once when Entra rejects the certificate and the file looks unchanged', async () => {
    const clientId = registerApp([certA])
    const file = scratch.path('lookalike.pem')
    writeLookalike(file, certA.combinedPem)
    const spy = spyOn(clientCertificate({ path: file }))
    const p = provider(clientId, spy.credential)
    await p.getToken(SCOPE)

    // Same size, same mtime, same inode: stat() cannot tell. Only the rejection reveals it.
    writeLookalike(file, certC.combinedPem)
    authority.registerClient({
      clientId,
      certificates: [certC.certificate],
      rejectReplayedAssertions: true,
      roles: ROLES,
    })
    const token = await p.getToken(SCOPE, { forceRefresh: true })

    expect(token.fromCache).toBe(false)
    expect(authority.tokenRequests({ clientId }).map((r) => r.status)).toEqual([200, 401, 200])
    expect(spy.assertions.map((a) => jwt(a).header['x5t#S256'])).toEqual([
      certA.x5tS256,
      certA.x5tS256,
      certC.x5tS256,
    ])
  })

  it('keeps using the last good certificate while the file on disk is half-written', async () => {
    const clientId = registerApp([certA])
    const file = scratch.path('half-written.pem')
    writeFileSync(file, certA.combinedPem)
    const logger = recordingLogger()
    const p = provider(clientId, clientCertificate({ path: file }), logger)
    await p.getToken(SCOPE)

    replaceFile(file, certB.combinedPem.slice(0, 300))
    const token = await p.getToken(SCOPE, { forceRefresh: true })

    expect(token.fromCache).toBe(false)
    expect(authority.tokenRequests({ clientId }).map((r) => r.status)).toEqual([200, 200])
    const warning = logger.lines.find((l) => l.fields.event === 'credential_file_unreadable')
    expect(warning?.message).toContain(file)
    expect(logger.text()).not.toMatch(SECRET_LOOKING)
  })

  it('does not retry a rejected certificate when re-reading the file finds the same one', async () => {
    const clientId = registerApp([certB])
    const file = scratch.path('unchanged.pem')
    writeFileSync(file, certA.combinedPem)
    const error = await provider(clientId, clientCertificate({ path: file }))
      .getToken(SCOPE)
      .catch((e: unknown) => e)
    expect(isTokenRequestError(error) && error.aadsts).toBe('AADSTS700027')
    expect(authority.tokenRequests({ clientId })).toHaveLength(1)
  })

  it('uses the next certificate of a rotation list when the first is rejected, and keeps it', async () => {
    const clientId = registerApp([certB])
    const logger = recordingLogger()
    const spy = spyOn(
      clientCertificate([{ certificate: certA.combinedPem }, { certificate: certB.combinedPem }]),
    )
    const p = provider(clientId, spy.credential, logger)

    const token = await p.getToken(SCOPE)
    await p.getToken(SCOPE, { forceRefresh: true })

    expect(token.fromCache).toBe(false)
    expect(authority.tokenRequests({ clientId }).map((r) => r.status)).toEqual([401, 200, 200])
    expect(spy.assertions.map((a) => jwt(a).header['x5t#S256'])).toEqual([
      certA.x5tS256,
      certB.x5tS256,
      certB.x5tS256,
    ])
    expect(logger.lines.find((l) => l.fields.event === 'credential_switched')?.fields).toMatchObject({
      index: 1,
      kind: 'client_certificate',
    })
  })

  it('firstOf combines any credentials that authenticate token requests', async () => {
    const clientId = registerApp([certC])
    const credential = firstOf(
      clientCertificate({ certificate: certA.combinedPem }),
      clientCertificate({ certificate: certC.combinedPem }),
    )
    await provider(clientId, credential).getToken(SCOPE)
    expect(authority.tokenRequests({ clientId }).map((r) => r.status)).toEqual([401, 200])
  })

  it('refuses an expired certificate at creation, saying when it expired and how to rotate', async () => {
    const expired = await createTestCertificate({ days: -2 })
    const error = (() => {
      try {
        clientCertificate({ certificate: expired.combinedPem })
      } catch (e) {
        return e
      }
    })()
    expect(isConfigurationError(error)).toBe(true)
    expect((error as Error).message).toMatch(/expired on \d{4}-\d\d-\d\dT/)
    expect((error as Error).message).toMatch(/upload its public part to the app registration/)
    expect((error as Error).message).not.toMatch(SECRET_LOOKING)
  })

  it('warns once (log and channel) when the certificate expires within expiryWarningDays, not before', async () => {
    const soon = await createTestCertificate({ days: 10 })
    const clientId = registerApp([soon])
    const events: unknown[] = []
    const listener = (m: unknown) => events.push(m)
    subscribe(ApptokenChannels.credentialExpiring, listener)
    try {
      const logger = recordingLogger()
      const p = provider(clientId, clientCertificate({ certificate: soon.combinedPem }), logger)
      await p.getToken(SCOPE)
      await p.getToken(SCOPE, { forceRefresh: true })
      const warnings = logger.lines.filter((l) => l.fields.event === 'credential_expiring')
      expect(warnings).toHaveLength(1)
      expect(warnings[0]!.fields).toMatchObject({ daysLeft: 9 })
      expect(warnings[0]!.message).toMatch(/expires on .* \(in 9 days\)/)
      expect(events).toEqual([
        expect.objectContaining({ credentialKind: 'client_certificate', thumbprint: soon.x5tS256 }),
      ])
      expect(logger.text()).not.toMatch(SECRET_LOOKING)

      const quiet = recordingLogger()
      const q = provider(
        clientId,
        clientCertificate({ certificate: soon.combinedPem, expiryWarningDays: 5 }),
        quiet,
      )
      await q.getToken(SCOPE)
      expect(quiet.lines.filter((l) => l.fields.event === 'credential_expiring')).toEqual([])
    } finally {
      unsubscribe(ApptokenChannels.credentialExpiring, listener)
    }
  })

  it('works with a 4096-bit key and a PKCS#1 key in the same string as the certificate', async () => {
    const big = await createTestCertificate({ keySize: 4096 })
    const clientId = registerApp([big])
    const { createPrivateKey } = await import('node:crypto')
    const pkcs1 = createPrivateKey(big.privateKey).export({ format: 'pem', type: 'pkcs1' }).toString()
    await provider(clientId, clientCertificate({ certificate: big.certificate + pkcs1 })).getToken(SCOPE)
    expect(authority.tokenRequests({ clientId }).map((r) => r.status)).toEqual([200])
  })
})

describe('loading', () => {
  it('does not load jose when @apptoken/core is imported, only when an assertion is signed', async () => {
    const dist = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href
    const script = `
      import { registerHooks } from 'node:module'
      const seen = []
      registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r } })
      const core = await import(${JSON.stringify(dist)})
      const atImport = seen.filter((u) => u.includes('/jose/')).length
      const credential = core.clientCertificate({ certificate: process.env.TEST_PEM })
      const ctx = { clientId: 'c', tenantId: 't', tokenEndpoint: 'https://login.example/t/oauth2/v2.0/token', scopes: [], clock: { now: () => Date.now() } }
      await credential.authenticate(ctx)
      console.log(JSON.stringify({ atImport, afterSigning: seen.filter((u) => u.includes('/jose/')).length }))
    `
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, TEST_PEM: certA.combinedPem },
    })
    const result = JSON.parse(stdout) as { atImport: number; afterSigning: number }
    expect(result.atImport).toBe(0)
    expect(result.afterSigning).toBeGreaterThan(0)
  })

  it('rejects a non-RSA key with a ConfigurationError', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    expect(() => clientCertificate({ certificate: certA.certificate, privateKey: pem })).toThrow(
      /is an ec key, not RSA/,
    )
  })
})
