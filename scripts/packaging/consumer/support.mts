// The stand-ins a quick start runs against: a local Entra-compatible authority and a protected
// API on 127.0.0.1, from the packed @apptoken/testing.
import { clientSecret, createTokenProvider, type TokenProvider } from '@apptoken/core'
import {
  startProtectedApi,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'

export const scopes = `${TEST_API_AUDIENCE}/.default`

export interface StandIns {
  authority: TestAuthority
  api: ProtectedApi
  /** The quick start's `createTokenProvider(...)`, pointed at the local authority. */
  provider: TokenProvider
  close(): Promise<void>
}

export async function startStandIns(): Promise<StandIns> {
  const authority = await startTestAuthority()
  const api = await startProtectedApi({ authority })
  const provider = createTokenProvider({
    authorityHost: authority.authorityHost,
    tenantId: authority.tenantId,
    clientId: authority.clientId,
    credential: clientSecret(authority.clientSecret),
  })
  const close = async () => {
    await provider.close()
    await Promise.all([api.close(), authority.close()])
  }
  return { authority, api, provider, close }
}

/** The version of a package installed in this project (`ky/package.json` is not in ky's exports). */
export async function majorOf(name: string): Promise<number> {
  const { readFile } = await import('node:fs/promises')
  const manifest = JSON.parse(
    await readFile(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8'),
  ) as { version: string }
  return Number(manifest.version.split('.')[0])
}
