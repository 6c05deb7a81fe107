import { once } from 'node:events'
import { rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import {
  createTestCertificate,
  startGraphApi,
  startProtectedApi,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type GraphApi,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runDemo, tempDir, writeSettings } from './support.js'

/**
 * "A real tenant", played by @apptoken/testing on 127.0.0.1: the configured path of the demo
 * (appsettings.json + environment), without contacting anything but loopback.
 */
describe('with a tenant configured (loopback stand-ins)', () => {
  let authority: TestAuthority
  let api: ProtectedApi
  let graph: GraphApi
  let cwd: string
  let caFile: string

  beforeAll(async () => {
    cwd = tempDir()
    const tls = await createTestCertificate({ hosts: ['127.0.0.1'] })
    caFile = writeSettings(cwd, tls.certificate, 'ca.pem')
    authority = await startTestAuthority()
    api = await startProtectedApi({ authority })
    // The Graph SDK follows only https nextLinks; the child trusts this certificate via NODE_EXTRA_CA_CERTS.
    graph = await startGraphApi({
      authority,
      users: 250,
      https: { cert: tls.certificate, key: tls.privateKey },
    })
    writeSettings(cwd, {
      AzureAd: {
        Instance: `${authority.authorityHost}/`,
        TenantId: authority.tenantId,
        ClientId: authority.clientId,
        ClientCredentials: [{ SourceType: 'ClientSecret', ClientSecret: authority.clientSecret }],
      },
      MyWebApi: {
        BaseUrl: `${api.url}/`,
        RelativePath: 'api/todolist',
        RequestAppToken: true,
        Scopes: [`${TEST_API_AUDIENCE}/.default`],
      },
      MicrosoftGraph: { BaseUrl: `${graph.url}/v1.0` },
    })
  })

  afterEach(() => {
    authority.reset()
    api.reset()
    graph.reset()
  })

  afterAll(async () => {
    await Promise.all([api?.close(), graph?.close()])
    await authority?.close()
    rmSync(cwd, { recursive: true, force: true })
  })

  it('reads ./appsettings.json and runs the same job against the configured authority, Graph and API', async () => {
    const run = await runDemo(['--json'], { cwd, env: { NODE_EXTRA_CA_CERTS: caFile } })
    expect(run.stderr.split('\n')[0]).toBe(
      `apptoken demo — tenant ${authority.tenantId} at ${authority.authorityHost}, app ${authority.clientId} (${join(cwd, 'appsettings.json')})`,
    )
    expect(run.code).toBe(0)
    const summary = JSON.parse(run.stdout)
    expect(summary.mode).toBe('tenant')
    expect(summary.graph).toEqual({ users: 250, pages: 3 })
    // No revocation with a real tenant: one token per resource, and that is all.
    expect(summary.revocation).toEqual({ simulated: false, retried: [] })
    expect(run.stderr).toContain('skipped: revoking a token needs the embedded authority')
    expect(summary.tokens.requests).toBe(2)
    expect(
      authority
        .tokenRequests()
        .map((r) => r.scope)
        .sort(),
    ).toEqual(['api://apptoken-test-api/.default', 'https://graph.microsoft.com/.default'])
    for (const adapter of ['axios', 'ky', 'got', 'fetch'])
      expect(summary.adapters[adapter]).toEqual({ calls: 2, requests: 2, retries: 0 })
    expect(api.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(
      ['axios', 'ky', 'got', 'fetch'].flatMap(() => ['GET /api/todolist 200', 'POST /api/todolist 201']),
    )
    expect(api.requests.map((r) => r.headers['user-agent'])).toEqual(
      ['axios', 'axios', 'ky', 'ky', 'got', 'got', 'fetch', 'fetch'].map((a) => `apptoken-demo (${a})`),
    )
    expect(graph.requests).toHaveLength(3)
    expect(summary.server).toBeUndefined()
  })

  it('the environment overrides the file: AZURE_CLIENT_SECRET replaces the configured secret', async () => {
    const run = await runDemo(['--json'], {
      cwd,
      env: { NODE_EXTRA_CA_CERTS: caFile, AZURE_CLIENT_SECRET: 'Wr0ng~secret.value-1234' },
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('Token request failed (401 invalid_client AADSTS7000215)')
    expect(run.stderr).toContain("Hint: Wrong client secret: use the secret's Value")
    expect(authority.tokenRequests()).toHaveLength(1)
    expect(api.requests).toHaveLength(0)
  })

  it('a 403 from the API ends the run with the admin-consent hint, exit 1', async () => {
    const strict = await startProtectedApi({ authority, requiredRoles: ['TodoList.Admin'] })
    try {
      const config = writeSettings(
        cwd,
        {
          AzureAd: {
            Instance: authority.authorityHost,
            TenantId: authority.tenantId,
            ClientId: authority.clientId,
            ClientSecret: authority.clientSecret,
          },
          MyWebApi: {
            BaseUrl: strict.url,
            RelativePath: 'api/todolist',
            Scopes: `${TEST_API_AUDIENCE}/.default`,
          },
          MicrosoftGraph: { BaseUrl: `${graph.url}/v1.0` },
        },
        'strict.json',
      )
      const run = await runDemo(['--config', config], { cwd, env: { NODE_EXTRA_CA_CERTS: caFile } })
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`apptoken demo: axios GET ${strict.url}/api/todolist answered 403`)
      expect(run.stderr).toContain('Hint: The app lacks the application permission (app role) this API needs')
      expect(strict.requests).toHaveLength(1)
    } finally {
      await strict.close()
    }
  })
})

describe('graceful shutdown', () => {
  let server: Server
  let sockets: Socket[]
  let cwd: string

  beforeAll(async () => {
    // An authority that accepts connections and never answers: the demo is stuck in a token request.
    sockets = []
    server = createServer((socket) => void sockets.push(socket))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as { port: number }
    cwd = tempDir()
    writeSettings(cwd, {
      AzureAd: {
        Instance: `http://127.0.0.1:${port}`,
        TenantId: 'contoso.onmicrosoft.com',
        ClientId: '8d2e5f7a-1c4b-4a9e-b6d3-5e0f2a8c9b14',
        ClientSecret: 'not-used-by-this-server',
      },
      MyWebApi: { BaseUrl: `http://127.0.0.1:${port}/`, Scopes: ['api://apptoken-test-api/.default'] },
      MicrosoftGraph: { BaseUrl: `https://127.0.0.1:${port}/v1.0` },
    })
  })

  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    server.close()
    await once(server, 'close')
    rmSync(cwd, { recursive: true, force: true })
  })

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal} cancels the in-flight call, closes everything and exits ${code}`, async () => {
      const run = await runDemo(['--json'], {
        cwd,
        onSpawn: (child) => {
          // Signal once the demo is waiting on the token endpoint.
          server.once('connection', () => child.kill(signal))
        },
      })
      expect(run.code).toBe(code)
      expect(run.stderr).toContain(`apptoken demo: ${signal}: cancelling in-flight calls and shutting down`)
      expect(run.stdout).toBe('')
    })
  }
})
