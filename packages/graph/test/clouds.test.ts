import { AzureCloud, type TokenProvider } from '@apptoken/core'
import { startTestAuthority, type TestAuthority } from '@apptoken/testing'
import type { Context } from '@microsoft/microsoft-graph-client'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createGraphClient } from '../src/index.js'
import { providerFor } from './fixture.js'

let authority: TestAuthority
let provider: TokenProvider
let sent: { url: string; authorization: string | null }[]

// Stands in for the HTTP handler: the national clouds cannot be reached from a test.
const recorder = {
  execute: async (context: Context): Promise<void> => {
    const url = typeof context.request === 'string' ? context.request : context.request.url
    sent.push({ url, authorization: new Headers(context.options?.headers).get('authorization') })
    context.response = Response.json({ value: [] })
  },
}

beforeAll(async () => {
  authority = await startTestAuthority()
})
afterAll(() => authority.close())
beforeEach(() => {
  authority.reset()
  sent = []
  provider = providerFor(authority)
})
afterEach(() => provider.close())

describe('createGraphClient in national clouds', () => {
  it('calls the US Government Graph with a token for it', async () => {
    const client = createGraphClient(provider, { cloud: AzureCloud.USGovernment, middleware: [recorder] })
    await client.api('/users').get()
    expect(sent[0]!.url).toBe('https://graph.microsoft.us/v1.0/users')
    expect(sent[0]!.authorization).toMatch(/^Bearer /)
    expect(authority.tokenRequests().map((r) => r.scope)).toEqual(['https://graph.microsoft.us/.default'])
  })

  it('asks a DoD Graph token for dod-graph.microsoft.us', async () => {
    const client = createGraphClient(provider, { cloud: AzureCloud.USGovernment, middleware: [recorder] })
    await client.api('https://dod-graph.microsoft.us/v1.0/users').get()
    expect(sent[0]!.authorization).toMatch(/^Bearer /)
    expect(authority.tokenRequests().map((r) => r.scope)).toEqual(['https://dod-graph.microsoft.us/.default'])
  })

  it('calls the China Graph and keeps the public Graph host out of its allow-list', async () => {
    const client = createGraphClient(provider, { cloud: AzureCloud.China, middleware: [recorder] })
    await client.api('/organization').get()
    await client.api('https://graph.microsoft.com/v1.0/organization').get()
    expect(sent.map((s) => [s.url, s.authorization !== null])).toEqual([
      ['https://microsoftgraph.chinacloudapi.cn/v1.0/organization', true],
      ['https://graph.microsoft.com/v1.0/organization', false],
    ])
    expect(authority.tokenRequests().map((r) => r.scope)).toEqual([
      'https://microsoftgraph.chinacloudapi.cn/.default',
    ])
  })
})
