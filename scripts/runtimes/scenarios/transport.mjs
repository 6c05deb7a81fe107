// The token transport on this runtime (undici, or fetch where undici is partial): HTTP_PROXY is
// honoured for token requests and never used for managed identity (IMDS), a hung request times
// out, an oversized body is refused; on Bun a `dispatcher` is a ConfigurationError.
import assert from 'node:assert/strict'
import { createServer, request } from 'node:http'
import { managedIdentity } from '@apptoken/core'
import { scenario, scopes, startStandIns } from './_support.mjs'

await scenario('transport: proxy, timeout, body limit', async () => {
  const { authority, provider, close } = await startStandIns()
  const proxied = []
  const proxy = createServer((req, res) => {
    proxied.push(`${req.method} ${req.url}`)
    const upstream = request(req.url, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, up.headers)
      up.pipe(res)
    })
    req.pipe(upstream)
  })
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  try {
    delete process.env.NO_PROXY
    delete process.env.no_proxy
    process.env.HTTP_PROXY = `http://127.0.0.1:${proxy.address().port}`
    await provider().getToken(scopes)
    assert.deepEqual(proxied, [`POST ${authority.tokenEndpoint(authority.tenantId)}`])
    const imds = managedIdentity({ imdsEndpoint: authority.managedIdentity.imdsEndpoint, env: {} })
    await provider({
      clientId: undefined,
      tenantId: undefined,
      authorityHost: undefined,
      credential: imds,
    }).getToken(scopes)
    assert.deepEqual(
      authority.tokenRequests().map((r) => [r.kind, r.status]),
      [
        ['token', 200],
        ['imds', 200],
      ],
    )
    assert.equal(proxied.length, 1, 'IMDS is reached directly, never through the proxy')
    delete process.env.HTTP_PROXY

    if (globalThis.Bun !== undefined) {
      // Bun's undici cannot dispatch: a dispatcher is refused, never silently ignored.
      const { Agent } = await import('undici')
      const refused = await provider({ dispatcher: new Agent() })
        .getToken(scopes)
        .catch((e) => e)
      assert.equal(refused.code, 'ERR_CONFIGURATION')
      assert.equal(refused.option, 'dispatcher')
    }

    authority.failNext({ delayMs: 5_000 })
    const slow = await provider({ retry: false, timeoutMs: 100 })
      .getToken(scopes)
      .catch((e) => e)
    assert.equal(slow.code, 'ERR_TIMEOUT')

    authority.failNext({
      status: 200,
      body: JSON.stringify({ access_token: 'x'.repeat(10_000), expires_in: 3600 }),
    })
    const big = await provider({ maxResponseBytes: 4096 })
      .getToken(scopes)
      .catch((e) => e)
    assert.equal(big.code, 'ERR_INVALID_TOKEN_RESPONSE')
    assert.match(big.message, /exceeded 4096 bytes/)
  } finally {
    proxy.closeAllConnections()
    await new Promise((resolve) => proxy.close(resolve))
    await close()
  }
})
