import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { runDemo, tempDir, writeSettings } from './support.js'

const dirs: string[] = []
const dir = (): string => {
  const d = tempDir()
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** stderr as one line per message (the demo writes exactly one). */
const messages = (stderr: string): string[] => stderr.split('\n').filter(Boolean)

describe('bad configuration: one message naming the setting and the fix, exit 2', () => {
  it('a scope without /.default', async () => {
    const config = writeSettings(dir(), { MyWebApi: { Scopes: ['https://graph.microsoft.com'] } }, 'bad.json')
    const run = await runDemo(['--config', config, '--json'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(messages(run.stderr)).toEqual([
      expect.stringContaining(
        `apptoken demo: configuration error (in ${config}): MyWebApi.Scopes: "https://graph.microsoft.com" is not a client-credentials scope`,
      ),
    ])
    expect(run.stderr).toContain('Fix: use "https://graph.microsoft.com/.default"')
  })

  it('a delegated permission (User.Read) instead of the resource scope', async () => {
    const run = await runDemo(['--config', writeSettings(dir(), { MyWebApi: { Scopes: 'User.Read' } })])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(messages(run.stderr)).toHaveLength(1)
    expect(run.stderr).toMatch(
      /MyWebApi\.Scopes: "User\.Read" is not a client-credentials scope.*Fix: use "https:\/\/graph\.microsoft\.com\/\.default"/,
    )
  })

  it('the placeholder of the Microsoft sample, in ./appsettings.json (read without --config)', async () => {
    const cwd = dir()
    const settings = `{
      // As in the .NET daemon sample, comments included
      "MyWebApi": {
        "BaseUrl": "https://localhost:44372/",
        "RelativePath": "api/TodoList",
        "RequestAppToken": true,
        "Scopes": [ "[Enter here the scopes for your web API]" ],
      },
    }`
    writeSettings(cwd, settings)
    const run = await runDemo([], { cwd })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(
      /^apptoken demo: configuration error \(in .*appsettings\.json\): MyWebApi\.Scopes: it still holds the sample's placeholder "\[Enter here the scopes for your web API\]"\. Fix: set the API's application ID URI followed by \/\.default/,
    )
  })

  it('a tenant without a client ID names the missing setting', async () => {
    const run = await runDemo([], { env: { AZURE_TENANT_ID: 'contoso.onmicrosoft.com' } })
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      'apptoken demo: configuration error: AzureAd.ClientId: AZURE_TENANT_ID is set but the client ID is not. Fix: set the Application (client) ID of the app registration (or AZURE_CLIENT_ID); remove the tenant to run offline\n',
    )
  })

  it('a multi-tenant alias as the tenant, from the environment, names the variable', async () => {
    const cwd = dir()
    writeSettings(cwd, {
      AzureAd: { ClientId: '8d2e5f7a-1c4b-4a9e-b6d3-5e0f2a8c9b14', ClientSecret: 'x' },
      MyWebApi: { BaseUrl: 'https://127.0.0.1:1/', Scopes: ['api://x/.default'] },
    })
    const run = await runDemo([], { cwd, env: { AZURE_TENANT_ID: 'common' } })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(
      /^apptoken demo: configuration error: AZURE_TENANT_ID: "common" cannot be used with client credentials/,
    )
  })

  it('a --config file that does not exist', async () => {
    const run = await runDemo(['--config', 'missing.json'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(
      /^apptoken demo: configuration error: --config: .*missing\.json does not exist\. Fix: pass the path of an appsettings\.json file\n$/,
    )
  })

  it('a file that is not JSON: the position, never the text around it (it may hold a secret)', async () => {
    const config = writeSettings(dir(), '{ "AzureAd": { "ClientSecret": "Sup3r~Secret.Value" oops } }')
    const run = await runDemo(['--config', config])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(
      /^apptoken demo: configuration error: --config: .* is not valid JSON \(at position \d+/,
    )
    expect(run.stderr).not.toContain('Sup3r')
  })

  it('RequestAppToken: false', async () => {
    const run = await runDemo(['--config', writeSettings(dir(), { MyWebApi: { RequestAppToken: false } })])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      'MyWebApi.RequestAppToken: this daemon calls the API as itself, with an app token. Fix: set it to true, or remove it',
    )
  })
})

describe('a server-side failure: the TokenRequestError and its hint, exit 1', () => {
  it('a wrong client secret, offline (AZURE_CLIENT_SECRET without a tenant keeps the embedded authority)', async () => {
    const secret = 'Wr0ng~secret.value-1234'
    const run = await runDemo(['--json'], { env: { AZURE_CLIENT_SECRET: secret } })
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(
      /^apptoken demo — offline: using the embedded test authority at http:\/\/127\.0\.0\.1:\d+ \(no tenant needed\); client secret from AZURE_CLIENT_SECRET\n/,
    )
    expect(run.stderr).toMatch(/apptoken demo: Token request failed \(401 invalid_client AADSTS7000215\)/)
    expect(run.stderr).toContain(
      "Hint: Wrong client secret: use the secret's Value (shown once when it was created), not its Secret ID",
    )
    expect(run.stderr).not.toContain(secret)
  })
})
