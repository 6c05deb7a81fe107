import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_API_AUDIENCE, useTestApis } from '@apptoken/testing'
import { apptoken, azureEnv } from './support.js'

const SCOPE = `${TEST_API_AUDIENCE}/.default`
const s = useTestApis({ beforeAll, afterAll })
let env: Record<string, string>
beforeAll(() => {
  env = azureEnv(s.authority)
})

describe('apptoken token', () => {
  it('prints a token that works as an Authorization header against the protected API', async () => {
    const run = await apptoken(['token', SCOPE], env)
    expect(run.code).toBe(0)
    const token = run.stdout.trim()
    expect(run.stdout).toBe(`${token}\n`)
    expect(run.stderr).toContain(`requesting a token for ${SCOPE}`)
    expect(run.stderr).not.toContain(token)
    // What `curl -H "Authorization: Bearer $(apptoken token ...)"` sends.
    const res = await fetch(`${s.api.url}/api/todolist`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(expect.arrayContaining([expect.objectContaining({ id: '1' })]))
  })

  it('--json prints the token response with the decoded claims, and no secret', async () => {
    const run = await apptoken(['token', SCOPE, '--json'], env)
    expect(run.code).toBe(0)
    const out = JSON.parse(run.stdout) as Record<string, unknown>
    expect(out).toMatchObject({
      token_type: 'Bearer',
      scope: SCOPE,
      tenant_id: s.authority.tenantId,
      claims: {
        aud: TEST_API_AUDIENCE,
        tid: s.authority.tenantId,
        azp: s.authority.clientId,
        roles: ['TodoList.Read.All', 'TodoList.ReadWrite.All'],
        exp: expect.any(Number),
      },
    })
    expect(out.expires_in).toBeGreaterThan(3500)
    expect(run.stdout + run.stderr).not.toContain(s.authority.clientSecret)
  })

  it('exits 1 with the reason on stderr when the authority refuses, never quoting the secret', async () => {
    const run = await apptoken(['token', SCOPE], { ...env, AZURE_CLIENT_SECRET: 'not-the-secret-value' })
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/AADSTS7000215/)
    expect(run.stderr).not.toContain('not-the-secret-value')
  })

  it('exits 2 on a usage or configuration error', async () => {
    expect((await apptoken(['token'], env)).code).toBe(2)
    expect((await apptoken(['frobnicate'], env)).code).toBe(2)
    const missing = await apptoken(['token', SCOPE], { AZURE_CLIENT_SECRET: 'x' })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/AZURE_TENANT_ID and AZURE_CLIENT_ID/)
  })
})
