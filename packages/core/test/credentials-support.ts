import { mkdtempSync, rmSync, utimesSync, writeFileSync, renameSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose'
import { createPrivateKey } from 'node:crypto'
import type { TestCertificate } from '@apptoken/testing'
import type { ClientCredential, Clock, Credential, CredentialContext, Logger } from '../src/index.js'

/** Anything that looks like key material, a certificate body or a JWT. */
export const SECRET_LOOKING = /PRIVATE KEY|BEGIN CERTIFICATE|MII[A-Za-z0-9+/]{8}|eyJ[A-Za-z0-9_-]{8}/

/** A scratch directory, removed by the returned cleanup. */
export function scratchDir(): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'apptoken-credentials-'))
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Writes `content` padded with newlines to `size` bytes and pins its mtime, so two versions look alike to stat(). */
export function writeLookalike(
  path: string,
  content: string,
  size = 8192,
  mtimeSeconds = 1_700_000_000,
): void {
  if (Buffer.byteLength(content) > size) throw new Error('content larger than the lookalike size')
  writeFileSync(path, content + '\n'.repeat(size - Buffer.byteLength(content)))
  utimesSync(path, mtimeSeconds, mtimeSeconds)
}

/** Replaces a file atomically (write + rename), as deployment tools and kubelet do. */
export function replaceFile(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content)
  renameSync(`${path}.tmp`, path)
}

/** A clock whose sleeps return at once and move time forward; it records each requested delay. */
export function fakeClock(start = Date.now()): Clock & { sleeps: number[]; advance(ms: number): void } {
  let now = start
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => now,
    advance: (ms) => void (now += ms),
    sleep: async (ms) => {
      sleeps.push(ms)
      now += ms
    },
  }
}

export interface LogLine {
  level: string
  fields: Record<string, unknown>
  message: string
}

/** A logger that keeps every line, and the whole log as text for leak checks. */
export function recordingLogger(): Logger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = []
  const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
    void lines.push({ level, fields, message })
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () => JSON.stringify(lines),
  }
}

/** Wraps a credential to count authentications and keep the assertions it produced. */
export function spyOn(credential: Credential): {
  credential: ClientCredential
  assertions: string[]
  contexts: CredentialContext[]
} {
  if (credential.getToken !== undefined) throw new Error(`${credential.kind} does not authenticate token requests`)
  const assertions: string[] = []
  const contexts: CredentialContext[] = []
  const spy: { -readonly [K in keyof ClientCredential]: ClientCredential[K] } = {
    kind: credential.kind,
    authenticate: async (ctx) => {
      contexts.push(ctx)
      const auth = await credential.authenticate(ctx)
      if (auth.form?.client_assertion) assertions.push(auth.form.client_assertion)
      return auth
    },
  }
  if (credential.defaults) spy.defaults = credential.defaults
  if (credential.needsClientIdAndTenantId !== undefined) spy.needsClientIdAndTenantId = credential.needsClientIdAndTenantId
  const onRejected = credential.onRejected
  if (onRejected) spy.onRejected = (error, ctx) => onRejected.call(credential, error, ctx)
  return { credential: spy, assertions, contexts }
}

/** Header and claims of a JWT. */
export function jwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  return { header: decodeProtectedHeader(token), claims: decodeJwt(token) }
}

/** The base64 DER body of a PEM certificate (what `x5c` carries). */
export const derBase64 = (pem: string): string =>
  pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')

/** Signs an assertion as another identity provider would for a federated credential (here: with a registered test certificate). */
export async function federatedAssertion(
  cert: TestCertificate,
  input: { clientId: string; audience: string; lifetimeSeconds?: number },
): Promise<string> {
  const iat = Math.floor(Date.now() / 1000)
  return new SignJWT({})
    .setProtectedHeader({ alg: 'PS256', typ: 'JWT', 'x5t#S256': cert.x5tS256 })
    .setIssuer(input.clientId)
    .setSubject(input.clientId)
    .setAudience(input.audience)
    .setJti(crypto.randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + (input.lifetimeSeconds ?? 3600))
    .sign(createPrivateKey(cert.privateKey))
}
