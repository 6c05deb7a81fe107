import { useTestApis } from '@apptoken/testing'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCOPE } from './support.js'

const run = promisify(execFile)

// `node -e` runs CommonJS: this proves the ESM-only package loads with require() (Node >= 22.12).
const SCRIPT = `
const axios = require('axios')
const { clientSecret, createTokenProvider } = require('@apptoken/core')
const { attachAppToken } = require('@apptoken/axios')
const { AUTHORITY_HOST, TENANT_ID, CLIENT_ID, CLIENT_SECRET, API_URL, SCOPE } = process.env
const provider = createTokenProvider({ authorityHost: AUTHORITY_HOST, tenantId: TENANT_ID, clientId: CLIENT_ID, credential: clientSecret(CLIENT_SECRET) })
const api = axios.create({ baseURL: API_URL })
attachAppToken(api, provider, { scopes: SCOPE })
api.get('/api/todolist').then(async (response) => {
  await provider.close()
  process.stdout.write(String(response.status))
})
`

describe('@apptoken/axios from CommonJS', () => {
  const s = useTestApis({ beforeAll, afterAll })

  it('is loaded with require() and attaches the token', async () => {
    const env = {
      ...process.env,
      AUTHORITY_HOST: s.authority.authorityHost,
      TENANT_ID: s.authority.tenantId,
      CLIENT_ID: s.authority.clientId,
      CLIENT_SECRET: s.authority.clientSecret,
      API_URL: s.api.url,
      SCOPE,
    }
    const { stdout } = await run(process.execPath, ['-e', SCRIPT], {
      env,
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    })
    expect(stdout).toBe('200')
    expect(s.api.requests.map((r) => [r.status, typeof r.token])).toEqual([[200, 'string']])
  })
})
