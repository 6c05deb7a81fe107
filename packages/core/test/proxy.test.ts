import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import { GRAPH, authority, providerFor } from './support.js'

let a: TestAuthority
let proxy: Server
let proxyUrl: string
const proxied: string[] = []
const saved = {
  HTTP_PROXY: process.env.HTTP_PROXY,
  NO_PROXY: process.env.NO_PROXY,
  no_proxy: process.env.no_proxy,
}

beforeAll(async () => {
  a = await authority()
  // A forward proxy for plain http: it receives the absolute URL and relays the request.
  proxy = createServer((req, res) => {
    proxied.push(`${req.method} ${req.url}`)
    const upstream = request(req.url!, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode!, up.headers)
      up.pipe(res)
    })
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
})
afterEach(() => {
  for (const [k, v] of Object.entries(saved))
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  proxied.length = 0
  a.reset()
})
afterAll(async () => {
  proxy.closeAllConnections()
  await new Promise((resolve) => proxy.close(resolve))
  await a.close()
})

it('sends token requests through HTTP_PROXY by default', async () => {
  process.env.HTTP_PROXY = proxyUrl
  delete process.env.NO_PROXY
  delete process.env.no_proxy
  const p = providerFor(a)
  await p.getToken(GRAPH)
  expect(proxied).toEqual([`POST ${a.tokenEndpoint(a.tenantId)}`])
  await p.close()
})

it('goes direct for hosts listed in NO_PROXY', async () => {
  process.env.HTTP_PROXY = proxyUrl
  process.env.NO_PROXY = '127.0.0.1'
  const p = providerFor(a)
  await p.getToken(GRAPH)
  expect(proxied).toEqual([])
  expect(a.tokenRequests()).toHaveLength(1)
  await p.close()
})
