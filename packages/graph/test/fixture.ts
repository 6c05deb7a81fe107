import { clientSecret, createTokenProvider, type TokenProvider } from '@apptoken/core'
import { createTestCertificate, type TestAuthority, type TlsOptions } from '@apptoken/testing'
import type { FetchOptions } from '@microsoft/microsoft-graph-client'
import { Agent, Dispatcher1Wrapper } from 'undici'

/** https for the stand-ins (the v3 SDK treats only https:// URLs, e.g. nextLinks, as absolute) and fetch options that trust it. */
export interface TestTls {
  https: TlsOptions
  fetchOptions: FetchOptions
  close(): Promise<void>
}

export async function startTestTls(): Promise<TestTls> {
  const cert = await createTestCertificate()
  // The test certificate names no host: trust exactly it, without the host name check.
  const agent = new Agent({ connect: { ca: cert.certificate, checkServerIdentity: () => undefined } })
  // Node's built-in fetch (which the SDK calls) speaks undici's v1 dispatcher API.
  const fetchOptions = { dispatcher: new Dispatcher1Wrapper(agent) } as FetchOptions
  return { https: { cert: cert.certificate, key: cert.privateKey }, fetchOptions, close: () => agent.close() }
}

/** A provider for the test authority: its default app, or the app given. */
export const providerFor = (
  authority: TestAuthority,
  clientId = authority.clientId,
  secret = authority.clientSecret,
): TokenProvider =>
  createTokenProvider({ ...authority.providerOptions, clientId, credential: clientSecret(secret) })
